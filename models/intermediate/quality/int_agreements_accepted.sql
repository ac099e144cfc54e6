{{ config(materialized='view') }}

{{ accepted_rows('int_agreements_checked') }}
