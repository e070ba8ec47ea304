"""Tables as a real grid (AG Grid): sorting, filtering, resizing, Chinese controls."""
from __future__ import annotations

import math

import dash_ag_grid as dag
import pandas as pd

from dashboard.text.common import GRID_LOCALE_ZH

BUNDLE = "dash_ag_grid.min.js"
# A script of a type the browser does not run is neither fetched nor run; assets/lazy_grid.js finds it
# by the data attribute and loads its source when a grid first comes near the screen.
DEFERRED = {"type": "text/tpd-deferred", "data-tpd-grid-bundle": "true"}


def defer_grid_bundle() -> None:
    """Dash writes dash-ag-grid's bundle into every page as a script tag that the browser does not
    run: assets/lazy_grid.js loads it (from the same fingerprinted URL) where a grid is shown."""
    for i, resource in enumerate(dag._js_dist):
        if resource.get("relative_package_path") == BUNDLE:
            dag._js_dist[i] = {**resource, "attributes": {**resource.get("attributes", {}), **DEFERRED}}


def grid(grid_id: str, column_defs: list[dict], row_data: list[dict], lang: str,
         height: int | str = 320, row_id: str | None = None, **options) -> dag.AgGrid:
    """A grid; with `row_id`, a clicked cell reports that field of its row as `rowId`.
    `height`: pixels, or any CSS height (one that follows the window, say)."""
    # Metric ids contain dots: fields are names, not paths into nested objects.
    grid_options = {"localeText": GRID_LOCALE_ZH if lang == "zh" else {}, "animateRows": False,
                    "tooltipShowDelay": 300, "suppressFieldDotNotation": True, **options}
    extra = {"getRowId": f"params.data['{row_id}']"} if row_id else {}
    return dag.AgGrid(
        id=grid_id,
        **extra,
        columnDefs=column_defs,
        rowData=row_data,
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 80,
                       "wrapHeaderText": True, "autoHeaderHeight": True},
        columnSize="responsiveSizeToFit",
        dashGridOptions=grid_options,
        style={"height": f"{height}px" if isinstance(height, int) else height, "width": "100%"},
        className="ag-theme-quartz tpd-grid",
    )


FEW_STYLE = {"color": "#9aa3ae", "fontStyle": "italic"}


def rate_cell_style(metric_field: str, target: float, amber: float, lower_is_better: bool = False,
                    n_field: str | None = None, min_n: int | None = None) -> dict:
    """Red / amber / green text for a rate column, computed in the browser per cell; with `n_field`,
    a cell whose row has fewer than `min_n` records there is grey instead: too few to judge."""
    if lower_is_better:
        rules = [{"condition": f"params.value != null && params.value > {amber}", "style": {"color": "#b83227", "fontWeight": 600}},
                 {"condition": f"params.value != null && params.value > {target}", "style": {"color": "#c98a14", "fontWeight": 600}}]
    else:
        rules = [{"condition": f"params.value != null && params.value < {amber}", "style": {"color": "#b83227", "fontWeight": 600}},
                 {"condition": f"params.value != null && params.value < {target}", "style": {"color": "#c98a14", "fontWeight": 600}}]
    if n_field and min_n:
        rules.insert(0, {"condition": few_condition(n_field, min_n), "style": FEW_STYLE})
    rules.insert(0, {"condition": "params.value == null", "style": {"color": "#9aa3ae"}})  # "—" is not on target
    return {"styleConditions": rules, "defaultStyle": {"color": "#2e7d4f"}}


def few_condition(n_field: str, min_n: int) -> str:
    """The JavaScript test of a row with too few records behind `n_field` (the grid's rows are ours)."""
    return f"params.data != null && params.data[{n_field!r}] != null && params.data[{n_field!r}] < {int(min_n)}"


def records(df) -> list[dict]:
    """A frame's rows as the grid takes them: plain values, None for missing.

    Column by column (`tolist` gives Python values), not through `astype(object)` and
    `to_dict`, which box every cell: a few hundred rows cost milliseconds that way."""
    if df.empty:
        return []
    names = list(df.columns)
    return [dict(zip(names, row)) for row in zip(*(_plain(df.iloc[:, i]) for i in range(len(names))))]


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _plain(column) -> list:
    values = column.tolist()
    return [None if _missing(v) else v for v in values] if column.hasnans else values


def number_format(d3: str, empty: str = "—") -> dict:
    """A column's valueFormatter: the d3 format, or `empty` for a missing value."""
    return {"function": f"params.value == null ? '{empty}' : d3.format('{d3}')(params.value)"}


def pinned_rows(where: str):
    """A grid's options (`Grid.options`) that pin the table's total row on top or at the bottom."""
    from dash import Patch

    def options(table, ask):
        patch = Patch()
        patch[f"pinned{where.title()}RowData"] = getattr(table, f"pinned_{where}")
        return patch
    return options
