{{ config(materialized='view') }}

{{ accepted_rows('int_contract_events_checked') }}
