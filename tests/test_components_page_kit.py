"""Pages declare their charts; the glue (dashboard.components.page_kit) builds the rest.

Every chart and grid a page declares is registered for export under its id
and answered by a callback named after its page; a data function gets the
view's Filters, the scope and the page's choices it names, and nothing else;
clicks are read the same way on every page.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.components.declare import Ask, Chart, Grid, Kpis, clicked
from dashboard.model.filters import Filters, Scope
from dashboard.state import View

WEEK = View("custom", dt.date(2026, 11, 16), dt.date(2026, 11, 22), unit="U1", area=None, season=None,
            lang="en", extra=(("category", "盗窃"),))


@pytest.fixture(scope="module")
def app(demo_db):
    from dashboard.app import create_app
    return create_app(demo_db)


def _callbacks(app) -> dict[str, object]:
    """Each output (`id.property`) of the app's callbacks, with the function that answers it."""
    out = {}
    for key, entry in app.callback_map.items():
        outputs = key[2:-2].split("...") if key.startswith("..") else [key]
        for output in outputs:
            out[output.split("@")[0]] = entry.get("callback")
    return out


def test_every_exported_chart_and_grid_is_answered_on_screen_by_its_pages_callback(app):
    """What downloads is what the page shows: each export's id is filled by a callback of its own page
    (named after the page's module, as the sign-in guard and the answer caches know it)."""
    from dashboard.exports.registry import CHARTS, TABLES
    app.server.test_client().get("/login")        # the callback map is complete once the app served a request
    answered = _callbacks(app)
    exported = [(spec.page, chart_id, "figure") for chart_id, spec in CHARTS.items()]
    exported += [(spec.page, grid_id, "rowData") for grid_id, spec in TABLES.items()]
    assert len(CHARTS) == 35 and len(TABLES) >= 14
    for page, component_id, prop in exported:
        fn = answered.get(f"{component_id}.{prop}")
        assert fn is not None, f"{component_id} has no callback"
        assert fn.__module__ == f"dashboard.pages.{page}", f"{component_id}: answered by {fn.__module__}"


def test_a_data_function_gets_the_views_filters_the_scope_and_only_the_choices_it_names():
    seen = {}

    def data(filters, scope, category):
        seen.update(filters=filters, scope=scope, category=category)
        return [1, 2]

    chart = Chart("p-c", "nav.overview", data, args=("category",), figure=lambda d, ask: ("fig", d, ask.lang))
    scope = Scope("U0")
    assert chart.build(Ask(WEEK, scope)) == ("fig", [1, 2], "en")
    assert seen == {"filters": Filters(dt.date(2026, 11, 16), dt.date(2026, 11, 22), unit="U1"), "scope": scope,
                    "category": "盗窃"}


def test_a_pages_derived_choice_stands_before_the_urls():
    ask = Ask(WEEK, Scope.city(), {"category": "诈骗", "campaign": "2026"})
    assert ask.get("category") == "诈骗" and ask.get("campaign") == "2026" and ask.get("q") is None


def test_a_chart_that_fits_its_figure_answers_the_graphs_height_too():
    class Fig:
        class layout:
            height = 512
    chart = Chart("p-c", "nav.overview", lambda f, s: None, figure=lambda d, ask: Fig, fit=True)
    assert chart.outputs() == [("p-c", "figure"), ("p-c", "style")]
    assert chart.answer(Ask(WEEK, Scope.city())) == [Fig, {"height": "512px"}]


def test_a_grid_sends_its_columns_only_when_the_layout_has_none():
    assert Grid("p-g", "t", lambda ask: None).outputs() == [("p-g", "columnDefs"), ("p-g", "rowData")]
    assert Grid("p-g", "t", lambda ask: None, columns=lambda lang: []).outputs() == [("p-g", "rowData")]


def test_kpi_cards_are_numbered_after_their_row_and_a_tail_follows_them():
    kpis = Kpis("p-kpis", lambda ask, args: {}, ["a", "b"], card=lambda mid, figs, ask, card_id: card_id,
                tail=lambda figs, ask: ["note"])
    (cols,) = kpis.answer(Ask(WEEK, Scope.city()))
    assert [c.children for c in cols[:2]] == ["p-kpi-0", "p-kpi-1"] and cols[2] == "note"


@pytest.mark.parametrize("click, value", [
    ({"points": [{"customdata": ["YLA001", 3]}]}, "YLA001"),
    ({"points": [{"customdata": "盗窃"}]}, "盗窃"),
    ({"rowId": "B01", "colId": "name"}, "B01"),
    ({"rowId": ["not", "text"]}, None),
    ({"points": [{"x": 1}]}, None),
    ({"points": []}, None),
    (None, None),
    ("'; drop table", None),
])
def test_a_click_gives_a_points_first_customdata_or_a_rows_id_and_nothing_else(click, value):
    assert clicked(click) == value


def test_no_server_callback_writes_the_shell_url_only_the_relay_in_the_browser(demo_db):
    """A server callback writing the shell's URL from a page's control is called by Dash at every
    insertion of the page (the URL lies outside it), a request that changes nothing: controls write
    the page's own store, which a clientside callback hands on to the URL."""
    # A fresh process: the pages' callbacks are registered once per process, and the first app
    # to serve a request takes them out of Dash's global list.
    probe = (
        "import json, sys\n"
        "from dash._callback import GLOBAL_CALLBACK_LIST\n"
        "from dashboard.app import create_app\n"
        "app = create_app(sys.argv[1])\n"
        "print(json.dumps([[c['output'], bool(c.get('clientside_function'))]\n"
        "                  for c in GLOBAL_CALLBACK_LIST + app._callback_list if 'url.search' in c['output']]))\n")
    found = subprocess.run([sys.executable, "-c", probe, str(demo_db)], capture_output=True, text=True,
                           check=True, cwd=Path(__file__).resolve().parent.parent)
    writers = json.loads(found.stdout.strip().splitlines()[-1])
    assert writers and all(clientside for _, clientside in writers), writers


def test_the_grid_bundle_is_written_as_a_script_the_browser_neither_fetches_nor_runs(app):
    with app.server.test_request_context("/"):
        scripts = app._generate_scripts_html()
    tags = [line for line in scripts.split("\n") if "dash_ag_grid" in line]
    assert len(tags) == 1 and 'type="text/tpd-deferred"' in tags[0] and "data-tpd-grid-bundle" in tags[0]


def test_no_page_loads_the_dash_table_bundle(app):
    with app.server.test_request_context("/"):
        scripts = app._generate_scripts_html()
    assert "dash_ag_grid" in scripts and "dash_table" not in scripts


def test_a_chart_menus_links_are_not_components_until_it_is_opened():
    """dash-renderer visits every mounted component at each store update: a chart menu's fifteen
    items wait in a store, and the clientside callback mounts them at the menu's first click."""
    import datetime as dt
    import json

    from dash import dcc

    from dashboard.components.exports import chart_menu
    from dashboard.state import View

    menu = chart_menu("incidents-category", View("last_week", dt.date(2026, 11, 16), dt.date(2026, 11, 22)))
    components = list(menu._traverse())
    assert not [c for c in components if getattr(c, "href", None)]
    store = next(c for c in components if isinstance(c, dcc.Store))
    assert json.dumps(store.data).count('"href"') == 9
    assert len(components) <= 4
