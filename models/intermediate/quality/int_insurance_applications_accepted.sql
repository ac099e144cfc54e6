{{ config(materialized='view') }}

{{ accepted_rows('int_insurance_applications_checked') }}
