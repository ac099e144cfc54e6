from remedy.dashboard.views import render_reconciliation

render_reconciliation()
