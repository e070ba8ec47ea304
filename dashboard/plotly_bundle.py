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


def install(server) -> None:
    """Answer dcc.Graph's request for plotly.js with the cartesian bundle."""
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
