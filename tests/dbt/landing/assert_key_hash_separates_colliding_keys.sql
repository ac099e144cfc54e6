-- key_hash (macros/landing/key_hash.sql) on pairs of delivered keys to which DuckDB's
-- hash() of the key alone gives one value (tests/test_key_hash.py checks that it still
-- does); a row for each pair key_hash does not tell apart.
with

pairs as (
    select pairs.* from (
        values
        ('contract_events', 'EV0000021912-005', 'EV0000051912-000'),
        ('contract_events', 'EV0000000000-000', 'EV0000090000-007'),
        ('agreements', 'AG0000030005-000', 'AG0000080005-007')
    ) as pairs (source_table, first_key, second_key)
)

select *
from pairs
where {{ key_hash('first_key') }} = {{ key_hash('second_key') }}
