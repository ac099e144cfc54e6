{#- Keys of landing table refund_applications delivered more than once (as 64-bit
    hashes), on a full build: the rows that cannot stream straight into the accepted
    store. -#}
{{ landing_repeated_keys('refund_applications') }}
