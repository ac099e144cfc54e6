{#- One row per accepted line for the rule models: the line dimension (dim_lines) with
    its KST times back at nanosecond precision. A view: rule models read the slice they
    need (a window's terminations, a program's population), never a second stored copy
    of 29 M lines. -#}
{{ partition_view('lines') }}

with

lines as (
    select * from {{ ref('dim_lines') }}
),

timed as (
    select
        lines.* exclude (
            lines.activated_at_kst,
            lines.activated_at_nanoseconds,
            lines.line_activated_at_kst,
            lines.line_activated_at_nanoseconds,
            lines.terminated_at_kst,
            lines.terminated_at_nanoseconds,
            lines.first_device_change_at_kst,
            lines.first_device_change_at_nanoseconds,
            lines.first_recontract_at_kst,
            lines.first_recontract_at_nanoseconds
        ),
        {{ local_time_ns(
            'lines.activated_at_kst', 'lines.activated_at_nanoseconds'
        ) }} as activated_at_kst,
        {{ local_time_ns(
            'lines.line_activated_at_kst', 'lines.line_activated_at_nanoseconds'
        ) }} as line_activated_at_kst,
        {{ local_time_ns(
            'lines.terminated_at_kst', 'lines.terminated_at_nanoseconds'
        ) }} as terminated_at_kst,
        {{ local_time_ns(
            'lines.first_device_change_at_kst', 'lines.first_device_change_at_nanoseconds'
        ) }} as first_device_change_at_kst,
        {{ local_time_ns(
            'lines.first_recontract_at_kst', 'lines.first_recontract_at_nanoseconds'
        ) }} as first_recontract_at_kst
    from lines
)

select * from timed
