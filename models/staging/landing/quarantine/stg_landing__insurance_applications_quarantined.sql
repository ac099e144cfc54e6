{#- The quarantined versions of landing table insurance_applications: every version
    that broke the source contract, with its reasons, first copy and delivered text.
    Restricted: raw rows carry personal data. -#}
{{ config(partition_column='customer_id', affected_partitions='customers') }}

{{ landing_quarantined_rows('insurance_applications') }}
