"""Every page in a real headless Chromium: loads from a URL with filters, shows data, no console errors.

The dashboard runs as a subprocess on the session's demo warehouse (today
pinned to 2026-11-23), signed in as the administrator through the sign-in
form; Playwright drives the system Chromium (no browser download). Each
test loads a page with filters in its query string, waits
for the callbacks to settle, asserts that its charts hold data and that the
browser console is empty, and saves a screenshot to test-output/screenshots/.
"""
from __future__ import annotations

import json

import pytest

from tests.builders.accounts import browser_context
from tests.builders.browser import SETTLED, SHOTS, scroll_through
from tests.builders.demo import LOG_PERIOD

pytestmark = pytest.mark.browser

# (page, path, query with filters, text that must appear)
PAGES = [
    ("overview", "/", "?period=last_week", "警情处置不过夜率"),
    ("overview_en_unit", "/", "?period=this_month&lang=en&unit={unit}", "Closed the same day"),
    ("staffing", "/staffing", "?period=this_year", "辅警"),
    ("map", "/map", "?period=this_year", "警力与人流地图"),
    ("incidents", "/incidents", "?period=custom&start=2026-10-01&end=2026-10-31", "涉旅警情"),
    ("mediation", "/mediation", "?period=this_quarter", "调解"),
    ("satisfaction", "/satisfaction", "?period=this_year&season=旺季", "满意率"),
    ("nominations", "/nominations", "?period=this_year", "有效票"),
    ("data", "/data", "?" + LOG_PERIOD, "隔离"),
]

# Points Plotly actually computed (calcdata), whatever form the data was sent in.
CHART_DATA = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => {
    const calc = el.calcdata || [];
    const points = calc.reduce((n, cd) => n + (cd || []).filter(p => p && !p.empty).length, 0);
    const title = (el.layout && el.layout.title && el.layout.title.text) || el.id || '';
    return {id: el.id, title: title, traces: (el.data || []).length, points: points};
})"""


@pytest.fixture(scope="module")
def admin(browser, server, accounts):
    """A browser context signed in as the administrator, who may open every page."""
    context = browser_context(browser, server, accounts["admin"])
    yield context
    context.close()


def open_page(context, url: str):
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.goto(url, wait_until="networkidle", timeout=60_000)
    page.wait_for_function(SETTLED, timeout=60_000)
    page.wait_for_timeout(800)  # let Plotly finish drawing after the last callback
    scroll_through(page)        # the grids below the fold are built as they come near
    return page, console


def full_screenshot(page, path) -> None:
    """The whole page as a person scrolling it sees it. Playwright's full_page capture paints
    beyond the viewport without laying out there, so ag-grid's rows below the fold come out
    blank; a window as tall as the page shows them."""
    width = page.viewport_size["width"]
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(600)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 900})


def a_unit_code(db_path) -> str:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("select unit_code from units where unit_level = '景区分局' order by 1 limit 1").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("name,path,query,expected", PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_data_with_an_empty_console(server, admin, demo_db, name, path, query, expected):
    url = server + path + query.format(unit=a_unit_code(demo_db))
    page, console = open_page(admin, url)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        full_screenshot(page, SHOTS / f"{name}.png")
        charts = page.evaluate(CHART_DATA)
        assert charts, f"{url}: no charts"
        assert any(c["points"] > 0 for c in charts), f"{url}: no chart holds data: {charts}"
        assert expected in page.inner_text("body"), f"{url}: '{expected}' not shown"
        assert console == [], f"{url}: browser console not empty: {console}"
    finally:
        page.close()


def test_filters_survive_a_reload_of_the_url(server, admin, demo_db):
    unit = a_unit_code(demo_db)
    url = f"{server}/?period=custom&start=2026-10-01&end=2026-10-07&unit={unit}"
    page, console = open_page(admin, url)
    try:
        first = page.inner_text(".tpd-filter-bar")
        page.reload(wait_until="networkidle")
        page.wait_for_function(SETTLED, timeout=60_000)
        assert page.inner_text(".tpd-filter-bar") == first
        assert "2026-10-01" in first and "2026-10-07" in first
        assert page.url.endswith(f"unit={unit}") or f"unit={unit}" in page.url
        assert console == []
    finally:
        page.close()


def test_changing_a_filter_rewrites_the_url_and_the_view(server, admin):
    page, console = open_page(admin, f"{server}/?period=last_week")
    try:
        page.select_option("#filter-period", "this_month")
        page.wait_for_url("**period=this_month**", timeout=30_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        assert "2026-11-01" in page.inner_text(".tpd-filter-bar")
        assert console == []
    finally:
        page.close()


def callback_answers(page) -> list:
    """What each of the page's callback requests answered, from now on: (outputs, whether it updated anything)."""
    answers = []

    def record(response):
        if "/_dash-update-component" in response.url:
            body = response.body() if response.status == 200 else b"{}"
            answers.append((response.request.post_data_json.get("output"), bool(json.loads(body).get("response"))))
    page.on("response", record)
    return answers


@pytest.mark.parametrize("path", ["/", "/staffing", "/incidents", "/mediation", "/satisfaction", "/nominations",
                                  "/map", "/data"])
def test_a_page_first_render_sends_no_callback_request_that_changes_nothing(server, admin, path):
    """The callbacks that rewrite the URL are not called when the page is inserted: each was a request
    answered with nothing at every first render."""
    page = admin.new_page()
    try:
        answers = callback_answers(page)
        page.goto(f"{server}{path}?period=this_year", wait_until="networkidle", timeout=60_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.wait_for_timeout(800)
        assert answers and all(updated for _, updated in answers), [o for o, updated in answers if not updated]
    finally:
        page.close()


def test_a_click_on_a_chart_narrows_the_url_and_back_and_forward_walk_through_the_views(server, admin):
    page, console = open_page(admin, f"{server}/incidents?period=this_year")
    try:
        box = page.locator("#incidents-category .point path").first.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_url("**category=**", timeout=30_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        narrowed = page.url
        assert "period=this_year" in narrowed
        assert page.locator(".tpd-incidents-chip").count() == 1
        page.go_back()
        page.wait_for_url(f"{server}/incidents?period=this_year", timeout=30_000)
        page.wait_for_function("() => !document.querySelector('.tpd-incidents-chip')", timeout=30_000)
        page.go_forward()
        page.wait_for_url(narrowed, timeout=30_000)
        page.wait_for_selector(".tpd-incidents-chip", timeout=30_000)
        assert console == []
    finally:
        page.close()


def test_back_after_a_filter_change_returns_to_the_view_before(server, admin):
    page, console = open_page(admin, f"{server}/?period=last_week")
    try:
        page.select_option("#filter-period", "this_month")
        page.wait_for_url("**period=this_month**", timeout=30_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.go_back()
        page.wait_for_url(f"{server}/?period=last_week", timeout=30_000)
        page.wait_for_function("() => document.querySelector('#filter-period').value === 'last_week'",
                               timeout=30_000)
        assert "2026-11-16" in page.inner_text(".tpd-filter-bar")
        assert console == []
    finally:
        page.close()


def test_english_switch_translates_the_shell(server, admin):
    page, console = open_page(admin, f"{server}/?period=last_week")
    try:
        page.click("#shell-lang")
        page.wait_for_url("**lang=en**", timeout=30_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.wait_for_timeout(500)
        assert "Overview" in page.inner_text("nav")
        assert console == []
    finally:
        page.close()


def test_a_chart_a_table_and_a_page_pack_download_from_their_export_menus(server, admin):
    """Click 导出 on a chart, its grid and the page's 宣传素材包: each downloads a finished file,
    and the links follow the filters when they change."""
    import csv
    import io
    import zipfile

    from PIL import Image

    page, console = open_page(admin, f"{server}/incidents?period=custom&start=2026-10-01&end=2026-10-31")
    try:
        page.click("#incidents-category-export button")
        with page.expect_download(timeout=60_000) as info:
            page.click("#incidents-category-export-wechat-png")
        download = info.value
        assert download.failure() is None
        assert download.suggested_filename == "警情类别_2026-10-01至2026-10-31_微信公众号.png"
        image = Image.open(download.path())
        assert image.width == 1080 and image.height > 500

        page.click("#incidents-records-export button")
        with page.expect_download(timeout=60_000) as info:
            page.click("#incidents-records-export-csv")
        data = open(info.value.path(), "rb").read()
        assert info.value.suggested_filename.endswith(".csv") and data.startswith(b"\xef\xbb\xbf")
        header = next(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
        assert header[:2] == ["警情编号", "接警时间"]

        page.click("#incidents-pack button")
        page.evaluate(RECORD_DOWNLOAD_STATUS)
        with page.expect_download(timeout=60_000) as info:
            page.click("#incidents-pack-wechat")
        names = zipfile.ZipFile(info.value.path()).namelist()
        assert sum(n.endswith(".png") for n in names) == 7 and "说明.txt" in names
        # While the pack was prepared the page said so; once it arrived the box went away.
        seen = page.evaluate("() => window.tpdStatusSeen")
        assert any(text.startswith("正在生成… 宣传素材包 · 微信公众号（PNG）") for text in seen), seen
        page.wait_for_function("() => document.getElementById('tpd-download-status').style.display === 'none'",
                               timeout=10_000)

        page.select_option("#filter-period", "this_year")
        page.wait_for_url("**period=this_year**", timeout=30_000)
        page.wait_for_function(
            "() => (document.querySelector('#incidents-category-export-print-pdf') || {}).href"
            " && document.querySelector('#incidents-category-export-print-pdf').href.includes('period=this_year')",
            timeout=30_000)
        assert console == []
    finally:
        page.close()


# Every text the download status box (assets/downloads.js) shows, however briefly.
RECORD_DOWNLOAD_STATUS = """() => {
    window.tpdStatusSeen = [];
    new MutationObserver(() => {
        const box = document.getElementById('tpd-download-status');
        if (box && box.textContent) window.tpdStatusSeen.push(box.textContent);
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


BRIEF_SETTLED = """() => {
    const loading = document.querySelector('[data-dash-is-loading="true"]');
    const sheet = document.querySelector('#briefing-preview');
    return !loading && sheet && sheet.querySelector('.tpd-brief-title') !== null;
}"""


def test_briefing_page_from_a_url_with_filters_shows_the_catalog_figures_and_downloads_them(
        server, admin, demo_db, tmp_path):
    import datetime as dt
    import io

    import docx

    from dashboard.model.filters import Filters, Scope
    from dashboard.queries.metrics import compute
    from tests.builders.warehouses import connect

    unit = a_unit_code(demo_db)
    query = f"?period=custom&start=2026-10-05&end=2026-10-11&unit={unit}"
    want = compute(connect(demo_db), Filters(dt.date(2026, 10, 5), dt.date(2026, 10, 11), unit=unit), Scope.city(),
                   ["incidents.total", "staff.tourism_police", "staff.auxiliary"])
    page = admin.new_page()
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    try:
        page.goto(server + "/briefing" + query, wait_until="networkidle", timeout=60_000)
        page.wait_for_function(BRIEF_SETTLED, timeout=60_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        full_screenshot(page, SHOTS / "briefing.png")
        assert "2026-10-05" in page.inner_text(".tpd-filter-bar") and "2026-10-11" in page.inner_text(".tpd-filter-bar")
        sheet = page.inner_text("#briefing-preview")
        assert "旅游警务工作周报" in sheet and "2026年第41周" in sheet
        assert f"共接报涉旅警情{want['incidents.total'].value}起" in sheet
        assert (f"共配备专兼职旅游警察{want['staff.tourism_police'].value}人、"
                f"辅警{want['staff.auxiliary'].value}人") in sheet
        from urllib.parse import parse_qs, urlsplit
        for link in ("#briefing-docx", "#briefing-pdf", "#briefing-print"):
            href = page.get_attribute(link, "href")
            assert parse_qs(urlsplit(href).query) == parse_qs(query[1:]), (link, href)
        with page.expect_download(timeout=60_000) as got:
            page.click("#briefing-docx")
        saved = tmp_path / got.value.suggested_filename
        got.value.save_as(saved)
        assert saved.suffix == ".docx" and "周报" in saved.name
        body = "\n".join(p.text for p in docx.Document(io.BytesIO(saved.read_bytes())).paragraphs)
        assert f"共接报涉旅警情{want['incidents.total'].value}起" in body
        with page.expect_download(timeout=90_000) as got:
            page.click("#briefing-pdf")
        pdf = tmp_path / got.value.suggested_filename
        got.value.save_as(pdf)
        assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
        assert console == [], f"browser console not empty: {console}"
    finally:
        page.close()


def test_briefing_page_in_english_and_its_print_view(server, admin):
    page, console = None, []
    page = admin.new_page()
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    try:
        page.goto(server + "/briefing?lang=en", wait_until="networkidle", timeout=60_000)
        page.wait_for_function(BRIEF_SETTLED, timeout=60_000)
        sheet = page.inner_text("#briefing-preview")
        assert "Tourism policing weekly briefing" in sheet and "Week 47 of 2026" in sheet
        assert "Briefing" in page.inner_text("nav")
        href = page.get_attribute("#briefing-print", "href")
        page.goto(server + href, wait_until="networkidle", timeout=60_000)
        assert page.inner_text("h1") == "Tourism policing weekly briefing"
        page.screenshot(path=str(SHOTS / "briefing_print_en.png"), full_page=True)
        assert console == [], f"browser console not empty: {console}"
    finally:
        page.close()
