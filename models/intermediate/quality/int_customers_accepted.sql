{{ config(materialized='view') }}

{{ accepted_rows('int_customers_checked') }}
