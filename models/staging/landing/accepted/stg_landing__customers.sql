{#- The accepted customers: one row per delivered version that passed every contract
    check (SOURCE_CONTRACT.md), typed, with KST times; the only way later layers
    read this landing table. -#}
{{ config(partition_column='customer_id', affected_partitions='customers') }}

{{ landing_accepted_rows('customers') }}
