{#- Landing table roaming_passes: every delivered version this build judges, with
    each contract check it fails (checks: macros/landing/rules/roaming_passes.sql;
    mechanics: landing_versions). -#}
{{ landing_versions('roaming_passes') }}
