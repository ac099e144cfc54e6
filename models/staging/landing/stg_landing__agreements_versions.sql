{#- Landing table agreements: every delivered version this build judges, with each
    contract check it fails (checks: macros/landing/rules/agreements.sql; mechanics:
    landing_versions). -#}
{{ landing_versions('agreements') }}
