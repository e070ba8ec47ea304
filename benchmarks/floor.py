"""The floor of the stack for a callback: DuckDB's own scan of the rows the callback reads.

While a callback runs uncached, every statement it sends to the warehouse is
recorded (`recording`). Its floor is then, for each catalog table those statements
name and each distinct set of filters they pass (period, unit, area, scope),
one bare grouped scan of the same rows: `select <unit>, count(*)[, median(seconds)]
from <table> where <the same conditions> group by 1` — what DuckDB itself needs
to read them once; the survey comments' mart is read so too, with the surveys'
conditions. Tables outside the catalog (reference data, the votes) are scanned
whole when large. Ratio = callback ÷ floor.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from contextlib import contextmanager
from dataclasses import replace

from dashboard.model.catalog import (INCIDENT_MIX_ROLLUP, SOURCES, SURVEY_ANSWERS_ROLLUP, SURVEY_PROFILE_ROLLUP,
                                     Source)
from dashboard.model.filters import Filters, Scope
from dashboard.queries.where import where_sql

_TABLE = re.compile(r"\b(?:from|join)\s+([a-z_]+)\b", re.IGNORECASE)
# The median each table's records are read for, when the pages take one from it.
_MEDIAN = {"incident_response": "r.response_s"}
_SMALL = 20_000  # rows: a table below this is reference data, its scan is noise


def _catalog_tables() -> dict[str, Source]:
    out = {}
    for s in list(SOURCES.values()) + [SURVEY_PROFILE_ROLLUP, SURVEY_ANSWERS_ROLLUP, INCIDENT_MIX_ROLLUP]:
        for src in (s, s.rollup, s.medians, s.median_bands, s.median_values):
            if src is not None:
                out.setdefault(src.from_sql.split()[0], src)
    # The comments' mart holds survey records whole (warehouse.marts): its rows of a view are read
    # with the surveys' own conditions, not counted whole (a bare count(*) reads no rows at all).
    out["survey_feedback"] = replace(SOURCES["surveys"], name="survey_feedback", from_sql="survey_feedback r",
                                     rollup=None)
    return out


TABLES = _catalog_tables()


class _Recorder:
    def __init__(self, cursor, statements: list):
        self._cursor, self._statements = cursor, statements

    def execute(self, sql, params=None, *args, **kw):
        self._statements.append((sql, dict(params or {})))
        return self._cursor.execute(sql, params or {}, *args, **kw)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


@contextmanager
def recording():
    """Record (sql, params) of every statement run through the query layer in the block."""
    from dashboard.queries import db

    statements: list = []
    original = db._run

    def run(fn):
        return original(lambda cur: fn(_Recorder(cur, statements)))
    db._run = run
    try:
        yield statements
    finally:
        db._run = original


def _filters_of(params: dict) -> list[Filters]:
    """The periods a statement reads: its own, or each of a KPI card's (`period_start<j>`)."""
    unit, area = params.get("unit"), params.get("area")
    if "period_start0" in params:
        return [Filters(params[f"period_start{j}"], params[f"period_end{j}"] - dt.timedelta(days=1), unit, area)
                for j in range(sum(k.startswith("period_start") for k in params))]
    if "start" in params and "end_next" in params:
        return [Filters(params["start"], params["end_next"] - dt.timedelta(days=1), unit, area)]
    if "end" in params and isinstance(params["end"], dt.date):
        return [Filters(params["end"], params["end"], unit, area)]
    return []


def floor_statements(statements: list, sizes: dict[str, int]) -> list[tuple[str, dict]]:
    """The bare scans of the rows `statements` read, each distinct scan once."""
    scans: dict = {}
    for sql, params in statements:
        periods = _filters_of(params)
        scope = Scope(params["scope_unit"]) if "scope_unit" in params else Scope.city()
        for table in set(_TABLE.findall(sql)):
            table = table.lower()
            src = TABLES.get(table)
            if src is not None and periods:
                for filters in periods:
                    p: dict = {}
                    where = where_sql(src, filters, scope, p)
                    median = f", median({_MEDIAN[table]})" if table in _MEDIAN else ""
                    scan = (f"select {src.unit_expr} as k, count(*){median} from {src.from_sql} "
                            f"where {where} group by 1")
                    scans.setdefault((scan, tuple(sorted((k, repr(v)) for k, v in p.items()))), (scan, p))
            elif sizes.get(table, 0) >= _SMALL:
                scan = f"select count(*) from {table}"
                scans.setdefault((scan, ()), (scan, {}))
    return list(scans.values())


def table_sizes(con) -> dict[str, int]:
    names = [r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()]
    return {n: con.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}


def time_floor(con, scans: list[tuple[str, dict]]) -> float:
    """Seconds DuckDB takes to run the scans one after another (what a callback's queries add up to
    if each read its rows once, bare)."""
    t0 = time.perf_counter()
    for sql, params in scans:
        con.execute(sql, params).fetchall()
    return time.perf_counter() - t0
