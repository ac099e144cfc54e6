"""`remedy dashboard` in a real browser: Debian's Chromium (no browser download), driven by
Playwright, loads every page from a server on a free 127.0.0.1 port, checks a figure
against the marts and saves a screenshot under the test's tmp dir.

Needs /usr/bin/chromium (`scripts/setup.sh` installs the Debian packages chromium and
fonts-noto-cjk when apt is available); skips, saying so, where it cannot be had. With
REMEDY_SCREENSHOTS_DIR set, the screenshots are also copied there (docs/images/ for the
README).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path
from urllib.parse import urlparse

import pytest

from published_sample import published_sample
from remedy.dashboard import formatting as fmt
from remedy.published import open_published

CHROMIUM = Path(os.environ.get("REMEDY_CHROMIUM", "/usr/bin/chromium"))
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} not found: install Debian's chromium (bash scripts/setup.sh "
        "does when apt-get is available) to run the browser tests",
    ),
]

LOOKUP_LINE = "L-EDGE-A4-MILITARY-D14-1"
# page url path -> (a title fragment, the metric to check, SQL giving its figure, unit)
PAGES = {
    "": ("면제 퍼널", "면제 모집단",
         "select count(*) from main.fct_waiver_eligibility", "회선"),
    "applications": ("신청 추이", "전체 신청",
                     "select count(*) from main.fct_refund_application_outcomes", "건"),
    "refunds": ("환급 차수", "1차 (2026-01-22)",
                "select sum(refund_krw) from main.fct_refund_assignments where refund_wave = 1",
                "원"),
    "review": ("수동 검토", "검토 대기",
               "select count(*) from main.fct_refund_assignments "
               "where assignment_status = 'manual_review'", "회선"),
    "rewards": ("보상 혜택", "데이터 보너스",
                "select sum(quantity) from main.fct_reward_entitlements "
                "where benefit = 'data_bonus'", "GB"),
    "reconciliation": ("대사 현황", "무결성 통과",
                       "select count(*) from main.rpt_reconciliation "
                       "where passed and severity = 'integrity'", "건"),
    # the line lookup, opened on an edge-case line (every generated sample carries them)
    f"lookup?line={LOOKUP_LINE}": ("상담 조회", "환급액",
                                   "select refund_krw from main.fct_waiver_determinations "
                                   f"where line_id = '{LOOKUP_LINE}'", "원"),
}
SCREENSHOT_NAMES = {"": "funnel", f"lookup?line={LOOKUP_LINE}": "lookup"}
TALL_PAGES = {"lookup": 1650}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "remedy dashboard exited early"
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"remedy dashboard did not answer on {url} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return published_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def dashboard_url(sample, tmp_path_factory):
    port = _free_port()
    log = (tmp_path_factory.mktemp("dashboard") / "server.log").open("w")
    env = dict(os.environ, DUCKDB_PATH=str(sample.database))
    server = subprocess.Popen([str(BIN / "remedy"), "dashboard", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-dev-shm-usage"],
        )
        yield chromium
        chromium.close()


def _korean_font_installed() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True)
    return bool(listed.stdout.strip())


def test_every_page_shows_the_marts_figures(sample, dashboard_url, browser, tmp_path):
    if not _korean_font_installed():
        warnings.warn("no Korean font (Debian fonts-noto-cjk): screenshots show boxes for "
                      "Korean text", stacklevel=1)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
    outside = []
    page.on("request", lambda request: urlparse(request.url).hostname not in
            (None, "127.0.0.1") and request.url.startswith("http")
            and outside.append(request.url))
    shots = []
    for path, (title, metric, sql, unit) in PAGES.items():
        page.goto(f"{dashboard_url}/{path}")
        card = page.locator('[data-testid="stMetric"]', has_text=metric).first
        card.wait_for(timeout=30_000)
        assert title in page.locator("h1").first.inner_text()
        with open_published(sample.database) as con:
            figure = con.execute(sql).fetchone()[0] or 0
        expected = fmt.won(figure) if unit == "원" else fmt.count(figure, unit)
        shown = card.locator('[data-testid="stMetricValue"]').inner_text().strip()
        assert shown == expected, f"/{path}: {metric} shows {shown}, the marts say {expected}"
        assert not page.locator('[data-testid="stException"]').count(), f"/{path} raised"
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        if charts.count():
            page.locator('[data-testid="stVegaLiteChart"] svg.marks').first.wait_for(
                timeout=30_000)
        page.wait_for_timeout(500)
        name = SCREENSHOT_NAMES.get(path, path)
        shot = tmp_path / f"dashboard-{name}.png"
        if name in TALL_PAGES:
            # Streamlit scrolls inside its own container: a tall window shows the whole page
            page.set_viewport_size({"width": 1400, "height": TALL_PAGES[name]})
            page.wait_for_timeout(500)
        page.screenshot(path=str(shot), full_page=False)
        page.set_viewport_size({"width": 1400, "height": 1000})
        assert shot.stat().st_size > 10_000
        shots.append(shot)
    page.close()
    assert outside == [], f"the dashboard reached outside 127.0.0.1: {outside[:5]}"
    keep = os.environ.get("REMEDY_SCREENSHOTS_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copyfile(shot, Path(keep) / shot.name)
