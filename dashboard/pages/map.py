"""警力与人流地图 Map: where the police are against where the crowds and the incidents are.

Defaults to this month. The map draws the scenic areas in view (sized by their visitors or their
incidents, coloured by incidents per 10,000 visitors, satisfaction or same-day closure: two
controls), the posts in use on the period's last day (police rooms and service points, each
standardized or not, four markers) and the period's incidents as a density; a click on an area
drills the page into it. Beside it demand against supply: each weekday's share of the incidents,
the visitors and the police person-times, and the incidents by hour of the week; below, police
person-times per 10,000 visitors by area and week, the areas furthest from the reference flagged.

The map is a cartesian plot of longitude and latitude (see `dashboard.figures.geo`): nothing is
fetched from anywhere, on screen or in an export. `TPD_MAP_BOUNDARY` may name a GeoJSON file of the
bureau's own boundary (WGS-84/CGCS2000, as the data), drawn as lines under the map.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import html, no_update

from dashboard.components.declare import Chart, Drill, Text
from dashboard.components.page_kit import Page
from dashboard.figures.geo import hour_of_week_figure, map_figure, ratio_figure, weekday_figure
from dashboard.model.catalog import BY_ID
from dashboard.model.judgements import furthest_from
from dashboard.queries import geo as q
from dashboard.queries import reference
from dashboard.text import t

dash.register_page(__name__, path="/map", name="nav.map", order=1.5, title="警力与人流地图 · 旅游警务数据看板")

PAGE = "map"
MAP, NOTE = f"{PAGE}-map", f"{PAGE}-note"
WEEKDAY, HOUR_OF_WEEK, RATIO = f"{PAGE}-weekday", f"{PAGE}-hour-of-week", f"{PAGE}-ratio"
COLOR, SIZE, HINT = f"{PAGE}-color", f"{PAGE}-size", f"{PAGE}-hint"
# The controls' values in the URL, and the catalog figures they choose.
COLORS = {"per10k": "incidents.per_10k_visitors", "satisfaction": "survey.satisfaction_rate",
          "sameday": "incidents.same_day_rate"}
SIZES = {"visitors": "visitors.total", "incidents": "incidents.total"}
BOUNDARY_SETTING = "TPD_MAP_BOUNDARY"

P = Page(__name__, PAGE, default_period="this_month", allowed={"color": set(COLORS), "size": set(SIZES)},
         choices=lambda view, scope: {"color": view.get("color") or "per10k", "size": view.get("size") or "visitors"})


# ---- the boundary ------------------------------------------------------------------------------

class BoundaryError(ValueError):
    """The configured boundary file cannot be drawn; the message is zh / en."""


def _rings(geometry: dict) -> list:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "LineString":
        return [coords]
    if kind in ("Polygon", "MultiLineString"):
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    if kind == "GeometryCollection":
        return [ring for g in geometry.get("geometries", []) for ring in _rings(g)]
    return []


@lru_cache(maxsize=4)
def _read_boundary(path: str, mtime: float) -> tuple:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        features = data.get("features") or [] if data.get("type") == "FeatureCollection" else [data]
        rings = [ring for f in features for ring in _rings(f.get("geometry", f) or {})]
        rings = [[(float(p[0]), float(p[1])) for p in ring] for ring in rings]
    except (OSError, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise BoundaryError(f"边界文件 {path} 无法读取为 GeoJSON（{exc}） / "
                            f"the boundary file {path} is not readable GeoJSON ({exc})") from exc
    if not rings:
        raise BoundaryError(f"边界文件 {path} 中没有线或面 / the boundary file {path} holds no line or polygon")
    return tuple(tuple(ring) for ring in rings)


def boundary() -> tuple[list, str | None]:
    """The configured boundary's rings of (lon, lat), and the reason it is not drawn (or None)."""
    path = os.environ.get(BOUNDARY_SETTING)
    if not path:
        return [], None
    try:
        return [list(r) for r in _read_boundary(path, Path(path).stat().st_mtime)], None
    except FileNotFoundError:
        return [], f"边界文件不存在：{path} / the boundary file does not exist: {path}"
    except BoundaryError as exc:
        return [], str(exc)


# ---- the declarations --------------------------------------------------------------------------

def map_data(filters, scope):
    return q.map_areas(filters, scope), q.map_posts(filters, scope), q.incident_cells(filters, scope)


def draw_map(data, ask):
    return map_figure(*data, COLORS[ask.get("color")], SIZES[ask.get("size")], ask.lang, boundary()[0])


def map_note(ask) -> str:
    """What the map cannot place, and what it places at an area's point; a boundary it cannot draw."""
    areas, posts, cells = map_data(ask.filters, ask.scope)
    placed = cells.lon.notna()
    text = t("map.unplaced", ask.lang, areas=int(areas.lon.isna().sum()), posts=int(posts.located.isna().sum()),
             incidents=f"{int(cells.incidents[~placed].sum()):,}", posts_at_area=int((posts.located == "area").sum()),
             incidents_at_area=f"{int(cells.at_area[placed].sum()):,}")
    problem = boundary()[1]
    return text + (" " + problem if problem else "")


def map_hint(ask) -> str:
    color, size = BY_ID[COLORS[ask.get("color")]], BY_ID[SIZES[ask.get("size")]]
    word = (lambda m: m.zh) if ask.lang == "zh" else (lambda m: m.en)
    return t("map.map_hint", ask.lang, size=word(size), figure=word(color))


def ratio_data(filters, scope):
    totals = q.area_ratio(filters, scope)
    ref = q.reference_ratio(filters, scope)
    flagged = furthest_from(dict(zip(totals.area_code, totals.per_10k)), ref["per_10k"])
    return q.area_week_ratio(filters, scope), totals, ref, flagged


MAP_CHART = Chart(MAP, "map.map", map_data, figure=draw_map, height=600,
                  note=lambda ask: t("map.export_note", ask.lang) + " " + map_note(ask))
WEEKDAY_CHART = Chart(WEEKDAY, "map.weekday", q.by_weekday, figure=lambda df, ask: weekday_figure(df, ask.lang),
                      height=340)
HOUR_CHART = Chart(HOUR_OF_WEEK, "map.hour_of_week", q.by_hour_of_week, height=340,
                   figure=lambda df, ask: hour_of_week_figure(df, ask.lang))
RATIO_CHART = Chart(RATIO, "map.ratio", ratio_data, fit=True, height=360,
                    figure=lambda d, ask: ratio_figure(*d, ask.lang))

render_map = P.render(MAP_CHART, Text(NOTE, map_note), Text(HINT, map_hint))
render_demand = P.render(WEEKDAY_CHART, HOUR_CHART)
render_ratio = P.render(RATIO_CHART)


def _radio(id_: str, label_key: str, options: dict, value: str, lang: str, label) -> html.Div:
    return html.Div([
        html.Span(t(label_key, lang), className="small text-muted me-1"),
        dbc.RadioItems(id=id_, value=value, inline=True, input_class_name="me-1", className="small d-inline-block",
                       options=[{"label": label(BY_ID[m]), "value": k} for k, m in options.items()]),
    ], className="d-inline-block me-2")


def layout(**kwargs):
    ask = P.layout_ask(kwargs)
    lang = ask.lang
    word = (lambda m: m.zh) if lang == "zh" else (lambda m: m.en)
    tools = [_radio(COLOR, "map.color_label", COLORS, ask.get("color"), lang, word),
             _radio(SIZE, "map.size_label", SIZES, ask.get("size"), lang, word)]
    return P.frame(
        ask,
        dbc.Row([
            dbc.Col(P.card(MAP_CHART, ask, html.P(id=HINT, className="tpd-hint"), html.Div(tools, className="mb-1"),
                           below=[html.P(id=NOTE, className="tpd-hint mt-1 mb-0")]), lg=7),
            dbc.Col([
                P.card(WEEKDAY_CHART, ask, hint=t("map.weekday_hint", lang), cls="mb-2"),
                P.card(HOUR_CHART, ask, hint=t("map.hour_of_week_hint", lang), cls=""),
            ], lg=5),
        ], className="g-2 mb-2"),
        dbc.Row([dbc.Col(P.card(RATIO_CHART, ask, hint=t("map.ratio_hint", lang)), lg=12)], className="g-2"),
    )


@P.to_url((COLOR, "value"), (SIZE, "value"))
def choose(color, size, search):
    ask = P.ask_from(search)
    if color not in COLORS or size not in SIZES or (color, size) == (ask.get("color"), ask.get("size")):
        return no_update
    return ask.view.query(color=color, size=size)


def to_area(code, ask):
    """Only to an area the page shows (in the user's scope and the unit in view)."""
    if code != ask.view.area and code in set(reference.areas(ask.scope, ask.view.unit).area_code):
        return ask.view.query(area=code)


drill = P.drill(Drill(MAP, to_area))
