{#- The as-of date of a regulator package: the latest KST event day among the accepted
    contract events (a property of the data, never of the run). One row for the active
    program; the date is null while no event has been accepted, and `remedy extract`
    refuses to write a package then. -#}
with

contract_events as (
    select * from {{ ref('fct_contract_events') }}
),

latest as (
    select max(event_date) as as_of_date
    from contract_events
),

final as (
    select
        cast('{{ var("program_id") }}' as varchar) as program_id,
        cast(as_of_date as date) as as_of_date
    from latest
)

select * from final
