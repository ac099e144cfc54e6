{#- Landing table lines: every delivered version this build judges, with each
    contract check it fails (checks: macros/landing/rules/lines.sql; mechanics:
    landing_versions). -#}
{{ landing_versions('lines') }}
