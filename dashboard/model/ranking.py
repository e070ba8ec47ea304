"""Judgements over tables of figures: which units and scenic areas lag, which weekly series depart.

`worst_first` orders rows of lag figures by their red/amber/green statuses
(`judgements.rag`); `departures` finds the metrics whose last complete week lies
beyond `baseline_z` standard deviations of the 12 before it. Pure: the queries
give the frames (`dashboard.queries.overview`), the pages and the briefing judge them here.
"""
from __future__ import annotations

import pandas as pd

from dashboard.model import judgements
from dashboard.model.catalog import BY_ID


# The figures a unit or scenic area is ranked on against its targets.
LAG_JUDGED = ("incidents.same_day_rate", "survey.satisfaction_rate", "incidents.response_median_min")


def _judged(row, mid: str):
    """The status of `mid` in a row; "few" (not judged) on fewer than the minimum records."""
    value, n = row.get(mid), row.get(f"{mid}#n")
    return judgements.rag(mid, value if pd.notna(value) else None, n if pd.notna(n) else None)


def lag_order(df: pd.DataFrame) -> pd.DataFrame:
    """Worst first: by how far below target the judged figures are, then by the same-day rate
    (a rate on too few records is neither judged nor used to order)."""
    scores, rates = [], []
    for _, row in df.iterrows():
        statuses = {mid: _judged(row, mid) for mid in LAG_JUDGED}
        scores.append(sum({"red": 2, "amber": 1}.get(s, 0) for s in statuses.values()))
        judged_rate = statuses["incidents.same_day_rate"] not in (None, "few")
        rates.append(row.get("incidents.same_day_rate") if judged_rate else None)
    df = df.assign(_lag=scores, _rate=pd.to_numeric(pd.Series(rates, index=df.index, dtype=object)))
    return df.sort_values(["_lag", "_rate"], ascending=[False, True], na_position="last",
                          kind="stable").drop(columns=["_lag", "_rate"])


def worst_first(df: pd.DataFrame, last_key: str | None = None) -> pd.DataFrame:
    """Rows of lag figures (a `key` each) in `lag_order`; the row keyed `last_key` (a parent's
    own records) comes last whatever its figures."""
    if df.empty:
        return df
    ordered = lag_order(df)
    if last_key is None:
        return ordered
    return pd.concat([ordered[ordered["key"] != last_key], ordered[ordered["key"] == last_key]])


def departures(series: list[tuple[str | None, str | None, pd.DataFrame]], metric_ids: list[str]) -> list[dict]:
    """The metrics whose last week departs from the 12 weeks before it, in each (unit, name,
    weekly frame) of `series`; the largest departure first. A rate on fewer than
    `min_survey_answers` records in its last week is not judged."""
    out = []
    for code, name, df in series:
        if len(df) < 8:
            continue
        for mid in metric_ids:
            values = pd.to_numeric(df[mid], errors="coerce").tolist()
            latest, history = values[-1], values[:-1]
            if getattr(BY_ID[mid], "is_rate", False):
                n = df[f"{mid}#n"].iloc[-1]
                if pd.isna(n) or n < judgements.min_survey_answers():
                    continue
            z = judgements.departs_from_baseline(history, None if pd.isna(latest) else latest)
            mean = sum(v for v in history if pd.notna(v)) / max(1, sum(pd.notna(v) for v in history))
            if (z is not None and mid == "incidents.total"
                    and abs(judgements.poisson_z(latest, mean)) <= judgements.POISSON_Z):
                z = None  # a jump of a handful of incidents is noise, however flat the baseline
            if z is not None:
                out.append({"unit": code, "unit_name": name, "metric": mid,
                            "week": df["key"].iloc[-1].date(), "value": latest, "baseline": mean, "z": z})
    return sorted(out, key=lambda a: -abs(a["z"]))
