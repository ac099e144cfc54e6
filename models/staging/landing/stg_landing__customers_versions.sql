{#- Landing table customers: every delivered version this build judges, with each
    contract check it fails (checks: macros/landing/rules/customers.sql; mechanics:
    landing_versions). -#}
{{ landing_versions('customers') }}
