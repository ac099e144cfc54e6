{#- At-least-once delivery (SOURCE_CONTRACT.md): identical rows are one row.

    Duplicates are rare, so only keys delivered more than once are grouped: a narrow
    aggregate over the key finds them, every other row streams through untouched. That
    keeps the 135 M-row events table out of a full-width hash aggregate at scale 1.0.
    Output: the contract columns plus delivered_rows (identical copies collapsed into
    this row), key_versions (distinct rows sharing this key: > 1 is a key conflict),
    and where the first copy was found (file, 0-based row number).
    `renamed_cte` must be declared `not materialized`: it is read three times. -#}
{% macro collapse_exact_duplicates(renamed_cte, key) -%}
    {%- set dedup_key = "coalesce(" ~ key ~ ", chr(0))" -%}
    select * from (
        with

        repeated_keys as (
            select {{ dedup_key }} as repeated_key
            from {{ renamed_cte }}
            group by 1
            having count(*) > 1
        ),

        single_rows as (
            select
                * exclude (source_file, source_row_number),
                cast(1 as bigint) as delivered_rows,
                cast(1 as bigint) as key_versions,
                source_file,
                source_row_number
            from {{ renamed_cte }}
            where {{ dedup_key }} not in (select repeated_key from repeated_keys)
        ),

        repeated_rows as (
            select
                * exclude (source_file, source_row_number),
                count(*) as delivered_rows,
                arg_min(source_file, source_row_number) as source_file,
                min(source_row_number) as source_row_number
            from {{ renamed_cte }}
            where {{ dedup_key }} in (select repeated_key from repeated_keys)
            group by all
        ),

        repeated_versions as (
            select
                *,
                count(*) over (partition by {{ key }}) as key_versions
            from repeated_rows
        )

        select * from single_rows
        union all by name
        select * from repeated_versions
    )
{%- endmacro %}
