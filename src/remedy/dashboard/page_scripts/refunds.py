from remedy.dashboard.views import render_refunds

render_refunds()
