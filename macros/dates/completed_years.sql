{#- Age in completed years (만 나이, R6) on a day: how many anniversaries of the birth
    date have been reached by that day. A 29 February birthday has no anniversary in
    a common year; the year is completed when February ends, so the age goes up on 1
    March (Korean Civil Code art. 158 and 160(3)). -#}
{% macro completed_years(birth_date, on_date) -%}
    (
        year({{ on_date }}) - year({{ birth_date }})
        - case
            when month({{ on_date }}) * 100 + day({{ on_date }})
                < month({{ birth_date }}) * 100 + day({{ birth_date }})
                then 1
            else 0
        end
    )
{%- endmacro %}
