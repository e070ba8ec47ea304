"""The map page's figures: where the police are against where the crowds and incidents are.

The map is a plain cartesian chart — x longitude, y latitude, in degrees of the WGS-84/CGCS2000
datum the data contract states — so it draws with the browser's cartesian plotly.js and in the
export's Chromium without a tile server, a font or glyph URL or WebGL: nothing is fetched. The y
axis is anchored to the x axis with a scale ratio of 1 / cos(mid-latitude), the local
equirectangular projection, so that a kilometre east is as long as a kilometre north at the
city's latitude (at a city's extent the error is under 1 %). An optional boundary (the bureau's
own GeoJSON, see `dashboard.pages.map`) is drawn as plain lines under everything.

Traces carry `meta` so that tests and readers can tell them apart: "density" (incidents, as
filled contours of a kernel density of the counts by cell), "boundary", "areas" (scenic areas with a value of the
chosen figure, coloured by it), "areas-none" (areas without one, grey), "posts-<kind>" (one trace
per post kind: police room or service point, standardized or not, each its own marker).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard.figures import lite as go
from dashboard.figures.base import empty_figure, text_px
from dashboard.model.catalog import BY_ID
from dashboard.text import t
from dashboard.theme import GREY_OUT, GRID, INK, MUTED, POLICE_BLUE
from warehouse.record_types import POLICE_ROOM

MAP_HEIGHT = 600
LAND = "#f3f5f7"
# Post kinds: (police room?, standardized?) -> meta, marker symbol, colour
POST_KINDS = (
    ((True, True), "posts-room-std", "square", POLICE_BLUE),
    ((True, False), "posts-room", "square-open", POLICE_BLUE),
    ((False, True), "posts-point-std", "diamond", "#2e7d4f"),
    ((False, False), "posts-point", "diamond-open", "#2e7d4f"),
)
# Colour scales by whether more is better: the good end is blue, the bad end red.
GOOD_HIGH = [[0, "#b83227"], [0.5, "#e9d8a6"], [1, "#1f4e8c"]]
DENSITY = [[0, "rgba(201,138,20,0)"], [0.15, "rgba(201,138,20,0.18)"], [0.5, "rgba(214,110,30,0.38)"],
           [1, "rgba(184,50,39,0.6)"]]
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _fmt(value, fmt: str, lang: str) -> str:
    if value is None or value != value:
        return t("map.no_value", lang)
    if fmt == "rate":
        return f"{value:.1%}"
    if fmt == "per10k":
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _sizes(values: pd.Series, lo: float = 12, hi: float = 46) -> list[float]:
    """Marker diameters whose areas follow the values (the largest `hi` px, none under `lo`)."""
    top = float(values.max()) if len(values) else 0.0
    if top <= 0:
        return [lo] * len(values)
    return [max(lo, hi * math.sqrt(max(float(v), 0.0) / top)) for v in values]


# The smallest view the map is drawn at beside the phone: a 16:9 slide's plot, about 560 × 220 px.
LABEL_VIEW_PX = (560, 220)
LABEL_SIZE = 11
LABEL_PLACES = ("bottom center", "top center", "middle right", "middle left")


def label_positions(lon, lat, names, sizes, x_range: tuple, y_range: tuple, mid_lat: float) -> list[str]:
    """Where each area's name goes beside its circle (below, above, right, left: the first that
    overprints no name placed before it and no other circle and stays inside the map's sides, else
    the one that overprints least),
    the biggest circles first, for the smallest view the map is drawn at (a slide's plot)."""
    # Pixels per degree, the same on the ground east and north (the y axis is anchored to the x axis).
    cos = math.cos(math.radians(mid_lat))
    per_y = min(LABEL_VIEW_PX[1] / max(y_range[1] - y_range[0], 1e-9),
                LABEL_VIEW_PX[0] / max((x_range[1] - x_range[0]) * cos, 1e-9))
    per_x = per_y * cos
    xs = [float(v) * per_x for v in lon]
    ys = [-float(v) * per_y for v in lat]               # screen y grows downwards
    circles = [(x - r / 2, y - r / 2, x + r / 2, y + r / 2) for x, y, r in zip(xs, ys, sizes)]
    taken: list[tuple] = []
    places = ["bottom center"] * len(xs)

    def overlap(a, b) -> float:
        return max(0.0, min(a[2], b[2]) + 2 - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) + 1 - max(a[1], b[1]))

    left, right = x_range[0] * per_x, x_range[1] * per_x

    def clash(box, own: int) -> float:
        """How much of `box` other names (in full) and other circles (a quarter) cover, px², and
        how much of it lies past the map's left or right edge (on a phone, cut off there)."""
        outside = (max(0.0, left - box[0]) + max(0.0, box[2] - right)) * (box[3] - box[1])
        return sum(overlap(box, other) for other in taken) + outside + \
            sum(overlap(box, c) / 4 for i, c in enumerate(circles) if i != own)

    for i in sorted(range(len(xs)), key=lambda i: -sizes[i]):
        x, y, r = xs[i], ys[i], sizes[i] / 2
        w, h = text_px(str(names[i]), LABEL_SIZE), LABEL_SIZE + 4
        boxes = {"bottom center": (x - w / 2, y + r, x + w / 2, y + r + h),
                 "top center": (x - w / 2, y - r - h, x + w / 2, y - r),
                 "middle right": (x + r + 2, y - h / 2, x + r + 2 + w, y + h / 2),
                 "middle left": (x - r - 2 - w, y - h / 2, x - r - 2, y + h / 2)}
        place = min(LABEL_PLACES, key=lambda p: (clash(boxes[p], i), LABEL_PLACES.index(p)))
        places[i] = place
        taken.append(boxes[place])
    return places


def density_grid(cells: pd.DataFrame, x_range: tuple, y_range: tuple, mid_lat: float, steps: int = 90):
    """The incidents' density on a grid over the view: a Gaussian kernel about every cell, its width
    3 % of the view (at least about 400 m), the same on the ground east and north; scaled so that the
    densest point is 1, then square-rooted so that the quieter places still show beside the busiest."""
    gx = np.linspace(x_range[0], x_range[1], steps)
    gy = np.linspace(y_range[0], y_range[1], steps)
    sigma_y = max(0.004, 0.03 * max(y_range[1] - y_range[0], (x_range[1] - x_range[0]) * math.cos(math.radians(mid_lat))))
    sigma_x = sigma_y / math.cos(math.radians(mid_lat))
    # The cells lie on a lattice: each kernel is computed once per column and row of it, and the
    # weights summed as a (rows × columns) matrix. The products are numpy's own loops (einsum), not
    # a multithreaded BLAS call, whose threads spin on a shared core long after it returns.
    columns, column_of = np.unique(cells.lon.to_numpy(float), return_inverse=True)
    rows, row_of = np.unique(cells.lat.to_numpy(float), return_inverse=True)
    weight = np.zeros((len(rows), len(columns)))
    np.add.at(weight, (row_of, column_of), cells.incidents.to_numpy(float))
    kx = np.exp(-0.5 * ((gx[:, None] - columns[None, :]) / sigma_x) ** 2)      # grid x × lattice columns
    ky = np.exp(-0.5 * ((gy[:, None] - rows[None, :]) / sigma_y) ** 2)         # grid y × lattice rows
    z = np.einsum("ic,jc->ij", np.einsum("ir,rc->ic", ky, weight), kx)       # grid y × grid x
    top = z.max()
    z = np.sqrt(z / top) if top > 0 else z
    # Plain lists, rounded: the same JSON on screen and in the export, a few tens of kB.
    return np.round(gx, 5).tolist(), np.round(gy, 5).tolist(), np.round(z, 3).tolist()


def map_figure(areas: pd.DataFrame, posts: pd.DataFrame, cells: pd.DataFrame, color_by: str, size_by: str,
               lang: str, boundary: list | None = None) -> go.Figure:
    """Scenic areas (size: `size_by`, colour: `color_by`), posts by kind and the incidents' density.

    `areas`: dashboard.queries.geo.map_areas; `posts`: map_posts; `cells`: incident_cells;
    `boundary`: rings of (lon, lat) pairs, or None."""
    placed_areas = areas[areas.lon.notna() & areas.lat.notna()]
    placed_posts = posts[posts.lon.notna() & posts.lat.notna()]
    placed_cells = cells[cells.lon.notna() & cells.lat.notna() & (cells.incidents > 0)]
    if placed_areas.empty and placed_posts.empty and placed_cells.empty:
        return empty_figure(t("map.nothing_placed", lang), height=MAP_HEIGHT)
    color_metric, size_metric = BY_ID[color_by], BY_ID[size_by]
    color_word = color_metric.zh if lang == "zh" else color_metric.en
    size_word = size_metric.zh if lang == "zh" else size_metric.en
    fig = go.Figure()

    xs = pd.concat([placed_areas.lon, placed_posts.lon, placed_cells.lon])
    ys = pd.concat([placed_areas.lat, placed_posts.lat, placed_cells.lat])
    mid_lat = (float(ys.min()) + float(ys.max())) / 2
    pad_x = max(0.02, (float(xs.max()) - float(xs.min())) * 0.08)
    pad_y = max(0.02, (float(ys.max()) - float(ys.min())) * 0.1)
    x_range = (float(xs.min()) - pad_x, float(xs.max()) + pad_x)
    y_range = (float(ys.min()) - 1.6 * pad_y, float(ys.max()) + pad_y)    # room for the labels below

    for ring in boundary or []:
        fig.add_trace(go.Scatter(x=[p[0] for p in ring], y=[p[1] for p in ring], mode="lines", meta="boundary",
                                 line=dict(color=MUTED, width=1.2), hoverinfo="skip", showlegend=False))

    if not placed_cells.empty:
        gx, gy, z = density_grid(placed_cells, x_range, y_range, mid_lat)
        fig.add_trace(go.Contour(
            x=gx, y=gy, z=z, zmin=0, zmax=1, colorscale=DENSITY, showscale=False, ncontours=9, meta="density",
            contours=dict(coloring="fill", showlines=False), line=dict(width=0), hoverinfo="skip",
            name=t("map.density", lang), showlegend=True,
        ))

    incidents_word, visitors_word = t("map.incidents", lang), t("map.visitors", lang)
    sizes = _sizes(placed_areas[size_by])
    values = placed_areas[color_by]
    custom = pd.DataFrame({
        "area_code": placed_areas.area_code, "name": placed_areas.area_name,
        "incidents": placed_areas["incidents.total"], "visitors": placed_areas["visitors.total"],
        "value": [_fmt(v, color_metric.fmt, lang) for v in values],
    }).astype(object).to_numpy()
    hover = (f"<b>%{{customdata[1]}}</b><br>{incidents_word}: %{{customdata[2]:,d}}<br>"
             f"{visitors_word}: %{{customdata[3]:,d}}<br>{color_word}: %{{customdata[4]}}"
             f"<br><i>{t('map.click_to_drill', lang)}</i><extra></extra>")
    has = values.notna().to_numpy()
    higher = color_metric.higher_is_better is not False
    scale = GOOD_HIGH if higher else GOOD_HIGH[::-1]
    text = placed_areas.area_name.to_numpy()
    size_list = pd.Series(sizes, dtype=float).to_numpy()
    places = np.array(label_positions(placed_areas.lon, placed_areas.lat, text, sizes, x_range, y_range, mid_lat),
                      dtype=object)
    if has.any():
        lo, hi = float(values[has].min()), float(values[has].max())
        if hi - lo < 1e-9:                     # one value (or all alike): a scale around it
            lo, hi = lo - (0.05 if color_metric.fmt == "rate" else 0.5), hi + (0.05 if color_metric.fmt == "rate" else 0.5)
        fig.add_trace(go.Scatter(
            x=placed_areas.lon[has], y=placed_areas.lat[has], mode="markers+text", meta="areas", cliponaxis=False,
            name=t("map.areas", lang, size=size_word), text=text[has], textposition=places[has].tolist(),
            textfont=dict(size=LABEL_SIZE, color=INK), customdata=custom[has], hovertemplate=hover,
            marker=dict(size=size_list[has], color=values[has], colorscale=scale, opacity=0.75, cmin=lo, cmax=hi,
                        line=dict(color="white", width=1.5), showscale=True,
                        colorbar=dict(title=dict(text=color_word, side="top"), orientation="h", thickness=10,
                                      len=0.4, x=1.0, xanchor="right", y=1.0, yanchor="bottom",
                                      tickfont=dict(size=10),
                                      tickformat=".0%" if color_metric.fmt == "rate" else ",.1f")),
        ))
    if (~has).any():
        fig.add_trace(go.Scatter(
            x=placed_areas.lon[~has], y=placed_areas.lat[~has], mode="markers+text", meta="areas-none",
            cliponaxis=False,
            name=t("map.areas_none", lang, figure=color_word), text=text[~has], textposition=places[~has].tolist(),
            textfont=dict(size=LABEL_SIZE, color=MUTED), customdata=custom[~has], hovertemplate=hover,
            marker=dict(size=size_list[~has], color=GREY_OUT, opacity=0.8, line=dict(color="white", width=1.5)),
        ))

    room = placed_posts.post_type == POLICE_ROOM
    for (is_room, std), meta, symbol, color in POST_KINDS:
        kind = placed_posts[(room == is_room) & (placed_posts.standardized == std)]
        if kind.empty:
            continue
        where = [t("map.at_area", lang) if loc == "area" else "" for loc in kind.located]
        fig.add_trace(go.Scatter(
            x=kind.lon, y=kind.lat, mode="markers", meta=meta, name=t(f"map.{meta}", lang),
            marker=dict(symbol=symbol, size=10, color=color, line=dict(color=color, width=1.6)),
            customdata=pd.DataFrame({"code": kind.post_code, "name": kind.post_name, "where": where})
            .astype(object).to_numpy(),
            hovertemplate="<b>%{customdata[1]}</b><br>" + t(f"map.{meta}", lang) + "%{customdata[2]}<extra></extra>",
        ))

    axis = dict(showgrid=True, gridcolor=GRID, zeroline=False, ticks="", tickfont=dict(size=10, color=MUTED),
                ticksuffix="°", showline=False, mirror=False)
    fig.update_layout(
        height=MAP_HEIGHT, plot_bgcolor=LAND, margin=dict(l=40, r=10, t=58, b=10), dragmode="pan",
        hovermode="closest", legend=dict(orientation="h", yanchor="top", y=-0.09, x=0, font=dict(size=11)),
        xaxis=dict(axis, range=list(x_range), title_text=None),
        yaxis=dict(axis, range=list(y_range), title_text=None,
                   scaleanchor="x", scaleratio=1 / math.cos(math.radians(mid_lat)), constrain="range"),
        meta={"datum": "WGS-84/CGCS2000", "scaleratio": 1 / math.cos(math.radians(mid_lat))},
    )
    return fig


def weekday_figure(df: pd.DataFrame, lang: str) -> go.Figure:
    """Each weekday's share of the period's incidents, visitors and police person-times."""
    if df.empty or (df.incidents.sum() == 0 and df.visitors.sum() == 0 and df.person_times.sum() == 0):
        return empty_figure(t("empty.no_data", lang), height=340)
    days = [t(f"map.dow_{WEEKDAY_KEYS[d - 1]}", lang) for d in df.dow]
    fig = go.Figure()
    for col, key, color in (("incidents", "map.incidents", "#b83227"), ("visitors", "map.visitors", "#c98a14"),
                            ("person_times", "map.person_times", POLICE_BLUE)):
        total = float(df[col].sum())
        share = df[col] / total if total else df[col] * 0.0
        fig.add_trace(go.Bar(
            x=days, y=share, name=t(key, lang), marker_color=color, meta=col,
            customdata=df[[col, "days"]].astype(float).to_numpy(),
            hovertemplate=(f"%{{x}} · {t(key, lang)}<br>{t('map.share', lang)}: %{{y:.1%}}<br>"
                           f"{t('map.total', lang)}: %{{customdata[0]:,.0f}}"
                           f"（{t('map.days', lang)} %{{customdata[1]:,.0f}}）<extra></extra>"),
        ))
    fig.update_layout(
        barmode="group", height=340, margin=dict(l=10, r=10, t=10, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        yaxis=dict(tickformat=".0%", title_text=t("map.share_of_week", lang), gridcolor=GRID, rangemode="tozero"),
    )
    return fig


def hour_of_week_figure(df: pd.DataFrame, lang: str) -> go.Figure:
    """Incidents by day of the week and hour received, a 7 × 24 heatmap."""
    if df.empty or df.incidents.sum() == 0:
        return empty_figure(t("empty.no_data", lang), height=340)
    table = df.pivot(index="dow", columns="hour", values="incidents").sort_index()
    days = [t(f"map.dow_{WEEKDAY_KEYS[d - 1]}", lang) for d in table.index]
    word = t("map.incidents", lang)
    return go.Figure(go.Heatmap(
        z=table.to_numpy(), x=[f"{h:02d}" for h in table.columns], y=days, meta="hour_of_week",
        colorscale=[[0, "#f7f4ee"], [0.4, "#e9b872"], [1, "#b83227"]], xgap=1, ygap=1,
        colorbar=dict(title=dict(text=word, side="right"), thickness=10),
        hovertemplate=f"%{{y}} %{{x}}:00–%{{x}}:59<br>{word}: %{{z:,d}}<extra></extra>",
    ), layout=dict(height=340, margin=dict(l=10, r=10, t=10, b=10),
                   xaxis=dict(title_text=t("map.hour", lang), dtick=3, tickangle=0, type="category"),
                   yaxis=dict(autorange="reversed", type="category")))


def ratio_figure(weekly: pd.DataFrame, totals: pd.DataFrame, reference: dict, flagged: list, lang: str) -> go.Figure:
    """Police person-times per 10,000 visitors by area (rows) and week (columns), coloured by how
    far each lies from the reference ratio (blue above, red below); the flagged areas marked ⚑."""
    ref = reference.get("per_10k")
    if weekly.empty or weekly.per_10k.notna().sum() == 0 or not ref:
        return empty_figure(t("empty.no_data", lang), height=360)
    order = totals.sort_values("per_10k", na_position="last").area_code.tolist()
    names = dict(zip(totals.area_code, totals.area_name))
    ratio_by_area = dict(zip(totals.area_code, totals.per_10k))
    label = {a: ("⚑ " if a in flagged else "") + f"{names[a]}（{_fmt(ratio_by_area[a], 'per10k', lang)}）"
             if lang == "zh" else ("⚑ " if a in flagged else "") + f"{names[a]} ({_fmt(ratio_by_area[a], 'per10k', lang)})"
             for a in order}
    table = weekly.pivot(index="area_code", columns="week", values="per_10k").reindex(order)
    person = weekly.pivot(index="area_code", columns="week", values="person_times").reindex(order)
    visitors = weekly.pivot(index="area_code", columns="week", values="visitors").reindex(order)
    log_ratio = (table / ref).apply(lambda col: col.map(lambda v: math.log2(v) if v and v > 0 else (-3 if v == 0 else None)))
    word = t("map.per_10k", lang)
    custom = [[[_fmt(r, "per10k", lang), p, v] for r, p, v in zip(rr, pp, vv)]
              for rr, pp, vv in zip(table.to_numpy(), person.to_numpy(), visitors.to_numpy())]
    weeks = [w.strftime("%Y-%m-%d") for w in pd.to_datetime(table.columns)]
    fig = go.Figure(go.Heatmap(
        z=log_ratio.to_numpy(dtype=float), x=weeks, y=[label[a] for a in order], customdata=custom, meta="ratio",
        zmin=-3, zmax=3, zmid=0, xgap=1, ygap=1,
        colorscale=[[0, "#b83227"], [0.5, "#f2f2f2"], [1, "#1f4e8c"]],
        colorbar=dict(title=dict(text=t("map.vs_reference", lang), side="right"), thickness=10,
                      tickvals=[-3, -2, -1, 0, 1, 2, 3], ticktext=["⅛", "¼", "½", "1", "2", "4", "8"]),
        hovertemplate=(f"%{{y}}<br>{t('map.week_of', lang)} %{{x}}<br>{word}: %{{customdata[0]}}<br>"
                       f"{t('map.person_times', lang)}: %{{customdata[1]:,.1f}}<br>"
                       f"{t('map.visitors', lang)}: %{{customdata[2]:,.0f}}<extra></extra>"),
    ))
    fig.update_layout(
        height=max(260, 90 + 30 * len(order)), margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(type="category", tickangle=-45, nticks=12),
        yaxis=dict(type="category", automargin=True),
        annotations=[dict(text=t("map.reference_line", lang, ratio=_fmt(ref, "per10k", lang)), x=0, y=1.02,
                          xref="paper", yref="paper", xanchor="left", yanchor="bottom", showarrow=False,
                          font=dict(size=12, color=MUTED))],
    )
    return fig
