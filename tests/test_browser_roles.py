"""Each role in a real browser: signs in through the form and sees exactly what it may see.

One account per role (tests.fixtures.accounts) on a server of the session's demo
warehouse. For each role: the navbar lists exactly its pages, a page it may
not open is refused by the server even when typed into the address bar
(a 403 in the app's own look: its navbar, the refusal, the way back),
publicity sees charts but no record-level tables, a unit commander sees only
their own unit's subtree (named for their unit where the city would be), the
administrator reads the audit log on the data page; signing out ends the session. The console stays empty throughout (the
Content-Security-Policy included).
"""
from __future__ import annotations

import time

import duckdb
import pytest

from tests.builders.accounts import PASSWORD, browser_context
from tests.builders.browser import SETTLED, SHOTS, scroll_through
from tests.builders.demo import LOG_PERIOD

pytestmark = pytest.mark.browser

ALL = {"/", "/briefing", "/staffing", "/map", "/incidents", "/mediation", "/satisfaction", "/nominations", "/data",
       "/subscriptions"}
ANALYTIC = ALL - {"/data"}
NAV = {
    "admin": ALL,
    "leader": ANALYTIC,
    "opinion": {"/", "/satisfaction", "/nominations"},
    "publicity": ANALYTIC,
    "unit": ANALYTIC,
}
REFUSED = {"admin": None, "leader": "/data", "opinion": "/incidents", "publicity": "/data", "unit": "/data"}


def watch(page) -> list[str]:
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    return console


def settle(page, url: str) -> None:
    page.goto(url, wait_until="networkidle", timeout=60_000)
    page.wait_for_function(SETTLED, timeout=60_000)
    page.wait_for_timeout(600)
    scroll_through(page)   # the grids below the fold are built as they come near


def nav_paths(page) -> set[str]:
    hrefs = page.eval_on_selector_all("#shell-nav a", "els => els.map(e => e.getAttribute('href'))")
    return {h.split("?")[0] for h in hrefs}


def unit_names(db_path, unit: str, inside: bool) -> set[str]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute(
            f"select unit_name from units where unit_code {'' if inside else 'not'} in "
            "(select unit_code from unit_closure where ancestor_code = $u)", {"u": unit}).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def unit_names_below(db_path, unit: str) -> set[str]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("select unit_name from units where unit_code in "
                           "(select unit_code from unit_closure where ancestor_code = $u) and unit_code <> $u",
                           {"u": unit}).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def unit_codes(db_path, unit: str) -> set[str]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {r[0] for r in con.execute("select unit_code from unit_closure where ancestor_code = $u",
                                          {"u": unit}).fetchall()}
    finally:
        con.close()


def test_the_sign_in_page_is_all_a_stranger_gets(server, browser):
    context = browser.new_context()
    page = context.new_page()
    console = watch(page)
    try:
        page.goto(server + "/incidents?period=this_year", wait_until="load")
        assert "/login" in page.url and "next=" in page.url
        assert page.locator("#username").count() == 1 and page.locator("#password").count() == 1
        assert console == []
    finally:
        context.close()


def test_the_sign_in_form_takes_a_user_where_they_were_going(server, browser, accounts):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    console = watch(page)
    try:
        page.goto(server + "/incidents?period=this_year", wait_until="load")
        page.fill("#username", accounts["leader"].username)
        page.fill("#password", accounts["leader"].password)
        with page.expect_navigation(url="**/incidents?period=this_year", wait_until="load", timeout=60_000):
            page.click("button[type=submit]")
        page.wait_for_function(SETTLED, timeout=60_000)
        assert accounts["leader"].username in page.inner_text("#shell-user")
        assert console == [], console
    finally:
        context.close()


@pytest.mark.parametrize("role", list(NAV))
def test_each_role_sees_exactly_its_pages(server, browser, accounts, role):
    context = browser_context(browser, server, accounts[role])
    page = context.new_page()
    console = watch(page)
    try:
        settle(page, server + "/?period=last_week")
        assert nav_paths(page) == NAV[role]
        assert accounts[role].username in page.inner_text("#shell-user")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"role_{role}.png"))  # the overview as this role sees it
        refused = REFUSED[role]
        if refused:
            response = page.goto(server + refused, wait_until="load")
            assert response.status == 403
            assert "无权打开此页面" in page.inner_text("body")
            # The app's look: its navbar with the role's own pages, and the way back.
            assert nav_paths(page) == NAV[role] and page.locator(".tpd-refused a[href='/']").count() == 1
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"role_{role}_refused.png"))
            page.goto(server + refused + "?lang=en", wait_until="load")
            assert "may not open this page" in page.inner_text("body") and "Overview" in page.inner_text("nav")
        assert [c for c in console if "403" not in c] == [], console
    finally:
        context.close()


def test_publicity_sees_charts_but_no_record_tables(server, browser, accounts):
    context = browser_context(browser, server, accounts["publicity"])
    page = context.new_page()
    console = watch(page)
    try:
        for path, grid in (("/incidents", "#incidents-records"), ("/mediation", "#mediation-records"),
                           ("/satisfaction", "#satisfaction-comments")):
            settle(page, f"{server}{path}?period=this_year")
            assert page.locator(grid).count() == 0, f"{path}: record table shown to publicity"
            assert "明细记录不向您的角色" in page.inner_text("body")
            points = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
                .reduce((n, el) => n + (el.calcdata || []).reduce((m, cd) => m + (cd || []).length, 0), 0)""")
            assert points > 0, f"{path}: no chart data for publicity"
        assert console == []
    finally:
        context.close()


def test_a_unit_commander_sees_only_their_subtree(server, browser, accounts, demo_db):
    unit = accounts["unit"].unit
    context = browser_context(browser, server, accounts["unit"])
    page = context.new_page()
    console = watch(page)
    try:
        settle(page, server + "/?period=this_year")
        grid_names = set(page.eval_on_selector_all(
            "#overview-units .ag-row [col-id='name']", "els => els.map(e => e.innerText.trim())"))
        inside, outside = unit_names(demo_db, unit, True), unit_names(demo_db, unit, False)
        assert grid_names, "no units listed"
        assert not grid_names & outside, f"other units shown: {grid_names & outside}"
        own = unit_names(demo_db, unit, True) - unit_names_below(demo_db, unit)
        bar = page.inner_text(".tpd-filter-bar")
        assert "全市" not in bar and own <= set(page.inner_text(".breadcrumb").split()), bar
        page.click("#filter-unit")
        page.wait_for_selector("[role=option]", timeout=10_000)
        options = set(page.eval_on_selector_all("[role=option] input", "els => els.map(e => e.value)"))
        assert options and options <= unit_codes(demo_db, unit)
        page.keyboard.press("Escape")
        body = page.inner_text("body")
        assert not any(name in body for name in outside - {""} if len(name) > 3), "another unit's name is shown"
        settle(page, server + "/staffing?period=this_year")
        assert not any(name in page.inner_text("body") for name in outside if len(name) > 3)
        assert console == []
    finally:
        context.close()


def test_the_admin_reads_the_audit_log_and_the_users(server, browser, accounts):
    context = browser_context(browser, server, accounts["admin"])
    page = context.new_page()
    console = watch(page)
    try:
        # The audit log and the users moved from /data to /admin, a page without charts to wait for.
        page.goto(server + "/admin?" + LOG_PERIOD, wait_until="networkidle", timeout=60_000)
        # Scrolled to until the grid is built (below the fold it waits for that) and shows the sign-in.
        page.wait_for_function("""() => { const el = document.querySelector('#data-audit');
            if (!el) return false;
            el.scrollIntoView({block: 'center'});
            return el.innerText.includes('登录成功'); }""", timeout=30_000)
        scroll_through(page)   # the users' grid too
        audit = page.inner_text("#data-audit")
        assert "登录成功" in audit and accounts["admin"].username in audit
        users = page.inner_text("#data-users")
        assert all(a.username in users for a in accounts.values())
        assert console == []
    finally:
        context.close()


def test_signing_out_ends_the_session(server, browser, accounts):
    context = browser_context(browser, server, accounts["leader"])
    page = context.new_page()
    try:
        settle(page, server + "/?period=last_week")
        with page.expect_navigation(wait_until="load"):
            page.click("#shell-signout")
        assert "/login" in page.url and "已退出登录" in page.inner_text("body")
        page.goto(server + "/", wait_until="load")
        assert "/login" in page.url
    finally:
        context.close()


def test_a_page_open_when_the_user_is_disabled_goes_to_sign_in(server, browser, users_db):
    from dashboard.auth import sessions, store
    from tests.builders.accounts import Account
    store.add("t-gone", "leader", password=PASSWORD, must_change=False, actor="tests", db=users_db)
    context = browser_context(browser, server, Account("t-gone", PASSWORD, "leader"))
    page = context.new_page()
    try:
        settle(page, server + "/?period=last_week")
        store.set_disabled("t-gone", True, actor="tests", db=users_db)
        time.sleep(sessions.CHECK_SECONDS + 0.1)   # the server may answer from what it learnt a second ago
        page.select_option("#filter-period", "this_month")
        page.wait_for_url("**/login**", timeout=30_000)
        assert "登录已过期" in page.inner_text("body") and "next=" in page.url
    finally:
        context.close()
