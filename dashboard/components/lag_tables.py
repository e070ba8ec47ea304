"""The overview's lag tables: the units and scenic areas that lag most, their figures judged against targets.

Short headers with the full name as tooltip (a file export gets the full
names); a rate on fewer than the minimum records is grey and says 样本不足.
"""
from __future__ import annotations

import json

from dashboard.components.grid import few_condition, rate_cell_style, records
from dashboard.model import judgements
from dashboard.model.catalog import BY_ID
from dashboard.text import t

# The figures of the lag tables: (field, short header key, d3 format, field of its n, min width).
LAG_COLUMNS = (
    ("incidents.same_day_rate", "overview.col.same_day", ".1%", "incidents.same_day_rate#n", 128),
    ("incidents.response_median_min", "overview.col.response", ".1f", "incidents.response_median_min#n", 128),
    ("survey.satisfaction_rate", "overview.col.satisfaction", ".1%", "survey.satisfaction_rate#n", 128),
    ("survey.satisfaction_rate#n", "overview.col.responses", ",", None, 84),
    ("incidents.total", "overview.col.incidents", ",d", None, 72),
    ("incidents.per_10k_visitors", "overview.col.per_10k", ".2f", None, 80),
)


def lag_columns(lang: str, name_header: str, full_headers: bool = False) -> list[dict]:
    """The lag tables' columns: short headers with the full name as tooltip (a file export gets
    the full names); a rate on fewer than the minimum records is grey and says 样本不足."""
    min_n = judgements.min_survey_answers()
    few = json.dumps("\u2002" + t("overview.too_few", lang), ensure_ascii=False)

    def col(field, short_key, fmt, n_field, width):
        full = (BY_ID[field].zh if lang == "zh" else BY_ID[field].en) if field in BY_ID \
            else t("overview.col.responses_full", lang)
        shown = f"d3.format('{fmt}')(params.value)"
        if n_field:
            shown += f" + ({few_condition(n_field, min_n)} ? {few} : '')"
        spec = {"field": field, "headerName": full if full_headers else t(short_key, lang), "headerTooltip": full,
                "type": "numericColumn", "minWidth": width, "width": width, "filter": False,
                "wrapHeaderText": False, "autoHeaderHeight": False,
                "valueFormatter": {"function": f"params.value == null ? '—' : {shown}"}}
        target = judgements.target_of(field)
        if target:
            spec["cellStyle"] = rate_cell_style(field, target["target"], target.get("amber", target["target"]),
                                                target.get("lower_is_better", False), n_field, min_n)
        return spec
    return [{"field": "name", "headerName": name_header, "pinned": "left", "minWidth": 150, "width": 160, "filter": False,
             "cellClass": "tpd-drill-cell", "tooltipField": "name"}] + [col(*c) for c in LAG_COLUMNS]


def lag_rows(df) -> list[dict]:
    """Rows with the figures shown and the n behind each judged rate (the grid greys a rate on few)."""
    if df.empty:
        return []
    keep = ["key", "name"] + [c[0] for c in LAG_COLUMNS] + [c[3] for c in LAG_COLUMNS if c[3]]
    keep = list(dict.fromkeys(k for k in keep if k in df))
    return records(df[keep])
