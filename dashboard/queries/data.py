"""Queries behind the Data page: load log, per-file results, quarantine, freshness.

These read the warehouse's bookkeeping (`load_log`, `load_files`,
`quarantine`) and the typed tables' sizes, not a catalog source, so the
unit, scenic-area and season filters do not apply; the period selects
batches by the time their load started (the page's own default is
`recent_window`: the latest batches, whatever the shared period). Without
a selected batch the file and quarantine queries cover every batch of the
period; with one (`batch`), just that batch, whenever it ran. Bookkeeping is not unit-scoped (a
quarantined row may belong to any unit), so only a city-wide scope sees it:
for a unit scope every query returns no rows, in SQL (`$city`).

PII: quarantine keeps the file's original text. Values of PII columns
(phone, voter_key) are shown only as "masked"; a malformed line of a record
type that has a PII column is masked whole (its cells cannot be told apart);
everything else, messages and raw records included, goes through
`mask_sql`, and the raw record has its PII keys replaced.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.model.catalog import SOURCES
from dashboard.model.filters import Filters, Scope
from dashboard.privacy import mask_sql
from dashboard.queries import db
from warehouse.record_types import RECORD_TYPES

STATUSES = ("committed", "refused", "interrupted", "failed")
REASONS = ("missing", "bad_value", "out_of_range", "before_start", "half_pair", "unknown_reference", "cycle",
           "duplicate", "malformed")
PII_COLUMNS = tuple(sorted({c.name for rt in RECORD_TYPES for c in rt.columns if c.pii}))
PII_TYPES = tuple(rt.name for rt in RECORD_TYPES if any(c.pii for c in rt.columns))
# Freshness: a flow type is amber after this many days without a record, red after the next.
STALE_AMBER_DAYS = 7
STALE_RED_DAYS = 31
CAMPAIGN_TYPES = ("nominations",)   # entered once per selection campaign: no daily rhythm
QUARANTINE_LIMIT = 2000
# The data page's default period: this many days back, longer if needed to hold this many batches.
RECENT_DAYS = 30
RECENT_BATCHES = 20
TS_FMT = "%Y-%m-%d %H:%M:%S"


def kind_of(rt) -> str:
    """reference (counts only) · stock (dated, never stale) · campaign (likewise) · flow (goes stale)."""
    if rt.reference:
        return "reference"
    source = SOURCES.get(rt.name)
    if source is not None and source.is_stock:
        return "stock"
    return "campaign" if rt.name in CAMPAIGN_TYPES else "flow"


def _base(scope: Scope) -> dict:
    return {"city": scope.unit is None}


def _batches_where(filters: Filters, batch: str | None, params: dict) -> str:
    """Which batches: the selected one, or those that started in the period."""
    if batch:
        params["batch"] = batch
        return "l.batch_id = $batch"
    params["start"] = filters.start
    params["end_next"] = filters.end + dt.timedelta(days=1)
    return "l.started_at >= $start and l.started_at < $end_next"


# A message stored as "中文 / English", as its Chinese and its English half; others as they are.
_MESSAGE_ZH = r"case when regexp_matches(l.message, '\s?/ ') then regexp_extract(l.message, '^(.*?)\s?/ ', 1) " \
              r"else l.message end"
_MESSAGE_EN = r"case when regexp_matches(l.message, '\s?/ ') then regexp_replace(l.message, '^.*?\s?/ ', '') " \
              r"else l.message end"
_MESSAGES = f"{mask_sql(_MESSAGE_ZH)} as message_zh, {mask_sql(_MESSAGE_EN)} as message_en"


def freshness(scope: Scope, today: dt.date) -> pd.DataFrame:
    """One row per record type, in load order: rows, latest record day, last load, days, status.

    Independent of the period: freshness is measured against today. Status is
    `ok` / `amber` / `red` for flow types and null for the others.
    """
    counts = "\n        union all ".join(
        f"select '{rt.name}' as record_type, count(*)::bigint as n_rows, "
        + (f"max({rt.date_column})::date" if rt.date_column and not rt.reference else "null::date")
        + f" as latest from {rt.table}"
        for rt in RECORD_TYPES
    )
    # DuckDB reads the counts and latest days (from its statistics) and the last loads; the types'
    # own facts and the days since are put beside them here, for fourteen rows.
    found = db.frame(f"""
        with counts as (
            {counts}
        ), loads as (
            select f.record_type, max(l.finished_at) as last_load
            from load_files f join load_log l on l.batch_id = f.batch_id
            where l.status = 'committed' group by f.record_type
        )
        select c.n_rows, c.latest, strftime(ld.last_load, '%Y-%m-%d %H:%M') as last_load
        from counts c left join loads ld using (record_type) where $city
        order by list_position($names, c.record_type)
    """, {**_base(scope), "names": [rt.name for rt in RECORD_TYPES]})
    types = RECORD_TYPES if len(found) else []
    kinds = [kind_of(rt) for rt in types]
    latest = [None if pd.isna(v) else v.date() for v in found["latest"]]
    days = [None if kind == "reference" or day is None else (today - day).days for kind, day in zip(kinds, latest)]
    return pd.DataFrame({
        "record_type": pd.Series([rt.name for rt in types], dtype="str"),
        "type_zh": pd.Series([rt.zh for rt in types], dtype="str"), "kind": pd.Series(kinds, dtype="str"),
        "date_column": pd.Series([rt.date_column or None for rt in types], dtype="str"),
        "n_rows": found["n_rows"], "latest": found["latest"], "last_load": found["last_load"],
        "days": pd.array(days, dtype="Int64"),
        "status": pd.Series([_status(kind, day, n) for kind, day, n in zip(kinds, latest, days)], dtype="str")})


def _status(kind: str, latest: dt.date | None, days: int | None) -> str | None:
    if kind != "flow":
        return None
    if latest is None or days > STALE_RED_DAYS:
        return "red"
    return "amber" if days > STALE_AMBER_DAYS else "ok"


def recent_window(scope: Scope, today: dt.date) -> tuple[dt.date, dt.date]:
    """The data page's own default period: the last `RECENT_DAYS` days, reaching back to hold at
    least the latest `RECENT_BATCHES` batches, and forward to the latest one.

    A clerk opening the page wants the latest loads whatever the calendar says (on the 1st of a
    month, 本月 would hide last month's quarantine). Loads are stamped by the wall clock, which
    may run past a pinned `today`: the window then ends on the day of the latest load.
    """
    start, end = today - dt.timedelta(days=RECENT_DAYS - 1), today
    found = db.rows("""
        select min(started_at)::date, max(started_at)::date from (
            select l.started_at from load_log l where $city and l.started_at is not null
            order by l.started_at desc limit $n)
    """, {**_base(scope), "n": RECENT_BATCHES})
    first, last = found[0] if found else (None, None)
    if first is not None:
        start, end = min(start, first), max(end, last)
    return start, end


def batch_ids(scope: Scope) -> set[str]:
    """Every batch in the load log: the values a `q` in the URL may take."""
    df = db.frame("select batch_id from load_log where $city and batch_id is not null", _base(scope))
    return set(df["batch_id"])


def load_log(filters: Filters, scope: Scope) -> pd.DataFrame:
    """The batches that started in the period, newest first, message in Chinese and in English."""
    params = _base(scope)
    where = _batches_where(filters, None, params)
    return db.frame(f"""
        select l.batch_id, strftime(l.started_at, '{TS_FMT}') as started_at,
               strftime(l.finished_at, '{TS_FMT}') as finished_at,
               date_diff('millisecond', l.started_at, l.finished_at) / 1000.0 as seconds,
               l.user_name, l.host, l.status, l.files, l.rows, l.loaded, l.updated, l.unchanged,
               l.quarantined, {_MESSAGES}
        from load_log l
        where $city and {where}
        order by l.started_at desc, l.batch_id desc
    """, params)


def load_totals(filters: Filters, scope: Scope) -> dict:
    """Batches of the period by status, and their rows read / loaded / updated / unchanged / quarantined."""
    params = _base(scope)
    where = _batches_where(filters, None, params)
    df = db.frame(f"""
        select count(*) as batches,
               {", ".join(f"count(*) filter (where l.status = '{s}') as {s}" for s in STATUSES)},
               coalesce(sum(l.rows), 0) as rows, coalesce(sum(l.loaded), 0) as loaded,
               coalesce(sum(l.updated), 0) as updated, coalesce(sum(l.unchanged), 0) as unchanged,
               coalesce(sum(l.quarantined), 0) as quarantined
        from load_log l where $city and {where}
    """, params)
    return {k: int(v) for k, v in df.iloc[0].items()}


def batch(scope: Scope, batch_id: str) -> dict | None:
    """One batch's log row (status, time, user, message in Chinese and English), whenever it ran."""
    params = {**_base(scope), "batch": batch_id}
    df = db.frame(f"""
        select l.batch_id, l.status, strftime(l.started_at, '{TS_FMT}') as started_at, l.user_name,
               l.files, {_MESSAGES}
        from load_log l where $city and l.batch_id = $batch
    """, params)
    return None if df.empty else df.astype(object).where(df.notna(), None).iloc[0].to_dict()


def load_files(filters: Filters, scope: Scope, batch: str | None = None) -> pd.DataFrame:
    """Per-file results of the selected batch (or of every batch in the period), in load order."""
    params = {**_base(scope), "names": [rt.name for rt in RECORD_TYPES]}
    where = _batches_where(filters, batch, params)
    return db.frame(f"""
        select f.batch_id, strftime(l.started_at, '{TS_FMT}') as started_at,
               parse_filename(f.file_name) as file, f.file_name as file_path, f.record_type,
               f.file_format, nullif(f.encoding, '') as encoding, f.rows, f.loaded, f.updated,
               f.unchanged, f.quarantined,
               nullif(array_to_string(f.extra_columns, '、'), '') as extra_columns,
               f.rows = f.loaded + f.updated + f.unchanged + f.quarantined as balanced,
               {mask_sql("f.message")} as message
        from load_files f join load_log l on l.batch_id = f.batch_id
        where $city and {where}
        order by l.started_at desc, f.batch_id desc, list_position($names, f.record_type), f.file_name
    """, params)


def _quarantine_where(filters: Filters, batch: str | None, params: dict) -> str:
    return f"$city and {_batches_where(filters, batch, params)}"


def quarantine_reasons(filters: Filters, scope: Scope, batch: str | None = None) -> pd.DataFrame:
    """Quarantined rows per reason (a row failing two checks counts under both), most first."""
    params = _base(scope)
    where = _quarantine_where(filters, batch, params)
    return db.frame(f"""
        select q.reason, count(distinct (q.batch_id, q.file_name, q.row_number)) as n_rows,
               count(*) as problems
        from quarantine q join load_log l on l.batch_id = q.batch_id
        where {where}
        group by q.reason order by n_rows desc, q.reason
    """, params)


def quarantine_total(filters: Filters, scope: Scope, batch: str | None = None) -> int:
    """Distinct quarantined rows (batch, file, row number) — what the load log counts."""
    params = _base(scope)
    where = _quarantine_where(filters, batch, params)
    df = db.frame(f"""
        select count(distinct (q.batch_id, q.file_name, q.row_number)) as n
        from quarantine q join load_log l on l.batch_id = q.batch_id where {where}
    """, params)
    return int(df["n"].iloc[0])


def quarantine_files(filters: Filters, scope: Scope, batch: str | None = None) -> pd.DataFrame:
    """Files with quarantined rows: path as stored, its file name, rows."""
    params = _base(scope)
    where = _quarantine_where(filters, batch, params)
    return db.frame(f"""
        select q.file_name as file_path, parse_filename(q.file_name) as file,
               count(distinct (q.batch_id, q.row_number)) as n_rows
        from quarantine q join load_log l on l.batch_id = q.batch_id
        where {where}
        group by q.file_name order by n_rows desc, q.file_name
    """, params)


def _masked_record() -> str:
    """The raw record as JSON with each present PII key replaced by the masked marker, then masked."""
    expr = "q.raw_record"
    for col in PII_COLUMNS:
        expr = (f"case when json_extract_string({expr}, '$.{col}') is null then {expr} "
                f"else json_merge_patch({expr}, json_object('{col}', $masked)) end")
    return mask_sql(expr)


def quarantine_rows(filters: Filters, scope: Scope, batch: str | None = None, file: str | None = None,
                    reason: str | None = None, masked: str = "已脱敏",
                    limit: int = QUARANTINE_LIMIT) -> pd.DataFrame:
    """Quarantined values, newest batch first, with PII replaced by `masked` (the caller's wording)
    and the message in Chinese and in English."""
    params = {**_base(scope), "pii_cols": list(PII_COLUMNS), "pii_types": list(PII_TYPES),
              "masked": masked, "limit": limit, "file": file, "reason": reason}
    where = _quarantine_where(filters, batch, params)
    return db.frame(f"""
        select q.batch_id, parse_filename(q.file_name) as file, q.file_name as file_path, q.record_type,
               q.row_number, q.column_name,
               case when list_contains($pii_cols, q.column_name) then
                        (case when nullif(trim(q.raw_value), '') is null then null else $masked end)
                    when q.column_name is null and list_contains($pii_types, q.record_type) then $masked
                    else {mask_sql("q.raw_value")} end as raw_value,
               q.reason,
               {mask_sql("q.message_zh")} as message_zh, {mask_sql("q.message_en")} as message_en,
               case when q.raw_record is null then null else {_masked_record()} end as raw_record
        from quarantine q join load_log l on l.batch_id = q.batch_id
        where {where} and ($file is null or q.file_name = $file) and ($reason is null or q.reason = $reason)
        order by l.started_at desc, q.batch_id desc, q.file_name, q.row_number, q.column_name
        limit $limit
    """, params)
