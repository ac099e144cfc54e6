from remedy.dashboard.views import render_rewards

render_rewards()
