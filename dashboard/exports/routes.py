"""The download routes, registered on the Flask server in one place.

    /download/chart/<chart_id>.<png|svg|pdf>?preset=wechat&<view query>
    /download/pack/<page>.zip?preset=slides&<view query>
    /download/table/<grid_id>.<csv|xlsx>?<view query>[&file=…&reason=…]

The view query is the page's own query string (period, unit, area, season,
page choices): the server validates it as the page does and rebuilds what
it shows. The user's scope comes from `session.current_scope()`, so access
control applies here as everywhere else. Errors are plain text in Chinese and
English.
"""
from __future__ import annotations

import io
from urllib.parse import urlencode

from flask import Blueprint, Response, request, send_file

from dashboard.exports.charts import chart_file, pack_file
from dashboard.exports.files import ExportError
from dashboard.exports.record import check_rights
from dashboard.exports.registry import CHARTS, PAGES, TABLES
from dashboard.exports.renderer import ExportUnavailable
from dashboard.exports.tables import table_file
from dashboard.session import current_scope

PREFIX = "/download"
CONTROL_KEYS = {"preset"}

blueprint = Blueprint("tpd_exports", __name__, url_prefix=PREFIX)


def _view_search(extra_keys=()) -> str:
    """The request's query string without the export's own arguments: the page's view."""
    args = [(k, v) for k, v in request.args.items(multi=False) if k not in CONTROL_KEYS and k not in extra_keys]
    return "?" + urlencode(args)


def _send(export) -> Response:
    response = send_file(io.BytesIO(export.data), mimetype=export.mimetype, as_attachment=True,
                         download_name=export.name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain; charset=utf-8")


@blueprint.errorhandler(ExportError)
def _export_error(exc: ExportError):
    return _error(exc.status, str(exc))


@blueprint.errorhandler(ExportUnavailable)
def _unavailable(exc: ExportUnavailable):
    return _error(503, str(exc))


def _may(kind: str, what: str, known: bool) -> None:
    """Rights first, before a query runs or a browser starts: a refused export costs nothing. An id
    that names nothing is left to the export function's 404."""
    if known:
        check_rights(kind, what, request.query_string.decode("utf-8", "replace"))


@blueprint.get("/chart/<chart_id>.<fmt>")
def chart(chart_id: str, fmt: str):
    _may("chart", chart_id, chart_id in CHARTS)
    return _send(chart_file(chart_id, _view_search(), request.args.get("preset"), fmt, current_scope()))


@blueprint.get("/pack/<page>.zip")
def pack(page: str):
    _may("pack", page, page in PAGES)
    return _send(pack_file(page, _view_search(), request.args.get("preset"), current_scope()))


@blueprint.get("/table/<grid_id>.<fmt>")
def table(grid_id: str, fmt: str):
    spec = TABLES.get(grid_id)
    _may("table", grid_id, spec is not None)
    params = {k: request.args.get(k) for k in (spec.params if spec else ())}
    return _send(table_file(grid_id, _view_search(params), fmt, current_scope(), params))


def register(server) -> None:
    if "tpd_exports" not in server.blueprints:
        server.register_blueprint(blueprint)


def chart_href(chart_id: str, fmt: str, preset: str, view_query: str) -> str:
    return f"{PREFIX}/chart/{chart_id}.{fmt}?" + urlencode({"preset": preset}) + "&" + view_query.lstrip("?")


def pack_href(page: str, preset: str, view_query: str) -> str:
    return f"{PREFIX}/pack/{page}.zip?" + urlencode({"preset": preset}) + "&" + view_query.lstrip("?")


def table_href(grid_id: str, fmt: str, view_query: str, **params) -> str:
    extra = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    query = view_query.lstrip("?")
    return f"{PREFIX}/table/{grid_id}.{fmt}" + ("?" + "&".join(p for p in (query, extra) if p) if query or extra else "")
