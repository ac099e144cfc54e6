{#- The rows of a *_checked model that passed every contract check, without the audit
    columns: the only way later layers read landing data. `extra_condition` adds a check
    made outside the *_checked model (W1's second terminating event). -#}
{% macro accepted_rows(checked_model, extra_condition=none) -%}
    select
        * exclude (
            quarantine_reasons,
            quarantine_reason,
            raw_row,
            delivered_rows,
            source_file,
            source_row_number
        )
    from {{ ref(checked_model) }}
    where quarantine_reason is null
    {%- if extra_condition %}
        and {{ extra_condition }}
    {%- endif %}
{%- endmacro %}
