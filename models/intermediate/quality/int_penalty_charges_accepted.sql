{{ config(materialized='view') }}

{{ accepted_rows('int_penalty_charges_checked') }}
