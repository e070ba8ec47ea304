"""The plotly.js the browser gets (dashboard/plotly_bundle.py): the cartesian bundle of plotly.py's
version, holding every trace type the product draws."""
from __future__ import annotations

import pytest

from dashboard import plotly_bundle
from tests.builders.accounts import sign_in_test_client


def test_the_vendored_bundle_is_plotly_pys_plotly_js_version():
    """After an upgrade of plotly: `npm pack plotly.js-cartesian-dist-min@<version>` into dashboard/static/."""
    assert plotly_bundle.BUNDLE.is_file(), f"no cartesian plotly.js {plotly_bundle.VERSION} vendored"
    head = plotly_bundle.BUNDLE.read_text(encoding="utf-8")[:200]
    assert f"plotly.js (cartesian - minified) v{plotly_bundle.VERSION}" in head


@pytest.mark.usefixtures("as_admin")
def test_every_chart_of_every_page_draws_only_trace_types_the_bundle_holds(demo_db):
    from dashboard.app import create_app
    from dashboard.exports import charts
    from dashboard.exports.registry import CHARTS, PAGES
    from dashboard.model.filters import Scope

    create_app(demo_db)  # imports the pages, which register their charts
    drawn = set()
    for spec in CHARTS.values():
        view = PAGES[spec.page].view_of("?period=this_year", Scope.city())
        figure = charts.chart_figure(spec, view, Scope.city())
        drawn |= {trace.type for trace in figure.data}
    assert len(CHARTS) == 35 and {"bar", "scatter", "heatmap", "box", "contour"} <= drawn
    assert drawn <= plotly_bundle.TRACE_TYPES, drawn - plotly_bundle.TRACE_TYPES


def test_dcc_graphs_request_for_plotly_js_is_answered_with_the_bundle(demo_db):
    from dashboard.app import create_app
    client = sign_in_test_client(create_app(demo_db).server.test_client())
    response = client.get(plotly_bundle.FULL_BUNDLE_PATH)
    assert response.status_code == 200 and response.mimetype == "application/javascript"
    assert response.get_data() == plotly_bundle.BUNDLE.read_bytes()
    assert "max-age=0" in response.headers["Cache-Control"]           # its URL has no version
    again = client.get(plotly_bundle.FULL_BUNDLE_PATH, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_renderer_asks_for_plotly_js_at_the_path_the_bundle_answers(demo_db):
    """Served locally, dash-renderer points dcc.Graph at this URL: if Dash moved it, the override
    would silently stop applying."""
    from pathlib import Path

    import dash

    from dashboard.app import create_app
    assert create_app(demo_db).config.serve_locally
    renderer = Path(dash.__file__).parent / "dash-renderer" / "build" / "dash_renderer.min.js"
    assert plotly_bundle.FULL_BUNDLE_PATH.lstrip("/") in renderer.read_text(encoding="utf-8")


def test_dashs_request_for_babels_polyfill_is_answered_with_regenerator_runtime_alone(demo_db):
    """core-js 2 replaced native functions Plotly calls for every label (String.prototype.trim) with
    slower ones; what Dash's bundles need of the polyfill is the global regeneratorRuntime."""
    import re

    from dashboard.app import create_app
    app = create_app(demo_db)
    with app.server.test_request_context("/"):
        scripts = app._generate_scripts_html()
    url = re.search(r'src="([^"]*/polyfill@[^"]*)"', scripts).group(1)
    client = sign_in_test_client(app.server.test_client())
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/javascript"
    assert response.get_data() == plotly_bundle.RUNTIME.read_bytes()
    assert b"regeneratorRuntime = runtime" in response.get_data()
