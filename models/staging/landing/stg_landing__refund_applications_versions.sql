{#- Landing table refund_applications: every delivered version this build judges,
    with each contract check it fails (checks:
    macros/landing/rules/refund_applications.sql; mechanics: landing_versions). -#}
{{ landing_versions('refund_applications') }}
