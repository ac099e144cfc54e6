with

source as (
    select * from {{ source('warehouse_state', 'builds') }}
),

renamed as (
    select
        build_seq,
        invocation_id,
        status,
        program_id,
        lookup_as_of_date,
        dbt_version,
        full_refresh,
        incremental_models_complete,
        new_files,
        files_set_aside,
        failed_nodes,
        started_at,
        finished_at
    from source
)

select * from renamed
