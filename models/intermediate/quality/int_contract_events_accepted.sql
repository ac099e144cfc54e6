{{ config(materialized='view') }}

{{ accepted_rows('int_contract_events_checked', extra_condition=
    'event_id not in (select event_id from ' ~ ref('int_terminating_events_ranked')
    ~ ' where is_second_terminating_event)') }}
