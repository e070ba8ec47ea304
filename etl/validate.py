"""Type and check a staged file in bulk, inside DuckDB.

`build_work_table` names, for every declared column, the raw text
(`r_<name>`), whether the cleaned text is non-empty (`n_<name>`) and the typed
value (`<name>`), all computed while the file was staged.
`collect_errors` then runs each declared check as a query that must return
no rows and gathers what they do return, with a message in Chinese and in
English, into `<table>_errs`: missing required values, values that do not
parse (Excel error values such as `#N/A` named as such), values out of
range (dates included: a year outside 1900–2100 is a typo or a two-digit
year), dates before their start, unknown references, cycles in the unit
hierarchy and duplicate keys within the file.

The files of one record type in a batch are checked together
(`collect_errors` takes them all): a unit may name as its parent a unit of
another units file of the batch, given before or after it, and a cycle may
run through several files.
"""
from __future__ import annotations

import duckdb

from warehouse.record_types import BY_NAME, DATE, ENUM, KEY_OF, TEXT, TS, Column, RecordType
from etl.values import DATE_EXAMPLES, DATE_EXAMPLES_EN, TYPE_WORDS, YEAR_MAX, YEAR_MIN, excel_error, sql_str

REF_WORDS = {
    "units": ("单位编码", "unit code"),
    "scenic_areas": ("景区编码", "scenic area code"),
    "officers": ("人员编号", "person id"),
    "nominations": ("推荐编号", "nomination id"),
}


def build_work_table(con: duckdb.DuckDBPyConnection, rt: RecordType, staged: str) -> str:
    """The typed rows of a staged file, as a view: staging typed each cell while it read the file
    (see etl.readers), so nothing is computed or copied again here."""
    work = f"{staged}_work"
    raw = ", ".join(f"{c.name} as r_{c.name}" for c in rt.columns)
    present = ", ".join(f"n_{c.name}" for c in rt.columns)
    typed = ", ".join(f"t_{c.name} as {c.name}" for c in rt.columns)
    con.execute(f"create temp view {work} as select _row, {raw}, {present}, {typed} from {staged}")
    return work


def _check(work: str, col: Column, reason: str, condition: str, zh: str, en: str) -> str:
    """One check as SQL: the rows that fail it, with their messages."""
    return (
        f"select _row, {sql_str(col.name)} as column_name, r_{col.name} as raw_value, "
        f"{sql_str(reason)} as reason, {zh} as message_zh, {en} as message_en "
        f"from {work} where {condition}"
    )


def _fmt(template: str, *args: str) -> str:
    return f"printf({sql_str(template)}, {', '.join(args)})" if args else sql_str(template)


def column_checks(rt: RecordType, work: str) -> list[str]:
    checks = []
    for col in rt.columns:
        raw = f"coalesce(r_{col.name}, '')"
        label_zh, label_en = col.zh, col.name
        if col.required:
            checks.append(_check(
                work, col, "missing", f"not n_{col.name}",
                _fmt(f"必填项“{label_zh}”为空"), _fmt(f"required value {label_en} is empty"),
            ))
        if col.type != TEXT and not col.pii:
            if col.type == ENUM:
                allowed_zh, allowed_en = "、".join(col.values), ", ".join(col.values)
                zh = _fmt(f"“{label_zh}”的值“%s”不是允许的取值（{allowed_zh}）", raw)
                en = _fmt(f"{label_en}: '%s' is not an accepted value ({allowed_en})", raw)
            elif col.type in (DATE, TS):
                word_zh, word_en = TYPE_WORDS[col.type]
                time_zh, time_en = ("，可加时间 14:05 或 14:05:30", " with 14:05 or 14:05:30") if col.type == TS else ("", "")
                zh = _fmt(f"“{label_zh}”的值“%s”无法识别为{word_zh}（年份须为四位，如 {DATE_EXAMPLES}{time_zh}）", raw)
                en = _fmt(f"{label_en}: '%s' is not {word_en} (a four-digit year, as in {DATE_EXAMPLES_EN}"
                          f"{time_en})", raw)
            else:
                word_zh, word_en = TYPE_WORDS[col.type]
                zh = _fmt(f"“{label_zh}”的值“%s”无法识别为{word_zh}", raw)
                en = _fmt(f"{label_en}: '%s' is not {word_en}", raw)
            # An Excel error value never parses: the message says what it is.
            excel_zh, excel_en = _excel_messages(col, raw)
            excel = excel_error(f"r_{col.name}")
            checks.append(_check(
                work, col, "bad_value", f"n_{col.name} and {col.name} is null",
                f"case when {excel} then {excel_zh} else {zh} end",
                f"case when {excel} then {excel_en} else {en} end",
            ))
        if col.min is not None or col.max is not None:
            bounds = [f"{col.name} < {col.min}"] if col.min is not None else []
            bounds += [f"{col.name} > {col.max}"] if col.max is not None else []
            lo = "" if col.min is None else f"{col.min:g}"
            hi = "" if col.max is None else f"{col.max:g}"
            span_zh = f"不小于 {lo}" if col.max is None else f"{lo}～{hi}"
            span_en = f">= {lo}" if col.max is None else f"{lo}..{hi}"
            checks.append(_check(
                work, col, "out_of_range", " or ".join(bounds),
                _fmt(f"“{label_zh}”的值“%s”超出范围（{span_zh}）", raw),
                _fmt(f"{label_en}: '%s' is out of range ({span_en})", raw),
            ))
        if col.type in (DATE, TS):
            checks.append(_check(
                work, col, "out_of_range", f"year({col.name}) not between {YEAR_MIN} and {YEAR_MAX}",
                _fmt(f"“{label_zh}”的值“%s”年份不在 {YEAR_MIN}～{YEAR_MAX} 之间（年份须写四位）", raw),
                _fmt(f"{label_en}: '%s' has a year outside {YEAR_MIN}..{YEAR_MAX} (write a four-digit year)", raw),
            ))
        if col.pair:
            other = rt.column(col.pair)
            checks.append(_check(
                work, col, "half_pair", f"not n_{col.name} and n_{other.name}",
                _fmt(f"“{other.zh}”有值（%s）而“{label_zh}”为空：两者须同时填写或同时留空",
                     f"coalesce(r_{other.name}, '')"),
                _fmt(f"{other.name} is given (%s) but {label_en} is empty: give both or neither",
                     f"coalesce(r_{other.name}, '')"),
            ))
        if col.not_before:
            other = rt.column(col.not_before)
            checks.append(_check(
                work, col, "before_start", f"{col.name} < {other.name}",
                _fmt(f"“{label_zh}”（%s）早于“{other.zh}”（%s）", raw, f"coalesce(r_{other.name}, '')"),
                _fmt(f"{label_en} (%s) is before {other.name} (%s)", raw, f"coalesce(r_{other.name}, '')"),
            ))
    return checks


def _excel_messages(col: Column, raw: str) -> tuple[str, str]:
    return (_fmt(f"“{col.zh}”的值“%s”是 Excel 错误值（公式出错或查找不到），不是数据", raw),
            _fmt(f"{col.name}: '%s' is an Excel error value (a formula that failed), not data", raw))


def excel_error_checks(rt: RecordType, work: str) -> list[str]:
    """Excel error values (`#N/A` …) in the columns where they would pass as text (text,
    codes, PII); in the others they fail to parse and `column_checks` names them."""
    return [_check(work, c, "bad_value", excel_error(f"r_{c.name}"),
                   *_excel_messages(c, f"coalesce(r_{c.name}, '')"))
            for c in rt.columns if c.type == TEXT or c.pii]


def reference_checks(rt: RecordType, work: str, errs: str, batch: list[tuple[str, str]],
                     only_new: bool = False) -> list[str]:
    """Rows naming a key that is neither in the warehouse nor (self-references) a good row
    of a file of this type in the batch (`batch`: every such file's work and errs tables,
    this one's included, in any order).

    With `only_new`, just the self-references, skipping rows already in `errs`:
    run again until it finds nothing, so a unit whose parent was quarantined is
    quarantined too, however long the chain and whichever files it runs through.
    """
    checks = []
    for col in rt.columns:
        if not col.ref or (only_new and col.ref != rt.name):
            continue
        target = BY_NAME[col.ref]
        key = KEY_OF[col.ref]
        known = f"select {key} from {target.table} where {key} is not null"
        if col.ref == rt.name:  # units naming their parent in a units file of the batch
            known += "".join(f" union all select {key} from {w} where {key} is not null"
                             f" and _row not in (select _row from {e})" for w, e in batch)
        condition = f"{col.name} is not null and {col.name} not in ({known})"
        if only_new:
            condition += f" and _row not in (select _row from {errs})"
        word_zh, word_en = REF_WORDS[col.ref]
        checks.append(_check(
            work, col, "unknown_reference", condition,
            _fmt(f"未知{word_zh} %s", col.name),
            _fmt(f"unknown {word_en} %s", col.name),
        ))
    return checks


def cycle_check(work: str, works: list[str]) -> str:
    """Units of `work` whose parent chain, with the batch's units files applied over the
    warehouse (a later file's row, and a later row, winning), returns to themselves."""
    batch = " union all ".join(f"select unit_code, parent_code, {i} as _file, _row from {w} "
                               f"where unit_code is not null" for i, w in enumerate(works))
    return f"""
    with recursive batch as (
        select unit_code, parent_code from ({batch})
        qualify row_number() over (partition by unit_code order by _file desc, _row desc) = 1
    ), merged as (
        select unit_code, parent_code from units
        where unit_code not in (select unit_code from batch)
        union all
        select unit_code, parent_code from batch
    ), walk(start, current, steps) as (
        select unit_code, parent_code, 1 from merged where parent_code is not null
        union all
        select walk.start, m.parent_code, steps + 1 from walk
        join merged m on m.unit_code = walk.current
        where walk.current <> walk.start and m.parent_code is not null and steps < 64
    )
    select _row, 'parent_code' as column_name, r_parent_code as raw_value, 'cycle' as reason,
           printf('上级单位“%s”使单位层级形成循环', parent_code) as message_zh,
           printf('parent unit %s makes the unit hierarchy a cycle', parent_code) as message_en
    from {work} where unit_code in (select start from walk where current = start)
    """


def collect_errors(con: duckdb.DuckDBPyConnection, rt: RecordType, works: list[str]) -> list[str]:
    """The errors table of each work table in `works`: the files of `rt` in one batch,
    checked together so that references between them resolve whatever their order."""
    errs = [f"{work}_errs" for work in works]
    batch = list(zip(works, errs))
    for work, err in batch:
        checks = column_checks(rt, work) + excel_error_checks(rt, work)
        con.execute(f"create temp table {err} as " + "\nunion all\n".join(checks))
    # Every file's bad values first, so that no file's reference resolves to a bad row of another.
    for work, err in batch:
        if refs := reference_checks(rt, work, err, batch):
            con.execute(f"insert into {err} " + "\nunion all\n".join(refs))
            # An Excel error value (#N/A) is quarantined as such, not as an unknown code too
            # (tested here on the few errors, not in the check on every row).
            con.execute(f"delete from {err} where reason = 'unknown_reference' and {excel_error('raw_value')}")
    for work, err in batch:
        if rt.name == "units":
            con.execute(f"insert into {err} {cycle_check(work, works)} and _row not in (select _row from {err})")
        # The last occurrence of a key wins even when it fails a check: the earlier
        # rows are superseded all the same, so none of them loads in its place.
        # The keys given more than once are found by grouping (a window over every row sorts them
        # all); only their rows are read again.
        keys = ", ".join(rt.key)
        key_raw = " || '|' || ".join(f"coalesce(w.r_{k}, '')" for k in rt.key)
        con.execute(f"""
            insert into {err}
            select w._row, {sql_str(rt.key[0])}, {key_raw}, 'duplicate',
                   printf('同一文件中主键重复，以最后一次出现（第 %d 行）为准', d.last_row),
                   printf('duplicate key in the file; the last occurrence (row %d) wins', d.last_row)
            from {work} w join (
                select {keys}, max(_row) as last_row from {work}
                where {" and ".join(f"{k} is not null" for k in rt.key)}
                group by {keys} having count(*) > 1
            ) d using ({keys})
            where w._row < d.last_row
        """)
    # Last, so that a unit whose parent row was quarantined above (bad value, cycle,
    # superseded duplicate) does not load pointing at a unit that is not there.
    while True:
        added = 0
        for work, err in batch:
            if again := reference_checks(rt, work, err, batch, only_new=True):
                added += con.execute(f"insert into {err} " + "\nunion all\n".join(again)).fetchone()[0]
        if not added:
            return errs
