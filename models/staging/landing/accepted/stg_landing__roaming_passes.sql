{#- The accepted roaming passes: one row per delivered version that passed every
    contract check (SOURCE_CONTRACT.md), typed, with KST times; the only way later
    layers read this landing table. -#}
{{ landing_accepted_rows('roaming_passes') }}
