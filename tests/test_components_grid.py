"""A grid takes its rows as plain Python values, None wherever a value is missing."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.components.grid import records


def test_rows_are_plain_values_with_none_for_every_kind_of_missing_value():
    df = pd.DataFrame({
        "name": pd.Series(["a", None], dtype="str"), "count": [3, 4], "share": [0.5, np.nan],
        "days": pd.array([2, None], dtype="Int64"), "at": pd.to_datetime(["2026-11-22 08:30", None]),
        "day": [dt.date(2026, 11, 22), None], "flag": [True, False]})
    rows = records(df)
    assert rows == [
        {"name": "a", "count": 3, "share": 0.5, "days": 2, "at": pd.Timestamp("2026-11-22 08:30"),
         "day": dt.date(2026, 11, 22), "flag": True},
        {"name": None, "count": 4, "share": None, "days": None, "at": None, "day": None, "flag": False}]
    assert [type(v) for v in rows[0].values()] == [str, int, float, int, pd.Timestamp, dt.date, bool]
    assert records(df.iloc[0:0]) == []


def test_rows_are_what_a_frame_boxed_cell_by_cell_gives():
    df = pd.DataFrame({"x": [1.5, np.nan, 2.0], "n": [1, 2, 3], "s": pd.Series(["p", None, "q"], dtype="str")})
    boxed = df.astype(object).where(df.notna(), None).to_dict("records")
    assert [[(k, type(v), v) for k, v in r.items()] for r in records(df)] == \
        [[(k, type(v), v) for k, v in r.items()] for r in boxed]
