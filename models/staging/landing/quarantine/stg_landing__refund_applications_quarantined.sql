{#- The quarantined versions of landing table refund_applications: every version
    that broke the source contract, with its reasons, first copy and delivered text.
    Restricted: raw rows carry personal data. -#}
{{ landing_quarantined_rows('refund_applications') }}
