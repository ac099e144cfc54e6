from remedy.dashboard.views import render_funnel

render_funnel()
