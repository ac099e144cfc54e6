from remedy.dashboard.views import render_review

render_review()
