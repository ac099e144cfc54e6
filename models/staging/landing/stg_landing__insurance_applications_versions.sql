{#- Landing table insurance_applications: every delivered version this build judges,
    with each contract check it fails (checks:
    macros/landing/rules/insurance_applications.sql; mechanics: landing_versions). -#}
{{ landing_versions('insurance_applications') }}
