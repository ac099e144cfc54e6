{#- Landing table ott_choices: every delivered version this build judges, with each
    contract check it fails (checks: macros/landing/rules/ott_choices.sql;
    mechanics: landing_versions). -#}
{{ landing_versions('ott_choices') }}
