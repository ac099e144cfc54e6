{{ config(materialized='view') }}

{{ accepted_rows('int_ott_choices_checked') }}
