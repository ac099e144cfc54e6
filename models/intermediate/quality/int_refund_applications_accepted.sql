{{ config(materialized='view') }}

{{ accepted_rows('int_refund_applications_checked') }}
