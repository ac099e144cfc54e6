{#- The quarantined versions of landing table lines: every version that broke the
    source contract, with its reasons, first copy and delivered text. Restricted:
    raw rows carry personal data. -#}
{{ landing_quarantined_rows('lines') }}
