"""Raw HTTP against a running dashboard: what a client can post is not what it gets.

A server of the session's demo warehouse with one account per role. These
tests talk to it as a script would, not as the page does: they post to the
Dash callback endpoint (`/_dash-update-component`) directly, as a unit
commander asking for another unit's data, with values no page ever sends,
as publicity asking for record-level rows, and as a stranger. Every answer
is the user's own data or a refusal with a bilingual message; never another
unit's figures, never a 500.
"""
from __future__ import annotations

import json
import re
import sqlite3
import time

import duckdb
import pytest
import requests

from tests.builders.accounts import PASSWORD, Account, csrf_from, http_session
from tests.builders.demo import LOG_PERIOD

CALLBACK = "/_dash-update-component"


# ---- helpers ------------------------------------------------------------------------------------

def outputs_of(output: str):
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    specs = []
    for part in parts:
        cid, _, prop = part.rpartition(".")
        specs.append({"id": cid, "property": prop})
    return specs if output.startswith("..") else specs[0]


def body(output: str, inputs: list[tuple[str, str, object]], state: list[tuple[str, str, object]] = ()) -> dict:
    return {"output": output, "outputs": outputs_of(output),
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs[:1]]}


def view_body(output: str, store: str, search: object) -> dict:
    return body(output, [(store, "data", search)])


def post(session, payload) -> requests.Response:
    return session.post(session.base + CALLBACK, json=payload, timeout=120)


@pytest.fixture(scope="module")
def sessions(server, accounts):
    out = {}
    for role, account in accounts.items():
        s = http_session(server, account)
        s.base = server
        out[role] = s
    return out


@pytest.fixture(scope="module")
def dependencies(sessions):
    return sessions["admin"].get(sessions["admin"].base + "/_dash-dependencies", timeout=60).json()


def subtree(db_path, unit: str) -> tuple[set[str], set[str]]:
    """(codes, names) of `unit` and every unit below it."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("select u.unit_code, u.unit_name from units u join unit_closure c using (unit_code) "
                           "where c.ancestor_code = $u", {"u": unit}).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}, {r[1] for r in rows}


def sibling_of(db_path, unit: str) -> str:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("select unit_code from units where unit_level = '景区分局' and unit_code <> $u "
                           "order by 1 limit 1", {"u": unit}).fetchone()[0]
    finally:
        con.close()


def area_of(db_path, unit: str) -> str:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("select area_code from scenic_areas where unit_code in "
                           "(select unit_code from unit_closure where ancestor_code = $u) order by 1 limit 1",
                           {"u": unit}).fetchone()[0]
    finally:
        con.close()


def assert_refused(response, status=400):
    assert response.status_code == status, (response.status_code, response.text[:300])
    payload = response.json()
    assert payload["zh"] and payload["en"] and payload["status"] == status
    return payload


# ---- strangers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/incidents?period=this_year", "/data", "/download/chart.png",
                                  "/some/route/added/later"])
def test_every_page_sends_a_stranger_to_sign_in(server, path):
    r = requests.get(server + path, allow_redirects=False, headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies", "/assets/tpd.css",
                                  "/_dash-component-suites/dash/dcc/dash_core_components.js"])
def test_every_resource_is_closed_to_a_stranger(server, path):
    r = requests.get(server + path, allow_redirects=False, timeout=30)
    assert r.status_code == 401 and r.json()["en"] == "please sign in first"


def test_a_stranger_cannot_call_a_callback(server):
    r = requests.post(server + CALLBACK, json=view_body("overview-kpis.children", "overview-view", "?"), timeout=30)
    assert_refused(r, 401)


def test_only_the_sign_in_page_and_its_styles_are_open(server):
    for path in ("/login", "/assets/00_bootstrap.min.css", "/assets/auth.css", "/_favicon.ico"):
        assert requests.get(server + path, timeout=30).status_code == 200, path


# ---- sign-in ------------------------------------------------------------------------------------

def test_sign_in_needs_the_forms_csrf_token(server, accounts):
    s = requests.Session()
    s.get(server + "/login", timeout=30)
    r = s.post(server + "/login", data={"username": accounts["leader"].username, "password": PASSWORD},
               allow_redirects=False, timeout=30)
    assert r.status_code == 400 and "tpd_session" not in r.headers.get("Set-Cookie", "") or "u" not in s.cookies
    assert s.get(server + "/_dash-layout", timeout=30).status_code == 401


def test_a_session_cookie_is_httponly_and_samesite_and_changes_at_sign_in(server, accounts):
    s = requests.Session()
    form = s.get(server + "/login", timeout=30)
    before = s.cookies.get("tpd_session")
    r = s.post(server + "/login", data={"username": accounts["leader"].username, "password": PASSWORD,
                                        "csrf_token": csrf_from(form.text)}, allow_redirects=False, timeout=30)
    cookie = next(c for c in r.headers["Set-Cookie"].split(", tpd") if "session=" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert s.cookies.get("tpd_session") != before
    assert s.cookies.get("_csrf_token") != csrf_from(form.text)  # a fresh token after sign-in


def test_next_never_leaves_the_site(server, accounts):
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        s = requests.Session()
        form = s.get(server + "/login", timeout=30)
        r = s.post(server + "/login", data={"username": accounts["leader"].username, "password": PASSWORD,
                                            "csrf_token": csrf_from(form.text), "next": target},
                   allow_redirects=False, timeout=30)
        assert r.status_code == 303 and r.headers["Location"] == "/", target


def test_repeated_failures_lock_the_name_even_for_the_right_password(server, users_db):
    from dashboard.auth import store
    store.add("t-locked", "leader", password=PASSWORD, must_change=False, actor="tests", db=users_db)
    s = requests.Session()
    for _ in range(store.MAX_FAILURES):
        form = s.get(server + "/login", timeout=30)
        r = s.post(server + "/login", data={"username": "t-locked", "password": "wrong-password-1",
                                            "csrf_token": csrf_from(form.text)}, timeout=30)
        assert r.status_code == 401 and "用户名或密码不正确" in r.text
    form = s.get(server + "/login", timeout=30)
    r = s.post(server + "/login", data={"username": "t-locked", "password": PASSWORD,
                                        "csrf_token": csrf_from(form.text)}, allow_redirects=False, timeout=30)
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    con = sqlite3.connect(users_db)
    events = [e for (e,) in con.execute("select event from audit_log where target = 't-locked' order by id")]
    assert events == ["user.added"] + ["signin.failed"] * store.MAX_FAILURES + ["signin.locked"]


# ---- headers ------------------------------------------------------------------------------------

def test_headers_forbid_framing_and_foreign_scripts_and_show_no_server_banner(sessions):
    r = sessions["leader"].get(sessions["leader"].base + "/", timeout=60)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert "'unsafe-eval'" not in script_src and "'unsafe-inline'" not in script_src
    assert "'sha256-" in script_src
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    assert "Server" not in r.headers
    assert "Server" not in requests.get(sessions["leader"].base + "/login", timeout=30).headers


def test_a_callback_without_the_csrf_header_is_refused(sessions):
    s = sessions["leader"]
    r = requests.post(s.base + CALLBACK, json=view_body("overview-kpis.children", "overview-view", "?"),
                      cookies=s.cookies, timeout=30)
    assert_refused(r, 403)


# ---- pages and callbacks by role ----------------------------------------------------------------

def test_a_page_the_role_may_not_open_is_refused_by_url_by_router_and_by_callback(sessions):
    s = sessions["opinion"]
    assert s.get(s.base + "/incidents", timeout=30).status_code == 403
    routed = post(s, body(".._pages_content.children..._pages_store.data..",
                          [("_pages_location", "pathname", "/incidents"), ("_pages_location", "search", "")]))
    assert routed.status_code == 200
    content = json.dumps(routed.json(), ensure_ascii=False)
    assert "tpd-refused" in content and "incidents-kpis" not in content
    assert_refused(post(s, view_body("incidents-kpis.children", "incidents-view", "?period=this_year")), 403)
    assert post(s, view_body("satisfaction-trend.figure", "satisfaction-view", "?period=this_year")).status_code == 200


def test_a_refused_page_is_a_403_in_the_apps_look_with_only_the_roles_pages(sessions):
    s = sessions["unit"]
    r = s.get(s.base + "/data?lang=en", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 403 and r.headers["Content-Type"].startswith("text/html")
    assert "may not open this page" in r.text and "tpd-navbar" in r.text and "/assets/tpd.css" in r.text
    nav = re.findall(r'class="tpd-navlink nav-link" href="([^"]+)"', r.text)
    assert "/incidents?lang=en" in nav and not any(h.startswith("/data") for h in nav)
    assert "<script" not in r.text and "data-log" not in r.text
    zh = s.get(s.base + "/data", headers={"Accept": "text/html"}, timeout=30)
    assert zh.status_code == 403 and "无权打开此页面" in zh.text and "返回总览" in zh.text


def test_an_unknown_address_is_a_404_page_for_every_role(sessions):
    for role in ("opinion", "unit", "admin"):
        routed = post(sessions[role], body(".._pages_content.children..._pages_store.data..",
                                           [("_pages_location", "pathname", "/no/such/page"),
                                            ("_pages_location", "search", "?lang=en")]))
        content = json.dumps(routed.json(), ensure_ascii=False)
        assert routed.status_code == 200 and "Page not found" in content and "may not open" not in content, role


def test_only_admins_reach_the_data_page_callbacks(sessions):
    payload = view_body("..data-log.columnDefs...data-log.rowData...data-totals.children..", "data-view",
                        "?period=this_year")
    for role in ("leader", "opinion", "publicity", "unit"):
        assert_refused(post(sessions[role], payload), 403)
    assert post(sessions["admin"], payload).status_code == 200


def test_a_unit_user_asking_for_another_units_data_gets_a_refusal(sessions, accounts, demo_db):
    s, own = sessions["unit"], accounts["unit"].unit
    other = sibling_of(demo_db, own)
    for output, store in (("overview-kpis.children", "overview-view"),
                          ("..incidents-records.rowData...incidents-records-count.children..", "incidents-view"),
                          ("..staffing-tree.figure...staffing-tree.style..", "staffing-view")):
        for search in (f"?period=this_year&unit={other}", f"?period=this_year&area={area_of(demo_db, other)}",
                       f"?period=this_year&unit={own}&unit={other}"):
            r = post(s, view_body(output, store, search))
            payload = assert_refused(r)
            assert other not in json.dumps(payload) or "unit=" in payload["en"] or "area=" in payload["en"]


def test_a_unit_user_gets_only_their_own_units(sessions, accounts, demo_db):
    s, own = sessions["unit"], accounts["unit"].unit
    codes, names = subtree(demo_db, own)
    lagging = post(s, view_body("..overview-units.columnDefs...overview-units.rowData...overview-areas.columnDefs"
                                "...overview-areas.rowData..", "overview-view", "?period=this_year"))
    assert lagging.status_code == 200
    rows = lagging.json()["response"]["overview-units"]["rowData"]
    assert rows and {r["key"] for r in rows} - {"#rest"} <= codes
    records = post(s, view_body("..incidents-records.rowData...incidents-records-count.children..",
                                "incidents-view", "?period=this_year")).json()
    records = records["response"]["incidents-records"]["rowData"]
    assert records and {r["unit_name"] for r in records} <= names
    city = post(sessions["leader"], view_body("..incidents-records.rowData...incidents-records-count.children..",
                                              "incidents-view", "?period=this_year"))
    assert {r["unit_name"] for r in city.json()["response"]["incidents-records"]["rowData"]} - names


def test_a_unit_users_drill_click_on_another_unit_changes_nothing(sessions, accounts, demo_db):
    s, own = sessions["unit"], accounts["unit"].unit
    other = sibling_of(demo_db, own)
    output = next(d["output"] for d in sessions["admin"].get(s.base + "/_dash-dependencies").json()
                  if d["inputs"][0]["id"] == "overview-units")
    r = post(s, body(output, [("overview-units", "cellClicked", {"rowId": other}),
                              ("overview-areas", "cellClicked", None)],
                     [("overview-view", "data", "?period=this_year")]))
    assert r.status_code in (200, 204) and other not in r.text  # no update: the click is ignored
    assert "response" not in r.text or r.json()["response"] == {}


# ---- untrusted input ----------------------------------------------------------------------------

BAD_VIEWS = [
    {"period": "this_year"},                          # not text
    ["?period=this_year"],
    12,
    "?period=forever",
    "?period=custom&start=0001-01-01&end=0001-12-31",
    "?period=custom&start=2026-01-01&end=9999-12-31",
    "?period=custom&start=2026-02-30&end=2026-03-01",
    "?period=custom",
    "?unit=' or 1=1 --",
    "?area=A01%27%3B%20drop%20table%20incidents%3B--",
    "?season=盛夏",
    "?lang=fr",
    "?category=DROP TABLE incidents",
    "?period=this_year&period=last_week",
    "?evil=1",
    "?q=" + "x" * 150,
    "?" + "&".join(f"k{i}=v" for i in range(50)),
    "?period=" + "a" * 5000,
]


@pytest.mark.parametrize("search", BAD_VIEWS, ids=[str(v)[:40] for v in BAD_VIEWS])
def test_a_view_no_page_would_send_is_refused_with_a_bilingual_message(sessions, search):
    r = post(sessions["leader"], view_body("incidents-kpis.children", "incidents-view", search))
    assert_refused(r, 400)


BAD_BODIES = [
    ("not json", None),
    ("unknown callback", {"output": "nothing.children", "outputs": {"id": "nothing", "property": "children"},
                          "inputs": []}),
    ("clientside", {"output": "_pages_dummy.children"}),
    ("missing inputs", {**view_body("incidents-kpis.children", "incidents-view", "?"), "inputs": []}),
    ("another input", body("incidents-kpis.children", [("overview-view", "data", "?")])),
    ("outputs of another", {**view_body("incidents-kpis.children", "incidents-view", "?"),
                            "outputs": {"id": "overview-kpis", "property": "children"}}),
    ("outputs not a list", {**view_body("..incidents-records.rowData...incidents-records-count.children..",
                                        "incidents-view", "?"), "outputs": {"id": "incidents-records"}}),
    ("changed ids not text", {**view_body("incidents-kpis.children", "incidents-view", "?"), "changedPropIds": [1]}),
    ("inputs not a list", {**view_body("incidents-kpis.children", "incidents-view", "?"), "inputs": "x"}),
]


@pytest.mark.parametrize("name,payload", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_a_malformed_callback_request_is_refused_not_a_500(sessions, name, payload):
    s = sessions["leader"]
    if payload is None:
        r = s.post(s.base + CALLBACK, data="{not json", headers={"Content-Type": "application/json"}, timeout=30)
    else:
        r = post(s, payload)
    assert_refused(r, 400)


def test_click_data_of_the_wrong_shape_is_refused_not_a_500(sessions, dependencies):
    s = sessions["admin"]
    for spec in dependencies:
        if spec.get("clientside_function") or not spec["inputs"]:
            continue
        kinds = {i["property"] for i in spec["inputs"]}
        if not kinds & {"clickData", "cellClicked"}:
            continue
        for bad in ("a string", ["a", "list"], {"points": "not a list"}, {"points": [1, 2]}, 42):
            inputs = [(i["id"], i["property"], bad if i["property"] in ("clickData", "cellClicked") else None)
                      for i in spec["inputs"]]
            state = [(st["id"], st["property"], "?") for st in spec["state"]]
            r = post(s, body(spec["output"], inputs, state))
            if isinstance(bad, dict) and spec["inputs"][0]["property"] == "cellClicked":
                assert r.status_code in (200, 204), (spec["output"], bad, r.status_code)  # a dict is a dict
                continue
            assert_refused(r, 400)


# ---- privacy ------------------------------------------------------------------------------------

MOBILE = re.compile(r"(?<![\d.])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![\d.])")
ID_NUMBER = re.compile(r"(?<![\d.])\d{6} ?(?:19|20)\d{6} ?\d{3}[\dXx](?![\d.])")
HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


def _view_callbacks(dependencies):
    for spec in dependencies:
        ids = [i["id"] for i in spec["inputs"]]
        if spec.get("clientside_function") or not ids or not all(i.endswith("-view") for i in ids):
            continue
        if any(i["property"] != "data" for i in spec["inputs"]) or spec["state"]:
            continue
        yield spec


@pytest.mark.parametrize("role", ["admin", "publicity"])
def test_no_answer_holds_a_phone_an_id_number_or_a_hash(sessions, dependencies, role):
    """Every view-driven callback of every page, as the role: masked numbers only, no stored hashes;
    publicity gets no record-level rows at all."""
    s = sessions[role]
    masked_seen, answered, refused = False, 0, []
    for spec in _view_callbacks(dependencies):
        store = spec["inputs"][0]["id"]
        search = "?period=custom&start=2025-01-01&end=2026-11-23"
        r = post(s, view_body(spec["output"], store, search))
        if r.status_code == 403:
            refused.append(spec["output"])
            continue
        assert r.status_code in (200, 204), (spec["output"], r.status_code, r.text[:200])
        answered += 1
        text = r.text.encode().decode("unicode_escape") if "\\u" in r.text else r.text
        assert not MOBILE.search(text), (spec["output"], MOBILE.search(text).group())
        assert not ID_NUMBER.search(text), (spec["output"], ID_NUMBER.search(text).group())
        assert not HASH.search(text), spec["output"]
        masked_seen |= "****" in text
    assert answered > 20
    if role == "publicity":
        record_outputs = {o for o in refused if "records" in o or "comments" in o}
        assert len(record_outputs) == 3, refused
        assert all(o.startswith("..data-") for o in set(refused) - record_outputs)
    else:
        assert masked_seen, "the admin's record tables should show masked numbers from the demo data"


def test_audit_log_has_the_sign_ins_and_the_refusals(users_db, sessions):
    con = sqlite3.connect(users_db)
    events = {e for (e,) in con.execute("select distinct event from audit_log")}
    assert {"user.added", "signin.ok", "signin.failed", "access.refused"} <= events
    actors = {a for (a,) in con.execute("select actor from audit_log where event = 'access.refused'")}
    assert "t-opinion" in actors


# ---- sessions that end --------------------------------------------------------------------------

def test_a_one_time_password_must_be_changed_before_anything_opens(server, users_db):
    from dashboard.auth import store
    store.add("t-newcomer", "leader", password=PASSWORD, must_change=True, actor="tests", db=users_db)
    s = http_session(server, Account("t-newcomer", PASSWORD, "leader"))
    s.base = server
    page = s.get(server + "/", allow_redirects=False, headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 303 and page.headers["Location"].startswith("/password")
    assert_refused(post(s, view_body("overview-kpis.children", "overview-view", "?")), 403)
    form = s.get(server + "/password", timeout=30)
    weak = s.post(server + "/password", data={"current": PASSWORD, "new": "short", "confirm": "short",
                                              "csrf_token": csrf_from(form.text)}, timeout=30)
    assert weak.status_code == 400 and "至少需要" in weak.text
    done = s.post(server + "/password", data={"current": PASSWORD, "new": "Brand-new-pass-77",
                                              "confirm": "Brand-new-pass-77", "csrf_token": csrf_from(form.text)},
                  allow_redirects=False, timeout=30)
    assert done.status_code == 303
    assert post(s, view_body("overview-kpis.children", "overview-view", "?")).status_code == 200
    assert store.authenticate("t-newcomer", "Brand-new-pass-77", db=users_db)[1] == "ok"


def refused_within(seconds: float, ask) -> requests.Response:
    """Ask until the answer is no longer a 200 (a process may answer from what it learnt about a
    session up to a second ago); the last answer."""
    deadline = time.monotonic() + seconds
    while True:
        answer = ask()
        if answer.status_code != 200 or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def page(session, path="/"):
    return session.get(session.base + path, allow_redirects=False, headers={"Accept": "text/html"}, timeout=30)


def a_callback(session):
    return post(session, view_body("overview-kpis.children", "overview-view", "?"))


def replayed(server, cookies: dict) -> requests.Session:
    """Another client presenting a copy of a session's cookies (as copied out of a browser)."""
    s = requests.Session()
    s.base = server
    for name, value in cookies.items():
        s.cookies.set(name, value)
    s.headers["X-CSRFToken"] = cookies["_csrf_token"]
    return s


def signed_in(server, account) -> requests.Session:
    s = http_session(server, account)
    s.base = server
    return s


def test_disabling_a_user_ends_their_session_within_a_second(server, users_db):
    from dashboard.auth import store
    store.add("t-leaver", "leader", password=PASSWORD, must_change=False, actor="tests", db=users_db)
    s = signed_in(server, Account("t-leaver", PASSWORD, "leader"))
    assert a_callback(s).status_code == 200
    store.set_disabled("t-leaver", True, actor="tests", db=users_db)
    assert_refused(refused_within(1.5, lambda: a_callback(s)), 401)
    answer = page(s)
    assert answer.status_code == 303 and "expired=1" in answer.headers["Location"]


def test_a_signed_out_sessions_cookie_replayed_gets_the_sign_in_page_and_no_data(server, accounts):
    s = signed_in(server, accounts["leader"])
    copied = s.cookies.get_dict()
    assert page(replayed(server, copied)).status_code == 200
    assert a_callback(replayed(server, copied)).status_code == 200
    out = s.post(server + "/logout", data={"csrf_token": s.cookies["_csrf_token"]}, allow_redirects=False, timeout=30)
    assert out.status_code == 303
    answer = page(replayed(server, copied))
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/login?")
    assert_refused(a_callback(replayed(server, copied)), 401)
    assert replayed(server, copied).get(server + "/_dash-layout", timeout=30).status_code == 401


def test_a_password_reset_ends_the_users_sessions(server, users_db):
    from dashboard.auth import store
    store.add("t-forgetful", "leader", password=PASSWORD, must_change=False, actor="tests", db=users_db)
    s = signed_in(server, Account("t-forgetful", PASSWORD, "leader"))
    assert a_callback(s).status_code == 200
    store.reset_password("t-forgetful", "Reset-pass-2026!", actor="tests", db=users_db)
    assert_refused(refused_within(1.5, lambda: a_callback(s)), 401)


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(server, users_db):
    from dashboard.auth import store
    store.add("t-mover", "leader", password=PASSWORD, must_change=False, actor="tests", db=users_db)
    here = signed_in(server, Account("t-mover", PASSWORD, "leader"))
    elsewhere = signed_in(server, Account("t-mover", PASSWORD, "leader"))
    form = here.get(server + "/password", timeout=30)
    done = here.post(server + "/password", data={"current": PASSWORD, "new": "Moved-pass-2026!",
                                                 "confirm": "Moved-pass-2026!", "csrf_token": csrf_from(form.text)},
                     allow_redirects=False, timeout=30)
    assert done.status_code == 303
    assert_refused(refused_within(1.5, lambda: a_callback(elsewhere)), 401)
    assert a_callback(here).status_code == 200


def test_signing_out_needs_the_token_and_ends_the_session(sessions, server, accounts):
    s = http_session(server, accounts["opinion"])
    s.base = server
    forged = s.post(server + "/logout", allow_redirects=False, timeout=30)  # another site's form: no token
    assert forged.status_code == 303 and forged.headers["Location"] == "/"
    assert s.get(server + "/_dash-layout", timeout=30).status_code == 200  # still signed in
    token = s.cookies["_csrf_token"]
    out = s.post(server + "/logout", data={"csrf_token": token}, allow_redirects=False, timeout=30)
    assert out.status_code == 303 and out.headers["Location"].startswith("/login?out=1")
    assert s.get(server + "/_dash-layout", timeout=30).status_code == 401


# ---- refusals of scope are audited; rights come before work; no 500s, no app page for a file ----

def _refusals_since(users_db, last_id: int, actor: str) -> list[tuple[str, str, dict]]:
    con = sqlite3.connect(users_db)
    rows = con.execute("select event, target, detail from audit_log where id > ? and actor = ? order by id",
                       (last_id, actor)).fetchall()
    return [(e, target, json.loads(d) if d else {}) for e, target, d in rows]


def _last_audit_id(users_db) -> int:
    return sqlite3.connect(users_db).execute("select coalesce(max(id), 0) from audit_log").fetchone()[0]


def test_a_request_naming_another_units_scope_is_refused_and_audited(sessions, accounts, demo_db, users_db):
    """By callback, by export link and by briefing link: each a 400 with a bilingual message and
    an `access.refused` entry naming the unit asked for, as a 403 gets."""
    s, own = sessions["unit"], accounts["unit"].unit
    other = sibling_of(demo_db, own)
    before = _last_audit_id(users_db)
    assert_refused(post(s, view_body("overview-kpis.children", "overview-view", f"?period=this_year&unit={other}")))
    export = s.get(s.base + f"/download/table/incidents-records.csv?period=this_year&unit={other}", timeout=60)
    assert export.status_code == 400 and export.json()["zh"] and export.json()["en"]
    briefing = s.get(s.base + f"/download/briefing.docx?period=this_year&area={area_of(demo_db, other)}", timeout=60)
    assert briefing.status_code == 400 and "链接中的筛选条件无效" in briefing.text and "area=" in briefing.text
    refused = [r for r in _refusals_since(users_db, before, "t-unit") if r[0] == "access.refused"]
    assert [target for _, target, _ in refused] == [CALLBACK, "/download/table/incidents-records.csv",
                                                     "/download/briefing.docx"]
    assert all(d["status"] == 400 for _, _, d in refused)
    assert f"unit={other}" in refused[0][2]["reason"] and refused[0][2]["output"] == "overview-kpis.children"
    assert f"unit={other}" in refused[1][2]["query"]


def test_a_page_link_naming_another_unit_is_ignored_on_the_page_and_audited(sessions, accounts, demo_db,
                                                                             users_db):
    s, other = sessions["unit"], sibling_of(demo_db, accounts["unit"].unit)
    before = _last_audit_id(users_db)
    routed = post(s, body(".._pages_content.children..._pages_store.data..",
                          [("_pages_location", "pathname", "/incidents"),
                           ("_pages_location", "search", f"?period=this_year&unit={other}")]))
    assert routed.status_code == 200 and "已忽略" in json.dumps(routed.json(), ensure_ascii=False)
    refused = _refusals_since(users_db, before, "t-unit")
    assert len(refused) == 1 and refused[0][0] == "access.refused"
    assert refused[0][2]["via"] == "page link" and refused[0][2]["page"] == "incidents"
    assert f"unit={other}" in refused[0][2]["reason"]


def test_a_view_refused_for_another_reason_is_not_a_scope_refusal(sessions, users_db):
    before = _last_audit_id(users_db)
    assert_refused(post(sessions["leader"], view_body("incidents-kpis.children", "incidents-view", "?period=forever")))
    assert _refusals_since(users_db, before, "t-leader") == []


def test_an_export_the_role_may_not_have_is_refused_before_any_work(sessions, users_db):
    """Public opinion may not open 布警勤务: its pack is refused at once (no query, no browser) and audited."""
    s = sessions["opinion"]
    before = _last_audit_id(users_db)
    for path in ("/download/pack/staffing.zip?preset=print&period=this_year",
                 "/download/chart/staffing-tree.png?preset=wechat&period=this_year",
                 "/download/table/incidents-records.xlsx?period=this_year",
                 "/download/briefing.pdf?period=this_year"):
        r = s.get(s.base + path, timeout=60)
        assert_refused(r, 403)
        assert r.elapsed.total_seconds() < 2, (path, r.elapsed)    # the pack took 3.5–8 s of Chromium before
    events = [(e, target) for e, target, _ in _refusals_since(users_db, before, "t-opinion")]
    assert events == [("export.refused", "pack:staffing"), ("export.refused", "chart:staffing-tree"),
                      ("export.refused", "table:incidents-records"), ("export.refused", "pdf:briefing")]


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_a_deeply_nested_callback_body_is_refused_not_a_500(sessions):
    s = sessions["leader"]
    for text in ("[" * 100_000 + "]" * 100_000,
                 '{"output": "incidents-kpis.children", "inputs": ' + "[" * 5_000 + "]" * 5_000 + "}",
                 json.dumps({**view_body("incidents-kpis.children", "incidents-view", "?"),
                             "state": nested(40)})):
        r = s.post(s.base + CALLBACK, data=text, headers={"Content-Type": "application/json"}, timeout=30)
        assert_refused(r, 400)


@pytest.mark.parametrize("path", ["/_dash-component-suites/dash/x", "/_dash-component-suites/nothing/x.js",
                                  "/_dash-component-suites/dash/dcc/nothing.js",
                                  "/_dash-component-suites/dash/dcc/x.v1_0_0m1.js",
                                  "/_dash-component-suites/dash/dcc/%00.js",
                                  "/_dash-component-suites/dash_ag_grid/x.css", "/_dash-component-suites/dash",
                                  "/_dash-component-suites/", "/_no-such-endpoint"])
def test_a_malformed_script_path_is_a_404_not_a_500(sessions, path):
    assert_refused(sessions["leader"].get(sessions["leader"].base + path, timeout=30), 404)


@pytest.mark.parametrize("path", ["/download", "/download/", "/download/nothing", "/download/chart/",
                                  "/download/x/y.png", "/download/table/incidents-records",
                                  "/download/pack/incidents.tar", "/briefing/nothing"])
def test_an_unknown_download_address_is_a_404_not_the_apps_page(sessions, path):
    r = sessions["leader"].get(sessions["leader"].base + path, timeout=30)
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/plain")
    assert "没有这个地址" in r.text and "no such address" in r.text and "<html" not in r.text.lower()


def test_an_unknown_download_address_still_sends_a_stranger_to_sign_in(server):
    r = requests.get(server + "/download/nothing", allow_redirects=False, headers={"Accept": "text/html"},
                     timeout=30)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next=")


def test_a_quarantine_export_naming_a_file_or_reason_the_view_does_not_offer_is_refused(sessions):
    s = sessions["admin"]
    for arg, zh, en in (("file=nothing.csv", "没有这个文件", "no such file"),
                        ("file=../../etc/passwd", "没有这个文件", "no such file"),
                        ("reason=DROP TABLE", "没有这种隔离原因", "no such quarantine reason")):
        r = s.get(s.base + f"/download/table/data-quarantine-grid.csv?{LOG_PERIOD}&{arg}", timeout=60)
        assert r.status_code == 400 and zh in r.text and en in r.text, (arg, r.status_code, r.text[:200])
    assert s.get(s.base + f"/download/table/data-quarantine-grid.csv?{LOG_PERIOD}", timeout=60).status_code == 200


# ---- exports hold every row ---------------------------------------------------------------------

def test_an_export_holds_every_row_of_a_table_the_page_shows_in_part(sessions):
    """The comments grid shows the latest 500 of the view; its CSV and XLSX hold them all, the 说明
    sheet counts them, and the line under the grid says so."""
    import csv
    import io

    import openpyxl

    s = sessions["admin"]
    shown = post(s, view_body("..satisfaction-comments.columnDefs...satisfaction-comments.rowData"
                              "...satisfaction-comments-hint.children..", "satisfaction-view", "?period=this_year"))
    answer = shown.json()["response"]
    rows_shown = len(answer["satisfaction-comments"]["rowData"])
    hint = answer["satisfaction-comments-hint"]["children"]
    total = int(re.search(r"显示 [\d,]+ / ([\d,]+) 条", hint).group(1).replace(",", ""))
    assert rows_shown == 500 < total and f"导出文件含全部 {total:,} 条" in hint
    data = s.get(s.base + "/download/table/satisfaction-comments.csv?period=this_year", timeout=120).content
    assert len(list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))) - 1 == total
    book = openpyxl.load_workbook(io.BytesIO(
        s.get(s.base + "/download/table/satisfaction-comments.xlsx?period=this_year", timeout=120).content))
    assert book.worksheets[0].max_row - 1 == total
    about = {row[0].value: row[1].value for row in book["说明"].iter_rows()}
    assert about["行数"] == total and "行数上限" not in about
