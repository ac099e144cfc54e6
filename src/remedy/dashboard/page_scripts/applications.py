from remedy.dashboard.views import render_applications

render_applications()
