{{ config(materialized='view') }}

{{ accepted_rows('int_roaming_passes_checked') }}
