"""Catalog metrics broken down by time bucket, child unit or scenic area.

The same metric expressions as `metrics.compute`, grouped: by `week`
(Monday-based), `month` or `day` of their date column (stock metrics are
read at each bucket's last day), by `unit` (the given units, each with its
whole subtree), or by `area`. Rates come with their n and survey rates with
Wilson intervals, so a chart or table never shows a rate without its base.
Time buckets also say how much of them the period covers (`partial`,
`counted_from`, `counted_to`), so a chart can tell a week cut short by the
period's end from a real drop.
`concurrently` runs independent queries at once on separate cursors (DuckDB
releases the GIL), `unit_and_area_frames_parts` gives the by-unit and by-area
frames from one scan per source (grouping sets), and `unit_week_frames` gives every child unit's weekly
frame from one grouped query per source instead of one query set per unit. `left_join` is pandas'
left merge on a key the right side holds once, by position (merge's factorising costs milliseconds).
`TPD_QUERY_WORKERS` (default 4) caps the queries one process runs at once.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from pandas.api.extensions import take

from dashboard.model.breakdowns import REST
from dashboard.model.catalog import BY_ID, SOURCES, Metric, Ratio
from dashboard.model.filters import Filters, Scope
from dashboard.model.judgements import wilson
from dashboard.model.periods import GRAINS, bucket_after, buckets
from dashboard.queries import db
from dashboard.queries.metrics import aggregate_sql, select_list
from dashboard.queries.where import where_sql

_POOL_WORKERS = int(os.environ.get("TPD_QUERY_WORKERS", "4"))  # queries in flight per process
_pool: dict = {"pid": None, "executor": None}
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    with _pool_lock:
        # A forked web worker must not reuse its parent's (threadless) pool.
        if _pool["pid"] != os.getpid():
            _pool["executor"] = ThreadPoolExecutor(_POOL_WORKERS, thread_name_prefix="tpd-query",
                                                   initializer=db.mark_pool_thread)
            _pool["pid"] = os.getpid()
        return _pool["executor"]


def concurrently(thunks: list) -> list:
    """Call each thunk (a query function taking no arguments), in parallel; results in order.

    Each query takes its own cursor, so they overlap on separate cores. A thunk that
    itself calls `concurrently` runs its parts inline: waiting on the same pool from
    inside it could deadlock.
    """
    if len(thunks) <= 1 or db.in_pool_thread():
        return [thunk() for thunk in thunks]
    # Each thunk runs in a copy of this context: the request's pinned snapshot goes along.
    futures = [_executor().submit(contextvars.copy_context().run, thunk) for thunk in thunks]
    return [f.result() for f in futures]


def with_coverage(df: pd.DataFrame, filters: Filters, grain: str) -> pd.DataFrame:
    """`df` (one row per bucket, `key` its first day) with the days of each bucket the period
    covers: `counted_from`, `counted_to` (timestamps) and `partial` (the bucket runs past the
    period's first or last day, so its counts hold only some of its days)."""
    df = df.copy()
    if pd.api.types.is_datetime64_dtype(df["key"]):
        starts = df["key"].to_numpy().astype("datetime64[D]").tolist()   # dates, without a Timestamp each
    else:
        starts = [pd.Timestamp(k).date() for k in df["key"]]
    after_of = {s: bucket_after(s, grain) for s in set(starts)}     # many units share a few weeks
    afters = [after_of[s] for s in starts]
    df["counted_from"] = pd.to_datetime([max(s, filters.start) for s in starts])
    df["counted_to"] = pd.to_datetime([min(a - dt.timedelta(days=1), filters.end) for a in afters])
    df["partial"] = [s < filters.start or a - dt.timedelta(days=1) > filters.end for s, a in zip(starts, afters)]
    return df


def _source_frame(source_name: str, metrics: list[Metric], filters: Filters, scope: Scope,
                  by: str, group_units: list[str] | None, rest_key: str | None = None) -> pd.DataFrame:
    source = SOURCES[source_name]
    params: dict = {}
    selects = ", ".join(select_list(metrics, rollup=False))
    if by in GRAINS and source.is_stock:
        params["ends"] = [min(b_end, filters.end) for b_end in _bucket_ends(filters, by)]
        params["starts"] = buckets(filters, by)
        stock_filters = Filters(filters.start, filters.end, None, filters.area, None)
        where = where_sql(source, stock_filters, scope, params).replace("$end", "b.bucket_end")
        params.pop("end", None)
        unit_cond = ""
        if filters.unit:
            unit_cond = f" and {source.unit_expr} in (select unit_code from unit_closure where ancestor_code = $unit)"
            params["unit"] = filters.unit
        sql = (f"select b.bucket as key, {selects} "
               f"from (select unnest($starts) as bucket, unnest($ends) as bucket_end) b "
               f"left join {source.from_sql} on {where}{unit_cond} group by 1 order by 1")
        # count(*) over a left join counts the empty bucket's null row: count a column instead.
        sql = sql.replace("count(*)", f"count({source.start_expr})")
        return db.frame(sql, params)
    if by == "area" and not source.area_expr:
        return pd.DataFrame(columns=["key"])
    if by == "unit":
        params["group_units"] = group_units or []
        if rest_key is not None:
            params["rest_key"] = rest_key

    def keyed(src):
        if by in GRAINS:
            return [("key", f"cast(date_trunc('{by}', {src.date_expr}) as date)")], "", ""
        if by == "area":
            return [("key", src.area_expr)], "", f" and {src.area_expr} is not null"
        closure = ("(select unit_code, ancestor_code from unit_closure "
                   "where ancestor_code in (select unnest($group_units)))")
        if rest_key is None:
            return [("key", "uc.ancestor_code")], f"join {closure} uc on uc.unit_code = {src.unit_expr}", ""
        # Records in no compared unit (the parent's own, or with no unit) go under rest_key.
        # Joining the closure rows of the compared units only (not filtering in the join
        # condition) keeps the hash join's build side a few dozen rows.
        return ([("key", "coalesce(uc.ancestor_code, $rest_key)")],
                f"left join {closure} uc on uc.unit_code = {src.unit_expr}", "")
    if by not in GRAINS + ("unit", "area"):
        raise ValueError(by)
    return db.frame(aggregate_sql(source_name, metrics, filters, scope, params, keyed), params)


def _bucket_ends(filters: Filters, grain: str) -> list[dt.date]:
    starts = buckets(filters, grain)
    return [s - dt.timedelta(days=1) for s in starts[1:]] + [filters.end]


def metric_plan(metric_ids: list[str]) -> tuple[list, dict[str, Metric], dict[str, list[Metric]]]:
    """The requested metrics, the catalog metrics they need, and those grouped by source."""
    wanted = [BY_ID[i] for i in metric_ids]
    needed: dict[str, Metric] = {}
    for m in wanted:
        parts = [BY_ID[m.numerator], BY_ID[m.denominator]] if isinstance(m, Ratio) else [m]
        for p in parts:
            needed.setdefault(p.id, p)
    by_source: dict[str, list[Metric]] = {}
    for m in needed.values():
        by_source.setdefault(m.source, []).append(m)
    return wanted, needed, by_source


def _assemble(keys: pd.DataFrame | None, parts: list[pd.DataFrame], by: str,
              wanted: list, needed: dict[str, Metric], filters: Filters | None = None,
              on: tuple[str, ...] = ("key",)) -> pd.DataFrame:
    """Join the sources' frames on `on` (the key), then derive zero counts, ratios and Wilson intervals."""
    out = keys
    for part in parts:
        if by in GRAINS:
            part["key"] = pd.to_datetime(part["key"])
        if out is None:
            out = part
        elif keys is not None:
            out = left_join(out, part, list(on))
        else:
            out = out.merge(part, on=list(on), how="outer")
    for m in needed.values():
        if m.id in out and not m.is_rate and m.fmt in ("count", "yuan"):
            values = pd.to_numeric(out[m.id]).fillna(0)
            # A count stays an integer whether or not some bucket had no rows.
            out[m.id] = values.astype("int64") if m.fmt == "count" and (values % 1 == 0).all() else values
    for m in wanted:
        if isinstance(m, Ratio):
            den = pd.to_numeric(out[m.denominator]).astype(float)
            out[m.id] = (pd.to_numeric(out[m.numerator]).astype(float) * m.factor / den.where(den > 0))
            out[f"{m.id}#n"] = den
        elif m.wilson:
            bounds = [wilson(v if pd.notna(v) else None, int(n) if pd.notna(n) else None)
                      for v, n in zip(out[m.id], out[f"{m.id}#n"])]
            out[f"{m.id}#low"] = [b[0] for b in bounds]
            out[f"{m.id}#high"] = [b[1] for b in bounds]
    if by in GRAINS and filters is not None:
        out = with_coverage(out, filters, by)
    return out.reset_index(drop=True)


def left_join(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """`left.merge(right, on=on, how="left")` for a right side with one row per key: the same frame
    (right's values taken by position, as merge takes them: a column some key misses is promoted,
    int to float, bool to object) without merge's factorising, which cost milliseconds a join of a
    few dozen keys (strings, mostly)."""
    extra = [c for c in right.columns if c not in on]
    if len(on) == 1:
        wanted, found = left[on[0]].tolist(), right[on[0]].tolist()
    else:
        wanted = list(zip(*(left[c].tolist() for c in on)))
        found = list(zip(*(right[c].tolist() for c in on)))
    at = {key: i for i, key in enumerate(found)}
    if len(at) < len(found) or set(extra) & set(left.columns):
        return left.merge(right, on=on, how="left")
    positions = np.array([at.get(key, -1) for key in wanted], dtype="intp")
    taken = {c: take(right[c].array, positions, allow_fill=True) for c in extra}
    out = left.reset_index(drop=True)
    return pd.concat([out, pd.DataFrame(taken, index=out.index)], axis=1) if extra else out.copy()


def _keys(filters: Filters, by: str, group_units: list[str] | None, rest_key: str | None) -> pd.DataFrame | None:
    if by in GRAINS:
        return pd.DataFrame({"key": pd.to_datetime(buckets(filters, by))})
    if by == "unit":
        return pd.DataFrame({"key": list(group_units or []) + ([rest_key] if rest_key else [])}, dtype=object)
    return None


def metric_frame(metric_ids: list[str], filters: Filters, scope: Scope, by: str,
                 group_units: list[str] | None = None, rest_key: str | None = None) -> pd.DataFrame:
    """One row per bucket / unit / area: `key`, each metric, `<id>#n`, and `<id>#low/#high`.

    By unit, each of `group_units` counts its whole subtree; with `rest_key`,
    the records in none of them get a row of their own under that key.
    The sources' queries run concurrently.
    """
    thunks, finish = metric_frame_parts(metric_ids, filters, scope, by, group_units, rest_key)
    return finish(concurrently(thunks))


def metric_frame_parts(metric_ids: list[str], filters: Filters, scope: Scope, by: str,
                       group_units: list[str] | None = None, rest_key: str | None = None):
    """`metric_frame` in two steps, to batch its queries with others: the sources' query
    thunks, and the function that turns their results (in order) into the frame."""
    wanted, needed, by_source = metric_plan(metric_ids)
    thunks = [(lambda s=source_name, ms=metrics: _source_frame(s, ms, filters, scope, by, group_units, rest_key))
              for source_name, metrics in by_source.items()]
    return thunks, lambda parts: _assemble(_keys(filters, by, group_units, rest_key), parts, by, wanted, needed,
                                           filters)


def _unit_area_source(source_name: str, metrics: list[Metric], filters: Filters, scope: Scope,
                      units: list[str], rest_key: str) -> pd.DataFrame:
    """One flow source by child unit (those in none under `rest_key`) and by scenic area, in one
    scan: grouping sets, so each row is keyed by a `unit` or an `area` (the other null)."""
    params: dict = {"group_units": list(units), "rest_key": rest_key}

    def keyed(src):
        return ([("unit", "coalesce(uc.ancestor_code, $rest_key)"), ("area", src.area_expr)],
                f"left join (select unit_code, ancestor_code from unit_closure "
                f"where ancestor_code in (select unnest($group_units))) uc on uc.unit_code = {src.unit_expr}", "")
    return db.frame(aggregate_sql(source_name, metrics, filters, scope, params, keyed, each_key_alone=True), params)


def unit_and_area_frames_parts(metric_ids: list[str], filters: Filters, scope: Scope, units: list[str],
                               rest_key: str):
    """`metric_frame(..., "unit", units, rest_key)` and `metric_frame(..., "area")` from one query per
    source (each source's rows read once), in two steps like `metric_frame_parts`: the thunks, and
    the function that turns their results into the (units, areas) frames."""
    wanted, needed, by_source = metric_plan(metric_ids)
    if any(SOURCES[s].is_stock or not SOURCES[s].area_expr for s in by_source):
        unit_q, unit_finish = metric_frame_parts(metric_ids, filters, scope, "unit", units, rest_key)
        area_q, area_finish = metric_frame_parts(metric_ids, filters, scope, "area")
        return unit_q + area_q, lambda parts: (unit_finish(parts[:len(unit_q)]), area_finish(parts[len(unit_q):]))

    def finish(frames):
        unit_parts, area_parts = [], []
        for f in frames:
            by_unit = f["unit"].notna()
            unit_parts.append(f[by_unit].drop(columns="area").rename(columns={"unit": "key"}).reset_index(drop=True))
            area_parts.append(f[~by_unit & f["area"].notna()].drop(columns="unit").rename(columns={"area": "key"})
                              .reset_index(drop=True))
        return (_assemble(_keys(filters, "unit", units, rest_key), unit_parts, "unit", wanted, needed, filters),
                _assemble(None, area_parts, "area", wanted, needed, filters))
    return [(lambda s=source_name, ms=metrics: _unit_area_source(s, ms, filters, scope, units, rest_key))
            for source_name, metrics in by_source.items()], finish


def _unit_week_source(source_name: str, metrics: list[Metric], filters: Filters, scope: Scope,
                      units: list[str]) -> pd.DataFrame:
    """One flow source by (child unit, week): each unit counts its whole subtree."""
    params: dict = {"group_units": list(units)}

    def keyed(src):
        return ([("unit", "uc.ancestor_code"), ("key", f"cast(date_trunc('week', {src.date_expr}) as date)")],
                f"join (select unit_code, ancestor_code from unit_closure "
                f"where ancestor_code in (select unnest($group_units))) uc on uc.unit_code = {src.unit_expr}", "")
    return db.frame(aggregate_sql(source_name, metrics, filters, scope, params, keyed), params)


def unit_week_frames(metric_ids: list[str], filters: Filters, scope: Scope,
                     units: list[str]) -> dict[str, pd.DataFrame]:
    """For each of `units` (all within `filters.unit`, when set), what
    `metric_frame(metric_ids, <filters narrowed to that unit>, scope, "week")` gives,
    from one query per source grouped by unit and week rather than one per unit."""
    thunks, finish = unit_week_frames_parts(metric_ids, filters, scope, units)
    return finish(concurrently(thunks))


def unit_week_frames_parts(metric_ids: list[str], filters: Filters, scope: Scope, units: list[str]):
    """`unit_week_frames` in two steps, like `metric_frame_parts`."""
    by_source = metric_plan(metric_ids)[2]
    if not units:
        return [], lambda parts: {}
    if any(SOURCES[s].is_stock for s in by_source):  # read at each bucket's end: keep the general path
        return [], lambda parts: {
            code: metric_frame(metric_ids, Filters(filters.start, filters.end, code, filters.area, filters.season),
                               scope, "week") for code in units}
    return ([(lambda s=source_name, ms=metrics: _unit_week_source(s, ms, filters, scope, units))
             for source_name, metrics in by_source.items()], _unit_weeks_finish(metric_ids, filters, units))


def _unit_weeks_finish(metric_ids: list[str], filters: Filters, units: list[str]):
    """The function that turns each source's rows by (unit, week) into each unit's weekly frame."""
    wanted, needed, _ = metric_plan(metric_ids)

    def finish(frames):
        # Every unit's weeks assembled at once (one merge per source, not one per unit and source),
        # then split: the same frames as assembling each unit alone.
        grid = pd.DataFrame({"unit": list(units)}, dtype=object).merge(_keys(filters, "week", None, None), how="cross")
        parts = [f.astype({"unit": object}) for f in frames]
        whole = _assemble(grid, parts, "week", wanted, needed, filters, on=("unit", "key"))
        whole["key"] = whole["key"].astype(grid["key"].dtype)
        # The grid is unit by unit, each its weeks in order, and assembling keeps its rows' order:
        # each unit's frame is its block of rows (a groupby's split cost more than the assembly).
        weeks, whole = len(grid) // len(units), whole.drop(columns="unit")
        return {code: whole.iloc[i * weeks:(i + 1) * weeks].reset_index(drop=True) for i, code in enumerate(units)}
    return finish


def _week_and_unit_week_source(source_name: str, metrics: list[Metric], filters: Filters, scope: Scope,
                               units: list[str]) -> pd.DataFrame:
    """One flow source by week and by (child unit, week) in one scan (grouping sets): a row per
    week with the unit null, and one per unit and week, each unit counting its whole subtree
    (the records in none of them under `REST`)."""
    params: dict = {"group_units": list(units), "rest_key": REST}

    def keyed(src):
        return ([("unit", "coalesce(uc.ancestor_code, $rest_key)"),
                 ("key", f"cast(date_trunc('week', {src.date_expr}) as date)")],
                (f"left join (select unit_code, ancestor_code from unit_closure "
                 f"where ancestor_code in (select unnest($group_units))) uc on uc.unit_code = {src.unit_expr}"), "")
    return db.frame(aggregate_sql(source_name, metrics, filters, scope, params, keyed, grouping_sets=((1,), (0, 1))),
                    params)


def week_and_unit_week_frames_parts(metric_ids: list[str], filters: Filters, scope: Scope, units: list[str]):
    """`metric_frame(metric_ids, filters, scope, "week")` and `unit_week_frames(metric_ids, filters,
    scope, units)` from one query per source (each source's rows read once), in two steps like
    `metric_frame_parts`: the thunks, and the function that turns their results into (the view's
    weekly frame, each unit's)."""
    wanted, needed, by_source = metric_plan(metric_ids)
    if not units or any(SOURCES[s].is_stock for s in by_source):
        whole_q, whole_finish = metric_frame_parts(metric_ids, filters, scope, "week")
        units_q, units_finish = unit_week_frames_parts(metric_ids, filters, scope, units)
        return whole_q + units_q, lambda parts: (whole_finish(parts[:len(whole_q)]),
                                                 units_finish(parts[len(whole_q):]))
    units_finish = _unit_weeks_finish(metric_ids, filters, units)

    def finish(frames):
        whole_parts, unit_parts = [], []
        for f in frames:
            of_view = f["unit"].isna()
            whole_parts.append(f[of_view].drop(columns="unit").reset_index(drop=True))
            unit_parts.append(f[~of_view & (f["unit"] != REST)].reset_index(drop=True))
        whole = _assemble(_keys(filters, "week", None, None), whole_parts, "week", wanted, needed, filters)
        return whole, units_finish(unit_parts)
    return [(lambda s=source_name, ms=metrics: _week_and_unit_week_source(s, ms, filters, scope, units))
            for source_name, metrics in by_source.items()], finish
