"""KPI figures for a period: now, the period before, last year, and 12 weeks of history.

`kpi_figures` runs one query per flow source for all the periods and the 12 weeks
(`metrics.periods_query` with weeks: the rows read once, grouped by the period they
fall in and, apart, by their week), the stock sources' own queries beside, at the same
time on separate cursors; the figures themselves still come from `metrics.compute`,
which reads the rows those queries returned.
"""
from __future__ import annotations

import pandas as pd

from dashboard.model.filters import Filters, Scope
from dashboard.model.periods import Comparison, comparison_spans
from dashboard.model.values import KpiFigures, MetricValue
from dashboard.queries import db
from dashboard.queries.breakdown import concurrently, metric_frame_parts, metric_plan
from dashboard.queries.metrics import compute, periods_query, source_query


def weekly_series(weekly: pd.DataFrame, metric_id: str) -> pd.DataFrame:
    """One metric's history out of a weekly metric frame: key, value, n and partial."""
    return pd.DataFrame({"key": weekly["key"], "value": weekly.get(metric_id), "n": weekly.get(f"{metric_id}#n"),
                         "partial": weekly["partial"] if "partial" in weekly else False})


def metric_values(filters: Filters, scope: Scope, metric_ids: list[str]) -> dict[str, MetricValue]:
    return db.with_cursor(("metrics", filters, scope, tuple(metric_ids)),
                          lambda cur: compute(cur, filters, scope, metric_ids))


def _query_key(sql: str, params: dict) -> tuple:
    return sql, tuple(sorted((k, repr(v)) for k, v in params.items()))


def _source_row(sql: str, params: dict) -> tuple[list[str], tuple]:
    def run(cur):
        result = cur.execute(sql, params)
        return [d[0] for d in result.description], result.fetchone()
    return db.with_cursor(("source_row",) + _query_key(sql, params), run)


def _period_rows(sql: str, params: dict) -> tuple[list[str], list[str], list[tuple]]:
    """The rows of a `periods_query`: its column names (the keys first), their DuckDB types and its rows."""
    def run(cur):
        result = cur.execute(sql, params)
        return [d[0] for d in result.description], [str(d[1]) for d in result.description], result.fetchall()
    return db.with_cursor(("period_rows",) + _query_key(sql, params), run)


def _frame(names: list[str], types: list[str], rows: list[tuple]) -> pd.DataFrame:
    """Rows fetched as Python values, as DuckDB's own `.df()` gives them: whole numbers as int64
    (float64 when one is null), other numbers as float64, dates as datetime64."""
    columns = {}
    for j, (name, kind) in enumerate(zip(names, types)):
        values = [row[j] for row in rows]
        if kind == "DATE":
            columns[name] = pd.to_datetime(pd.Series(values, dtype=object))
        elif kind in ("BIGINT", "INTEGER") and None not in values:
            columns[name] = pd.Series(values, dtype="int64")
        else:
            columns[name] = pd.Series([None if v is None else float(v) for v in values], dtype="float64")
    return pd.DataFrame(columns)


class _Replay:
    """A stand-in connection for `compute`: answers the queries already run, runs any other."""

    def __init__(self, answers: dict, cursor):
        self._answers, self._cursor, self.description, self._row = answers, cursor, None, None

    def execute(self, sql, params=None):
        found = self._answers.get(_query_key(sql, params or {}))
        if found is None:
            result = self._cursor.execute(sql, params or {})
            found = [d[0] for d in result.description], result.fetchone()
        names, self._row = found
        self.description = [(n,) for n in names]
        return self

    def fetchone(self):
        return self._row


def metric_values_many(periods: list[Filters], scope: Scope, metric_ids: list[str], extra: list | None = None,
                       weeks: Filters | None = None) -> tuple[list[dict[str, MetricValue]], list]:
    """`metric_values` for several periods, with every (period, source) query run concurrently,
    together with the `extra` thunks (whose results come back second). With `weeks` (a KPI card's
    12 weeks), each source's statement is the one `kpi_figures` runs for these periods and weeks,
    so the two share it through the query cache; the weekly breakdown itself is not made."""
    values, _, results = _values_and_weeks(periods, weeks, scope, metric_ids, extra, weekly=False)
    return values, results


def _values_and_weeks(periods: list[Filters], weeks: Filters | None, scope: Scope, metric_ids: list[str],
                      extra: list | None = None, weekly: bool = True
                      ) -> tuple[list[dict[str, MetricValue]], pd.DataFrame | None, list]:
    """`metric_values_many`, and with `weeks` the weekly breakdown over them (`metric_frame(metric_ids,
    weeks, scope, "week")`): a source read once for its periods and its weeks where `periods_query`
    can, by the breakdown's own query otherwise."""
    _, _, by_source = metric_plan(metric_ids)
    weekly_q, weekly_finish = metric_frame_parts(metric_ids, weeks, scope, "week") if weeks and weekly else ([], None)
    queries, joint, weekly_of = {}, [], {}
    for i, (source_name, metrics) in enumerate(by_source.items()):
        together = periods_query(source_name, metrics, periods, scope, weeks) if len(periods) > 1 else None
        if together is not None:
            sql, params, span_of = together
            asked = [_query_key(*source_query(source_name, metrics, f, scope)) for f in periods]
            joint.append(((sql, params), {span: [k for k, s in zip(asked, span_of) if s == span] for span in span_of}))
            weekly_of[i] = len(joint) - 1
            continue
        for f in periods:
            sql, params = source_query(source_name, metrics, f, scope)
            queries.setdefault(_query_key(sql, params), (sql, params))
    own_weeks = [q for i, q in enumerate(weekly_q) if i not in weekly_of]
    thunks = ([(lambda q=q: _source_row(*q)) for q in queries.values()]
              + [(lambda q=q: _period_rows(*q)) for q, _ in joint] + own_weeks + list(extra or []))
    results = concurrently(thunks)
    answers = dict(zip(queries, results[:len(queries)]))
    joint_rows = results[len(queries):len(queries) + len(joint)]
    keyed = 2 if weeks is not None else 1   # the key columns ahead of the figures
    for (_, keys), (names, _, rows) in zip(joint, joint_rows):
        # A period with no records has no row here: `_Replay` runs its own query for it.
        for row in rows:
            if row[0] is not None and (weeks is None or row[1] is None):
                for key in keys[row[0]]:
                    answers[key] = names[keyed:], row[keyed:]
    values = [db.with_cursor(("metrics", f, scope, tuple(metric_ids)),
                             lambda cur, f=f: compute(_Replay(answers, cur), f, scope, metric_ids))
              for f in periods]
    rest = results[len(queries) + len(joint):]
    if not weekly_q:
        return values, None, rest
    own = iter(rest[:len(own_weeks)])
    parts = [_week_rows(*joint_rows[weekly_of[i]]) if i in weekly_of else next(own) for i in range(len(weekly_q))]
    return values, weekly_finish(parts), rest[len(own_weeks):]


def _week_rows(names: list[str], types: list[str], rows: list[tuple]) -> pd.DataFrame:
    """The weekly breakdown's frame out of a `periods_query` with weeks: its rows keyed by week alone."""
    return _frame(names[1:], types[1:], [row[1:] for row in rows if row[0] is None and row[1] is not None])


def kpi_figures(filters: Filters, against: Comparison, scope: Scope, metric_ids: list[str]) -> dict[str, KpiFigures]:
    """Each metric now, in the comparison periods `against`, and over the 12 weeks to the period's end."""
    f, prev, last, weeks = comparison_spans(filters, against)
    (now_v, prev_v, last_v), weekly, _ = _values_and_weeks([f, prev, last], weeks, scope, metric_ids)
    out = {}
    for mid in metric_ids:
        out[mid] = KpiFigures(now_v[mid], prev_v[mid], last_v[mid], weekly_series(weekly, mid))
    return out
