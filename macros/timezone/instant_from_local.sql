{#- The UTC instant (timestamptz_ns) of a local time stored as microseconds plus the
    nanoseconds below them (fct_contract_events keeps KST that way): exact, except in the
    one ambiguous hour of each historical daylight-saving fall-back (Korea, 1987-1988). -#}
{% macro instant_from_local(local_timestamp, nanoseconds) -%}
    timezone(
        '{{ var("local_timezone") }}',
        make_timestamp_ns(epoch_us({{ local_timestamp }}) * 1000 + {{ nanoseconds }})
    )
{%- endmacro %}

{#- The nanoseconds below the microsecond (0-999) of an instant or local timestamp. -#}
{% macro sub_microsecond_nanoseconds(timestamp_ns) -%}
    cast(
            epoch_ns({{ timestamp_ns }})
            - epoch_us({{ timestamp_ns }}) * 1000 as smallint
        )
{%- endmacro %}

{#- A local timestamp stored as microseconds plus the nanoseconds below them, as one
    nanosecond timestamp. -#}
{% macro local_time_ns(local_timestamp, nanoseconds) -%}
    make_timestamp_ns(
            epoch_us({{ local_timestamp }}) * 1000
            + {{ nanoseconds }}
        )
{%- endmacro %}
