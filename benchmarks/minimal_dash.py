"""The floor of a first render: a minimal Dash page with one dcc.Graph, for benchmarks/page_render.py.

`/?bytes=N` renders one line chart whose figure, as its callback sends it, is about N bytes
(the size of what a dashboard page's callbacks send for its first render). Served by the
same server as `python -m dashboard` (Flask's, threaded), with Dash's own plotly.js bundle.
Run: .venv/bin/python benchmarks/minimal_dash.py --port 8060
"""
from __future__ import annotations

import argparse
import json
from urllib.parse import parse_qs

import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html
from plotly.utils import PlotlyJSONEncoder


def figure_of_size(n_bytes: int) -> go.Figure:
    """A line chart of as many points as make `n_bytes` of JSON (at least 2)."""
    def size(points: int) -> int:
        return len(json.dumps(_figure(points).to_plotly_json(), cls=PlotlyJSONEncoder, separators=(",", ":")))
    per_point = (size(1001) - size(1)) / 1000
    return _figure(max(2, int((n_bytes - size(1)) / per_point)))


def _figure(points: int) -> go.Figure:
    xs = list(range(points))
    return go.Figure(go.Scatter(x=xs, y=[(i * 7919 % 1000) / 10 for i in xs], mode="lines"))


def create() -> Dash:
    app = Dash(__name__)
    app.layout = html.Div([dcc.Location(id="url"), dcc.Graph(id="graph")])

    @app.callback(Output("graph", "figure"), Input("url", "search"))
    def render(search):
        n = int((parse_qs((search or "").lstrip("?")).get("bytes") or ["20000"])[0])
        return figure_of_size(n)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8060)
    args = parser.parse_args()
    create().run(host="127.0.0.1", port=args.port, debug=False, threaded=True)


if __name__ == "__main__":
    main()
