"""Tables as a real grid (AG Grid): sorting, filtering, resizing, Chinese controls."""
from __future__ import annotations

import dash_ag_grid as dag

from dashboard.text.common import GRID_LOCALE_ZH


def grid(grid_id: str, column_defs: list[dict], row_data: list[dict], lang: str,
         height: int = 320, row_id: str | None = None, **options) -> dag.AgGrid:
    """A grid; with `row_id`, a clicked cell reports that field of its row as `rowId`."""
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
        style={"height": f"{height}px", "width": "100%"},
        className="ag-theme-quartz tpd-grid",
    )


def rate_cell_style(metric_field: str, target: float, amber: float, lower_is_better: bool = False) -> dict:
    """Red / amber / green text for a rate column, computed in the browser per cell."""
    if lower_is_better:
        rules = [{"condition": f"params.value != null && params.value > {amber}", "style": {"color": "#b83227", "fontWeight": 600}},
                 {"condition": f"params.value != null && params.value > {target}", "style": {"color": "#c98a14", "fontWeight": 600}}]
    else:
        rules = [{"condition": f"params.value != null && params.value < {amber}", "style": {"color": "#b83227", "fontWeight": 600}},
                 {"condition": f"params.value != null && params.value < {target}", "style": {"color": "#c98a14", "fontWeight": 600}}]
    return {"styleConditions": rules, "defaultStyle": {"color": "#2e7d4f"}}
