"""The map page (警力与人流地图) in a real headless Chromium, and its export drawn with no network.

The dashboard serves the session's demo warehouse (today pinned to 2026-11-23); the expected
markers and counts are read from the warehouse with SQL of the test's own, not through the page's
queries. Every request the browser makes is logged: none may go to any host but the server's.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from tests.builders.accounts import browser_context
from tests.builders.browser import SETTLED, SHOTS

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "test-output" / "exports"
START, END = "2026-01-01", "2026-11-23"
QUERY = f"?period=custom&start={START}&end={END}"

# Each trace of the map: its meta and the first customdata of every point (area or post code), and
# for the areas the incidents each carries.
MAP_TRACES = """() => (document.querySelector('#map-map .js-plotly-plot').data || []).map(t => ({
    meta: t.meta || '', codes: (t.customdata || []).map(c => c[0]),
    incidents: t.meta && String(t.meta).startsWith('areas') ? (t.customdata || []).map(c => c[2]) : []}))"""


def expected(db_path, scope_unit: str | None) -> dict:
    """Areas and posts the map must place for a scope, and each area's incidents in the period."""
    con = duckdb.connect(str(db_path), read_only=True)
    subtree = ("(select unit_code from unit_closure where ancestor_code = $u)" if scope_unit
               else "(select unit_code from units)")
    p = {"u": scope_unit} if scope_unit else {}
    try:
        areas = {a for (a,) in con.execute(
            f"select area_code from scenic_areas where lon is not null and unit_code in {subtree}", p).fetchall()}
        posts = {c for (c,) in con.execute(f"""
            select r.post_code from posts r left join scenic_areas a on a.area_code = r.area_code
            where r.opened_on <= $end and (r.closed_on is null or r.closed_on > $end)
              and r.unit_code in {subtree} and coalesce(r.lon, a.lon) is not null""", {**p, "end": END}).fetchall()}
        incidents = dict(con.execute(f"""
            select area_code, count(*) from incidents
            where received_at >= $start and received_at < cast($end as date) + 1 and area_code is not null
              and unit_code in {subtree} group by 1""", {**p, "start": START, "end": END}).fetchall())
    finally:
        con.close()
    return {"areas": areas, "posts": posts, "incidents": incidents}


def open_map(browser, server, account, query=QUERY, width: int = 1440):
    context = browser_context(browser, server, account)
    requests, console = [], []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.goto(server + "/map" + query, wait_until="networkidle", timeout=60_000)
    page.wait_for_function(SETTLED, timeout=60_000)
    page.wait_for_function("() => (document.querySelector('#map-map .js-plotly-plot').data || []).length > 0", timeout=60_000)
    page.wait_for_timeout(800)
    return context, page, requests, console


def markers(page) -> tuple[dict, dict, dict]:
    traces = page.evaluate(MAP_TRACES)
    areas = {c: n for t in traces if t["meta"].startswith("areas") for c, n in zip(t["codes"], t["incidents"])}
    posts = [c for t in traces if t["meta"].startswith("posts-") for c in t["codes"]]
    assert len(posts) == len(set(posts)), "a post drawn twice"
    return areas, set(posts), {t["meta"] for t in traces}


@pytest.mark.parametrize("role", ["leader", "unit"])
def test_the_map_shows_one_marker_per_area_and_post_in_scope_with_their_counts(browser, server, accounts, demo_db,
                                                                               role):
    account = accounts[role]
    context, page, requests, console = open_map(browser, server, account)
    try:
        areas, posts, metas = markers(page)
        want = expected(demo_db, account.unit)
        assert set(areas) == want["areas"] and want["areas"]
        assert posts == want["posts"] and want["posts"]
        assert areas == {a: want["incidents"].get(a, 0) for a in want["areas"]}
        assert "density" in metas
        page.screenshot(path=str(SHOTS / f"map_{role}.png"), full_page=True)
    finally:
        context.close()
    assert console == []
    hosts = {urlsplit(u).netloc for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {urlsplit(server).netloc}, f"requests left the server: {hosts}"
    assert all(urlsplit(u).scheme in ("http", "https", "data", "blob") for u in requests)


def test_a_unit_user_sees_only_their_own_areas_and_posts(browser, server, accounts, demo_db):
    context, page, _, _ = open_map(browser, server, accounts["unit"])
    try:
        areas, posts, _ = markers(page)
    finally:
        context.close()
    city = expected(demo_db, None)
    assert set(areas) < city["areas"] and posts < city["posts"]
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        inside = {c for (c,) in con.execute("select unit_code from unit_closure where ancestor_code = ?",
                                            [accounts["unit"].unit]).fetchall()}
        area_units = dict(con.execute("select area_code, unit_code from scenic_areas").fetchall())
        post_units = dict(con.execute("select post_code, unit_code from posts").fetchall())
    finally:
        con.close()
    assert {area_units[a] for a in areas} <= inside
    assert {post_units[p] for p in posts} <= inside


def test_a_click_on_an_area_drills_the_page_into_it(browser, server, accounts):
    context, page, _, _ = open_map(browser, server, accounts["leader"])
    try:
        areas, _, _ = markers(page)
        code = sorted(areas)[0]
        # What Plotly emits when a marker is clicked: the trace and point (dcc.Graph reads the customdata
        # from the figure by those numbers).
        page.evaluate("""code => {
            const gd = document.querySelector('#map-map .js-plotly-plot');
            const curve = gd.data.findIndex(t => String(t.meta).startsWith('areas')
                                                 && t.customdata.some(c => c[0] === code));
            const point = gd.data[curve].customdata.findIndex(c => c[0] === code);
            gd.emit('plotly_click', {points: [{curveNumber: curve, pointNumber: point}]});
        }""", code)
        page.wait_for_function("code => location.search.includes('area=' + code)", arg=code, timeout=30_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.wait_for_function(
            "code => ((document.querySelector('#map-map .js-plotly-plot').data || []).filter(t => String(t.meta).startsWith('areas'))"
            ".flatMap(t => t.customdata.map(c => c[0])).join() === code)", arg=code, timeout=60_000)
        assert parse_qs(urlsplit(page.url).query)["area"] == [code]
    finally:
        context.close()


def test_the_page_looks_right_on_a_phone(browser, server, accounts):
    context, page, _, console = open_map(browser, server, accounts["leader"], width=390)
    try:
        page.screenshot(path=str(SHOTS / "map_phone.png"), full_page=True)
        boxes = page.evaluate("""() => ['map-map', 'map-weekday', 'map-hour-of-week', 'map-ratio'].map(id => {
            const r = document.getElementById(id).getBoundingClientRect();
            return {id: id, left: r.left, right: r.right, height: r.height}; })""")
    finally:
        context.close()
    for box in boxes:                         # every chart within the phone's width, one under the other
        assert box["left"] >= 0 and box["right"] <= 390 and box["height"] > 200, box
    assert console == []


EXPORT_OFFLINE = textwrap.dedent("""
    import json, socket, sys
    from pathlib import Path
    try:                                       # the proof that this process has no network at all
        socket.create_connection(("1.1.1.1", 80), timeout=3).close()
        sys.exit("the network is reachable: the test cannot prove anything")
    except OSError:
        pass
    from dashboard.app import create_app
    from dashboard.exports.charts import chart_file, framed_chart, _chart, _preset
    from dashboard.model.filters import Scope
    from dashboard.session import acting_as
    from dashboard.auth.store import User
    from dashboard.components.view import view_from_args
    create_app(Path(sys.argv[1]))
    with acting_as(User("offline-admin", "admin", None)):
        out = chart_file("map-map", sys.argv[3], "slides", "png", Scope())
        from urllib.parse import parse_qsl
        view = view_from_args(dict(parse_qsl(sys.argv[3].lstrip("?"))), Scope(), "this_month", None)
        fig, _ = framed_chart(_chart("map-map"), view, Scope(), _preset("slides"))
    Path(sys.argv[2]).write_bytes(out.data)
    types = sorted({t.get("type", "scatter") for t in fig["data"]})
    print(json.dumps({"name": out.name, "types": types, "layout": sorted(fig["layout"]),
                      "figure": json.dumps(fig, default=str)}))
""")


def test_the_map_exports_as_a_png_with_the_network_cut_off(demo_db):
    """The export runs in a process of its own in a network namespace of its own (`unshare -rn`:
    not even loopback is up), so a tile, font or script the renderer tried to fetch could not
    arrive; the PNG is drawn all the same, and the figure names no remote resource."""
    OUT.mkdir(parents=True, exist_ok=True)
    png = OUT / "map_offline.png"
    png.unlink(missing_ok=True)
    proc = subprocess.run(["unshare", "-rn", sys.executable, "-c", EXPORT_OFFLINE, str(demo_db), str(png), QUERY],
                          cwd=REPO, capture_output=True, text=True, timeout=240,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(OUT), "PYTHONPATH": str(REPO),
                               "TPD_TODAY": END, "TPD_DB": str(demo_db)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert answer["name"].endswith(".png")
    assert "http://" not in answer["figure"] and "https://" not in answer["figure"]
    assert set(answer["types"]) <= {"scatter", "contour"}                  # cartesian traces only
    assert not {"map", "mapbox", "geo"} & set(answer["layout"])             # no map subplot, no tiles
    from PIL import Image
    image = Image.open(png)
    assert image.size == (1920, 1080)
    colours = image.convert("RGB").resize((96, 54)).getcolors(96 * 54)
    assert colours is not None and len(colours) > 20          # drawn, not blank


def test_the_maps_charts_join_the_pages_publicity_pack(server, accounts):
    import io
    import zipfile

    from tests.builders.accounts import http_session
    session = http_session(server, accounts["leader"])
    response = session.get(f"{server}/download/pack/map.zip{QUERY}&preset=wechat", timeout=240)
    assert response.status_code == 200, response.text[:500]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    pngs = [n for n in names if n.endswith(".png")]
    assert len(pngs) == 4, names
    assert any("警力与人流地图" in n for n in pngs), names
