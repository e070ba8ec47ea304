"""Every page on a phone (390×844), for every role: nothing wider than the screen, the navigation in a
menu, the filters in a drawer, the overview opening on what a leader wants first, a KPI's 口径 a tap away.

The session's demo warehouse served as in the other browser tests; each role signs in through the
form. Screenshots of every page as each role sees it on the phone go to
test-output/screenshots/phone_<role>_<page>.png (the whole page, scrolled).
"""
from __future__ import annotations

import pytest

from tests.builders.accounts import browser_context
from tests.builders.browser import DEFERRED_GRIDS, SETTLED, SHOTS, scroll_through
from tests.builders.demo import LOG_PERIOD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PAGES = {   # path -> (query, what shows the page has settled)
    "/": ("?period=last_week", SETTLED),
    "/briefing": ("", "() => document.querySelector('#briefing-preview .tpd-brief-title') !== null"),
    "/staffing": ("?period=this_year", SETTLED),
    "/map": ("?period=this_year", SETTLED),
    "/incidents": ("?period=this_month", SETTLED),
    "/mediation": ("?period=this_quarter", SETTLED),
    "/satisfaction": ("?period=this_year", SETTLED),
    "/nominations": ("?period=this_year", SETTLED),
    "/data": ("?" + LOG_PERIOD, SETTLED),
    "/subscriptions": ("", "() => document.querySelector('#subscriptions-submit') !== null"),
    "/admin": ("?" + LOG_PERIOD, "() => (document.querySelector('#data-audit') || {innerText: ''}).innerText"
                                 ".includes('登录成功')"),
}
ROLE_PAGES = {
    "admin": list(PAGES),
    "leader": [p for p in PAGES if p not in ("/data", "/admin")],
    "opinion": ["/", "/satisfaction", "/nominations"],
    "publicity": [p for p in PAGES if p not in ("/data", "/admin")],
    "unit": [p for p in PAGES if p not in ("/data", "/admin")],
}

# What is wider than the screen, if anything: the widest elements that reach past its right edge.
TOO_WIDE = """() => {
    const w = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll('body *')).filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > w + 1 && getComputedStyle(el).position !== 'fixed';
    }).slice(0, 5).map(el => el.tagName + '#' + el.id + '.' + String(el.className).slice(0, 60)
                              + ' ' + Math.round(el.getBoundingClientRect().right));
}"""


def open_on_phone(context, url: str, settled: str):
    page = context.new_page()
    page.set_viewport_size(PHONE)
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.goto(url, wait_until="networkidle", timeout=60_000)
    try:
        page.wait_for_function(settled, timeout=60_000)
    except Exception as e:
        raise AssertionError(f"{url} did not settle: {console} {page.inner_text('body')[:500]}") from e
    page.wait_for_timeout(1200)   # Plotly draws, and phone.js moves the legends under the plots
    scroll_through(page)          # the grids below the fold are built as they come near
    return page, console


def shot_name(role: str, path: str) -> str:
    return f"phone_{role}_{path.strip('/') or 'overview'}.png"


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_every_page_fits_a_phone_screen_for_every_role(server, browser, accounts, role):
    context = browser_context(browser, server, accounts[role])
    SHOTS.mkdir(parents=True, exist_ok=True)
    wide = {}
    try:
        for path in ROLE_PAGES[role]:
            query, settled = PAGES[path]
            page, console = open_on_phone(context, server + path + query, settled)
            try:
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    wide[path] = (width, page.evaluate(TOO_WIDE))
                assert page.is_visible("#shell-toggler") and not page.is_visible("#shell-nav"), \
                    f"{path}: the navigation is not folded into a menu"
                if path not in ("/briefing", "/admin", "/data", "/subscriptions"):
                    assert page.is_visible("#filter-summary") and not page.is_visible("#filter-period"), \
                        f"{path}: the filters are not folded into their summary"
                page.screenshot(path=str(SHOTS / shot_name(role, path)), full_page=True)
                assert console == [], f"{path}: browser console not empty: {console}"
            finally:
                page.close()
    finally:
        context.close()
    assert wide == {}, f"pages wider than the phone's 390 px: {wide}"


def test_the_menu_opens_on_its_toggler_and_takes_the_leader_to_a_page(server, browser, accounts):
    context = browser_context(browser, server, accounts["leader"])
    try:
        page, console = open_on_phone(context, server + "/?period=last_week", SETTLED)
        assert page.evaluate("document.querySelector('.tpd-navbar').getBoundingClientRect().height") < 80
        page.click("#shell-toggler")
        page.wait_for_selector("#shell-nav a[href^='/incidents']", state="visible", timeout=10_000)
        page.click("#shell-nav a[href^='/incidents']")
        page.wait_for_url("**/incidents**", timeout=30_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.wait_for_selector("#shell-nav", state="hidden", timeout=10_000)
        assert console == []
    finally:
        context.close()


def kpi_words(page) -> str:
    return page.inner_text("#overview-kpis")


def test_the_drawer_changes_the_period_and_the_figures_follow(server, browser, accounts):
    context = browser_context(browser, server, accounts["leader"])
    try:
        page, console = open_on_phone(context, server + "/?period=last_week", SETTLED)
        before, summary = kpi_words(page), page.inner_text("#filter-summary")
        assert "上周" in summary and "2026-11-16 至 2026-11-22" in summary and "全市" in summary
        page.click("#filter-summary")
        page.wait_for_selector("#filter-period", state="visible", timeout=10_000)
        page.wait_for_timeout(400)   # the drawer slides in
        page.screenshot(path=str(SHOTS / "phone_drawer_open.png"))
        page.select_option("#filter-period", "this_month")
        page.wait_for_url("**period=this_month**", timeout=30_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.wait_for_function("(before) => document.querySelector('#overview-kpis').innerText !== before",
                               arg=before, timeout=30_000)
        assert "本月" in page.inner_text("#filter-summary") and "2026-11-01" in page.inner_text("#filter-summary")
        assert not page.is_visible("#filter-period"), "the drawer closes on the new view"
        assert kpi_words(page) != before
        assert console == []
    finally:
        context.close()


def test_the_overview_opens_on_headlines_alerts_and_what_is_below_target_on_a_phone_only(server, browser, accounts):
    context = browser_context(browser, server, accounts["leader"])
    try:
        page, console = open_on_phone(context, server + "/?period=last_week", SETTLED)
        block = page.inner_text("#overview-phone")
        assert "本期要点" in block and "异常提醒" in block and "未达目标的单位和景区" in block
        assert "警情处置不过夜率" in block and "环比" in block
        top = page.evaluate("document.querySelector('#overview-phone').getBoundingClientRect().top")
        kpis = page.evaluate("document.querySelector('#overview-kpis').getBoundingClientRect().top")
        assert top < kpis < 10_000 and top < PHONE["height"], "the phone block comes first"
        page.click("#overview-phone a[href^='/incidents']")
        page.wait_for_url("**/incidents?period=last_week**", timeout=30_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(server + "/?period=last_week", wait_until="networkidle")
        page.wait_for_function(SETTLED, timeout=60_000)
        assert not page.is_visible("#overview-phone") and page.is_visible("#filter-period")
        assert page.is_visible("#shell-nav") and not page.is_visible("#shell-toggler")
        assert console == []
    finally:
        context.close()


def test_a_tap_on_a_kpi_shows_its_definition_and_links_to_its_records(server, browser, accounts):
    context = browser_context(browser, server, accounts["leader"])
    try:
        page, console = open_on_phone(context, server + "/incidents?period=this_month&lang=en", SETTLED)
        page.click("#incidents-kpi-0-info")
        page.wait_for_selector(".tpd-def", state="visible", timeout=10_000)
        words = page.inner_text(".tpd-def")
        assert "What it counts" in words and "tourism incident records" in words and "2026-11-01" in words
        box = page.evaluate("(() => { const r = document.querySelector('.tpd-def').getBoundingClientRect();"
                            " return [r.left, r.right]; })()")
        assert box[0] >= 0 and box[1] <= PHONE["width"], f"the popover leaves the screen: {box}"
        page.wait_for_timeout(400)   # the popover fades in
        page.screenshot(path=str(SHOTS / "phone_definition_en.png"))
        page.click(".tpd-def a")
        page.wait_for_url("**/incidents?period=this_month&lang=en#incidents-records", timeout=30_000)
        assert console == []
    finally:
        context.close()


def test_a_grid_below_the_fold_is_built_when_scrolled_to_not_at_first_render(server, browser, accounts):
    context = browser_context(browser, server, accounts["leader"])
    page = context.new_page()
    page.set_viewport_size(PHONE)
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    try:
        page.goto(server + "/?period=last_week", wait_until="networkidle", timeout=60_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.wait_for_timeout(1200)
        assert page.evaluate(DEFERRED_GRIDS) >= 1, "the overview's tables were built off screen"
        assert page.query_selector("#overview-units[data-tpd-grid-deferred] .ag-root") is None
        page.evaluate("document.querySelector('#overview-units').scrollIntoView({block: 'center'})")
        page.wait_for_selector("#overview-units .ag-row", timeout=30_000)
        names = page.eval_on_selector_all("#overview-units .ag-row [col-id='name']", "els => els.map(e => e.innerText)")
        assert names and all(n.strip() for n in names), f"the grid came without its rows: {names}"
        assert console == []
    finally:
        context.close()


def test_ag_grid_script_is_fetched_and_run_only_when_a_grid_comes_near_the_screen(server, browser, accounts):
    """dash-ag-grid's bundle is AG Grid itself (1.3 MB): a page whose grids are below the fold draws its
    charts without it, and loads it when a grid comes near; the stand-in declared to dash-renderer what
    the bundle's grid declares once it runs."""
    context = browser_context(browser, server, accounts["leader"])
    page = context.new_page()
    page.set_viewport_size(PHONE)
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    try:
        page.goto(server + "/incidents?period=this_month", wait_until="networkidle", timeout=60_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.wait_for_timeout(1200)
        assert not any("dash_ag_grid" in url for url in scripts)
        assert page.evaluate("window.tpdLazyGrid.loaded()") is False
        page.evaluate("document.querySelector('#incidents-enforcement').scrollIntoView({block: 'center'})")
        page.wait_for_selector("#incidents-enforcement .ag-row", timeout=30_000)
        assert sum("dash_ag_grid/dash_ag_grid." in url for url in scripts) == 1
        assert page.evaluate("""() => {
            const grid = window.tpdLazyGrid.bundled(), declared = window.tpdLazyGrid.declared;
            return Object.keys(declared).every(k => JSON.stringify(grid[k]) === JSON.stringify(declared[k]));
        }""")
    finally:
        context.close()


def test_a_card_title_with_a_count_beside_it_keeps_to_one_line(server, browser, accounts):
    """On a phone the count goes under the title when both do not fit on one line."""
    context = browser_context(browser, server, accounts["leader"])
    try:
        page, console = open_on_phone(context, server + "/mediation?period=custom&start=2024-12-01&end=2026-11-23",
                                      SETTLED)
        head = page.evaluate("""() => {
            const title = document.querySelector('#mediation-records-count').parentNode.querySelector('.tpd-card-title');
            const lineHeight = parseFloat(getComputedStyle(title).lineHeight);
            return Math.round(title.getBoundingClientRect().height / lineHeight);
        }""")
        assert head == 1, f"the title is squeezed to {head} lines"
        assert console == []
    finally:
        context.close()


# Each chart: its legend's box and the lowest of its x axes' labels and title, from the chart's top;
# what the phone changed in the browser's copy (dragmode off, the legend on the container's edge).
CHARTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
    const top = gd.getBoundingClientRect().top, svg = gd.querySelector('.main-svg').getBoundingClientRect();
    const bottoms = Array.from(gd.querySelectorAll('.xaxislayer-above text, [class*="xtitle"] text'))
        .map(n => n.getBoundingClientRect()).filter(b => b.height).map(b => b.bottom - top);
    const legend = gd.querySelector('.legend');
    const box = legend && legend.getBoundingClientRect();
    return {id: gd.parentNode.id, labels: Math.max(0, ...bottoms), height: svg.height,
            legend: box && box.height ? [box.top - top, box.bottom - top] : null,
            phone: gd.layout.dragmode === false || (gd.layout.legend || {}).yref === 'container'};
})"""


def test_a_chart_on_a_phone_is_drawn_once_with_its_legend_under_its_axis_labels(server, browser, accounts):
    context = browser_context(browser, server, accounts["leader"])
    try:
        page, console = open_on_phone(context, server + "/mediation?period=this_quarter", SETTLED)
        charts = page.evaluate(CHARTS)
        drawn = page.evaluate("window.tpdPhone")
        with_legend = [c for c in charts if c["legend"]]
        assert with_legend, "no chart with a legend to look at"
        for c in with_legend:
            assert c["legend"][0] >= c["labels"] - 1, f"{c['id']}: the legend overprints the axis labels: {c}"
            assert c["legend"][1] <= c["height"] + 1, f"{c['id']}: the legend runs out of the chart: {c}"
        assert all(c["phone"] for c in charts)
        assert drawn["fitted"] >= len(charts) and drawn["relayouts"] == 0, \
            f"charts drawn a second time after the first: {drawn}"
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(server + "/mediation?period=this_quarter", wait_until="networkidle")
        page.wait_for_function(SETTLED, timeout=60_000)
        assert not any(c["phone"] for c in page.evaluate(CHARTS)), "a desktop's charts are drawn as built"
        assert page.evaluate("window.tpdPhone")["fitted"] == 0
        assert console == []
    finally:
        context.close()


def test_a_chart_is_fitted_again_when_the_window_crosses_the_phone_width(server, browser, accounts):
    context = browser_context(browser, server, accounts["leader"])
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 844, "height": 390})          # a phone on its side
        page.goto(server + "/mediation?period=this_quarter", wait_until="networkidle")
        page.wait_for_function(SETTLED, timeout=60_000)
        assert not any(c["phone"] for c in page.evaluate(CHARTS))
        page.set_viewport_size(PHONE)                                   # turned upright
        page.wait_for_function(f"() => ({CHARTS})().every(c => c.phone)", timeout=20_000)
        page.set_viewport_size({"width": 844, "height": 390})          # and back
        page.wait_for_function(f"() => !({CHARTS})().some(c => c.phone)", timeout=20_000)
    finally:
        context.close()
