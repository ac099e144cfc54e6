"""Entry point of the dashboard (`streamlit run app.py`; `remedy dashboard` starts it).

The database is the published one, `DUCKDB_PATH` (default warehouse.duckdb), opened
read-only on every page load.
"""

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).parent / "page_scripts"

PAGES = [
    ("funnel", "면제 퍼널 · Waiver funnel"),
    ("applications", "신청 추이 · Applications"),
    ("refunds", "환급 차수 · Refunds by wave"),
    ("review", "수동 검토 · Manual review"),
    ("lookup", "상담 조회 · Line lookup"),
    ("rewards", "보상 혜택 · Rewards"),
    ("reconciliation", "대사 현황 · Reconciliation"),
]

st.set_page_config(page_title="KT 위약금 면제·보상 현황", layout="wide")
navigation = st.navigation([
    st.Page(PAGES_DIR / f"{name}.py", title=title, url_path=name, default=index == 0)
    for index, (name, title) in enumerate(PAGES)
])
navigation.run()
