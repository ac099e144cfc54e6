{{ config(materialized='view') }}

{{ accepted_rows('int_lines_checked') }}
