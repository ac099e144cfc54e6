{#- The quarantined versions of landing table penalty_charges: every version that
    broke the source contract, with its reasons, first copy and delivered text.
    Restricted: raw rows carry personal data. -#}
{{ landing_quarantined_rows('penalty_charges') }}
