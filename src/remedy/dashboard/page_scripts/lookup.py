from remedy.dashboard.views import render_lookup

render_lookup()
