"""The plotly.js that dcc.Graph loads: the official cartesian bundle, not the full one.

dcc.Graph fetches plotly.js lazily, at a page's first chart, from Dash's URL for
plotly.py's full bundle (4.8 MB: every trace type, maps and WebGL included). The
product draws bar, box, heatmap and scatter traces only, so that URL is answered
with plotly.js's own cartesian bundle of the same version (`plotly.js-cartesian-
dist-min` from npm, 1.5 MB, MIT, vendored under `dashboard/static/`): a third of
the script for the browser to fetch and compile before the first chart shows.
Kaleido's chart exports keep the full bundle. After an upgrade of plotly whose
plotly.js has no vendored cartesian bundle yet, the full bundle is served (and
tests/test_plotly_bundle.py fails until the file is added).

Before React, Dash loads babel's polyfill (99 KB: core-js 2 and regenerator-runtime). What
core-js adds, every browser the product supports has natively, and it replaces some of that with
slower code of its own (String.prototype.trim, which Plotly calls for every label it measures);
the bundles of Dash and its components need only its global `regeneratorRuntime`. So its URL is
answered with regenerator-runtime alone (25 KB, MIT, vendored under `dashboard/static/`).
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import request, send_file
from plotly.offline import get_plotlyjs_version

VERSION = get_plotlyjs_version()
BUNDLE = Path(__file__).parent / "static" / f"plotly-cartesian-{VERSION}.min.js"
# The trace modules the cartesian bundle holds (its package README).
TRACE_TYPES = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d",
                         "histogram2dcontour", "image", "pie", "scatter", "scatterternary", "violin"})
FULL_BUNDLE_PATH = "/_dash-component-suites/plotly/package_data/plotly.min.js"
RUNTIME = Path(__file__).parent / "static" / "regenerator-runtime-0.14.1.js"
POLYFILL_PATH = "/_dash-component-suites/dash/deps/polyfill@"   # then Dash's fingerprint and .min.js


def install(server) -> None:
    """Answer dcc.Graph's request for plotly.js with the cartesian bundle, and Dash's for babel's
    polyfill with regenerator-runtime."""
    install_runtime(server)
    if not BUNDLE.is_file():
        logging.getLogger("tpd").warning("no cartesian plotly.js %s under %s: serving the full bundle",
                                         VERSION, BUNDLE.parent)
        return
    @server.before_request
    def cartesian_plotly():
        if request.path.endswith(FULL_BUNDLE_PATH):
            # The URL carries no version: revalidated each time (a 304 when unchanged), never stale.
            return send_file(BUNDLE, mimetype="application/javascript", max_age=0, conditional=True, etag=True)
        return None


def install_runtime(server) -> None:
    """Answer Dash's request for babel's polyfill with regenerator-runtime."""
    @server.before_request
    def runtime_for_polyfill():
        if POLYFILL_PATH in request.path:
            # Dash's URL is fingerprinted by its version and file time: kept as long as Dash keeps it.
            return send_file(RUNTIME, mimetype="application/javascript", max_age=31536000, conditional=True,
                             etag=True)
        return None
