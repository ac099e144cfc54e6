{#- At-least-once delivery (SOURCE_CONTRACT.md): identical rows are one row. Groups a
    renamed CTE on every contract column, counts the delivered copies and keeps where the
    first copy was found (file and 0-based row number) so quarantine can point at it. -#}
{% macro collapse_exact_duplicates(renamed_cte) -%}
    select
        * exclude (source_file, source_row_number),
        count(*) as delivered_rows,
        arg_min(source_file, source_row_number) as source_file,
        min(source_row_number) as source_row_number
    from {{ renamed_cte }}
    group by all
{%- endmacro %}
