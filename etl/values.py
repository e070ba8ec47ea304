"""SQL expressions that turn raw cell text into typed values, in bulk.

Every expression takes the SQL of a raw VARCHAR column and returns SQL; the
loader composes them into one SELECT over the staged file, so parsing runs
inside DuckDB, vectorised, never row by row in Python. The rules are the data
contract's: null markers, full-width folding, Chinese and compact dates,
date-times with or without seconds, 是/否-style booleans, thousands separators.
What none of them allows is refused rather than guessed: DuckDB's own casts are
lenient (`21-05-03` is year 21, `epoch` a date, `24:00` the next day, a zone
dropped, `1 600,50` 160050), so dates go through strict strptime formats or a
strict pattern first, and numbers must be well-formed before they are cast.
"""
from __future__ import annotations

from warehouse.record_types import BOOL, DATE, DEC, ENUM, INT, TEXT, TS, Column, RecordType

_FULL = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　，．－／：（）＋＿％"
_HALF = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ,.-/:()+_%"
assert len(_FULL) == len(_HALF)

NULL_MARKERS = ("", "-", "/", "无数据")
TRUE_WORDS = ("是", "y", "yes", "true", "1", "t", "对")
FALSE_WORDS = ("否", "n", "no", "false", "0", "f")
_WS = " \t\r\n\u3000\u00a0"


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_list(values) -> str:
    return ", ".join(sql_str(v) for v in values)


def one_of(expr: str, values) -> str:
    """Whether `expr` is one of `values` (false for NULL), as a CASE: DuckDB plans an IN list of
    four values or more, or list_contains, as a join, and a join in the staging SELECT gives up
    the file's order, which numbers the rows (etl.readers.csv_staging)."""
    return f"(case {expr} " + " ".join(f"when {sql_str(v)} then true" for v in values) + " else false end)"


_START_SPACE = "^[\\s\u3000\u00a0]"
_END_SPACE = "[\\s\u3000\u00a0]$"
_EDGE_SPACE = f"{_START_SPACE}|{_END_SPACE}"
_FULL_WIDTH = "[\uff01-\uff5e\u3000]"
# Null markers as typed, full-width forms included, so the check needs no folding.
_MARKERS_ANY_WIDTH = NULL_MARKERS + ("－", "／", "—")


def fold(expr: str) -> str:
    """Full-width to half-width, then trim (spaces of either width)."""
    return f"trim(translate({expr}, {sql_str(_FULL)}, {sql_str(_HALF)}), {sql_str(_WS)})"


_CODE_COLUMNS = {
    "unit_code", "area_code", "post_code", "person_id", "team_code", "deployment_id",
    "incident_id", "mediation_id", "service_id", "action_id", "response_id",
    "nomination_id", "vote_id",
}
# A code written by a float export (pandas writes 110001 as `110001.0`).
_FLOAT_CODE = "^\\d+\\.0+$"


def is_code(col: Column) -> bool:
    """Codes and ids (keys and references): folded from full-width, `110001.0` read as 110001."""
    return col.type == TEXT and (col.ref is not None or col.name in _CODE_COLUMNS)


def cleaned(expr: str, col: Column) -> str:
    """Trimmed text, folded unless free text or a name; null markers become NULL.

    String functions cost about a microsecond a call in DuckDB, so a value
    that needs no work (no edge spaces, no full-width characters: nearly all
    of them) is passed through after one regular-expression test.
    """
    code = is_code(col)
    keep_width = col.type == TEXT and not code
    markers = "|".join(m for m in _MARKERS_ANY_WIDTH if m)
    # One regular expression finds every value that needs work: a null marker,
    # an edge space, (unless kept as written) a full-width character, or a code
    # written as a float.
    needs_work = (f"^(?:{markers})$|{_EDGE_SPACE}" + ("" if keep_width else f"|{_FULL_WIDTH}")
                  + (f"|{_FLOAT_CODE}" if code else ""))
    test = f"regexp_matches({expr}, '{needs_work}')"
    if col.free_text and keep_width:
        # The same test in two: RE2 answers a pattern anchored at the end from the end, where
        # inside one alternation it reads every byte of a long text (a summary: 3× the time).
        test = (f"(regexp_matches({expr}, '^(?:{markers})$|{_START_SPACE}') "
                f"or regexp_matches({expr}, '{_END_SPACE}'))")
    worked = f"trim({expr}, {sql_str(_WS)})" if keep_width else fold(expr)
    if code:
        # The same text an XLSX number cell gives (see etl.readers.sheets.cell_text).
        worked = f"regexp_replace({worked}, '^(\\d+)\\.0+$', '\\1')"
    # One regexp_replace + nullif names `worked` once: a repeated subexpression would
    # be hoisted by DuckDB's optimizer and computed for every row, defeating the CASE;
    # nested nullifs (one per marker) expand to 2^n copies and cost ~20 ms to plan.
    worked = f"nullif(regexp_replace({worked}, '^(?:{markers})$', ''), '')"
    # A value already in its final form (an ISO date, an exact enum value) skips the regex.
    # (The cast is lenient, but parse() judges the value again; this only skips folding.)
    ready = {DATE: f"try_cast({expr} as date) is not null",
             TS: f"try_cast({expr} as timestamp) is not null",
             ENUM: one_of(expr, col.values)}.get(col.type)
    ready_branch = f"when {ready} then {expr} " if ready else ""
    return (f"(case when {expr} is null or {expr} = '' then null {ready_branch}"
            f"when {test} then {worked} else {expr} end)")


# --- dates and date-times ------------------------------------------------------------

# Years outside this span are typos, Excel's day 0 (1899-12-30) or a two-digit year
# read as 00xx: quarantined, never stored (etl.validate checks the typed value).
YEAR_MIN, YEAR_MAX = 1900, 2100
CHINA_UTC_OFFSET_MIN = 8 * 60

DATE_EXAMPLES = "2021-05-03、2021/5/3、2021年5月3日、20210503"
DATE_EXAMPLES_EN = "2021-05-03, 2021/5/3, 2021年5月3日 or 20210503"


# ISO text (most exports, and every XLSX date cell) takes the fast path: strptime with
# these formats, which is strict where DuckDB's cast is not (the cast reads `24:00` as
# the next day, drops a zone, ignores trailing text and reads `epoch` as 1970-01-01).
# strptime has two quirks: `epoch`, `infinity` and `-infinity` give 1900-01-01 00:00,
# and `%Y` takes fewer than four digits (`21-05-03`); so that exact value and years
# before 1000 go the slow way, which is strict (and reads a real 1900-01-01 all the
# same). A regular expression in front of strptime would cost ~0.2 µs a value, 3 % of
# a load; the tests in _fast_ok compare the parsed value only.
_FAST_FORMATS = "['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d']"


def _fast_ts(expr: str) -> str:
    return f"try_strptime({expr}, {_FAST_FORMATS})"


def _fast_ok(expr: str) -> str:
    return (f"({_fast_ts(expr)} >= timestamp '1000-01-01' "
            f"and {_fast_ts(expr)} <> timestamp '1900-01-01')")


def _date_text(expr: str) -> str:
    """Normalise 2021年5月3日 / 2021/5/3 / 2021.5.3 / 20210503 [time] to 2021-5-3 [time]."""
    s = f"regexp_replace({expr}, '[年月/]', '-', 'g')"
    s = f"regexp_replace({s}, '^(\\d{{4}})\\.(\\d{{1,2}})\\.(\\d{{1,2}})', '\\1-\\2-\\3')"
    s = f"regexp_replace({s}, '[日T]', ' ', 'g')"
    s = f"regexp_replace({s}, '[时點点]', ':', 'g')"
    s = f"regexp_replace({s}, '分$|秒$', '', 'g')"
    s = f"regexp_replace({s}, '分', ':', 'g')"
    s = f"regexp_replace({s}, '^(\\d{{4}})(\\d{{2}})(\\d{{2}})(\\s|$)', '\\1-\\2-\\3\\4')"
    s = f"regexp_replace({s}, '\\s+', ' ', 'g')"
    return f"trim({s})"


_TS_FORMATS = "['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d']"
# What normalised text may look like: a four-digit year, an optional time, and after
# a time an optional zone (Z, +08:00, +0800, +08), converted to China time.
_ZONE = "[Zz]|[+-](?:0\\d|1[0-4])(?::?[0-5]\\d)?"
_STRICT_TS = (f"\\d{{4}}-\\d{{1,2}}-\\d{{1,2}}"
              f"(?: \\d{{1,2}}:\\d{{2}}(?::\\d{{2}}(?:\\.\\d{{1,6}})?)?(?: ?(?:{_ZONE}))?)?")
_ZONED = f"^(.*:\\d{{2}}(?:\\.\\d+)?) ?({_ZONE})$"


def _ts_slow(expr: str) -> str:
    """The China-time date-time of any other accepted form, or NULL.

    strptime alone is lenient too (`%Y` takes `21`; `infinity` and `epoch` read as
    1900-01-01), so the normalised text must match the strict pattern first; and
    parsing a zone with `%z` would roll 2021-02-30 over to March, so the zone is
    split off and applied as minutes. The normalised text is bound once through a
    one-element lambda (which costs nothing for rows that do not come this way):
    written out several times it would be hoisted out of the CASE and computed for
    every row.
    """
    zone = f"replace(regexp_extract(s, '{_ZONED}', 2), ':', '')"
    offset = (f"(case when upper({zone}) = 'Z' then 0 else "
              f"(case when starts_with({zone}, '-') then -1 else 1 end) * "
              f"(cast(substr({zone}, 2, 2) as integer) * 60 + "
              f"coalesce(try_cast(nullif(substr({zone}, 4, 2), '') as integer), 0)) end)")
    body = (f"case when not regexp_full_match(s, '{_STRICT_TS}') then null "
            f"when regexp_matches(s, '{_ZONED}') then "
            f"try_strptime(regexp_extract(s, '{_ZONED}', 1), {_TS_FORMATS}) "
            f"+ to_minutes({CHINA_UTC_OFFSET_MIN} - {offset}) "
            f"else try_strptime(s, {_TS_FORMATS}) end")
    return f"list_transform([{_date_text(expr)}], lambda s: {body})[1]"


# --- numbers -------------------------------------------------------------------------

# Thousands separators only where they group by three (`1,600`, `12,345,678.5`, or
# with spaces `1 600`): `1 600,50` is no number rather than 160050.
_GROUPED = "\\d{1,3}(?:(?:,\\d{3})+|(?: \\d{3})+)"
_PLAIN_INT = "[+-]?\\d+(?:\\.0*)?"
_GROUPED_INT = f"[+-]?{_GROUPED}(?:\\.0*)?"
_DECIMAL = (f"[+-]?(?:(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?"
            f"|{_GROUPED}(?:\\.\\d*)?)")


_PLAIN_DECIMAL = "[+-]?\\d+(?:\\.\\d+)?"


def _int(expr: str) -> str:
    return (f"(case when regexp_full_match({expr}, '{_PLAIN_INT}') then try_cast({expr} as bigint) "
            f"when regexp_full_match({expr}, '{_GROUPED_INT}') "
            f"then try_cast(replace(replace({expr}, ',', ''), ' ', '') as bigint) end)")


def _score(expr: str, col: Column) -> str:
    """A score written as a number, `5分`, or one of its words (非常满意 …)."""
    words = " ".join(f"when {sql_str(w)} then {n}" for w, n in col.labels)
    number = _int(f"regexp_replace({expr}, '\\s*分$', '')")
    return f"(case {expr} {words} else {number} end)"


def parse(expr: str, col: Column) -> str:
    """The typed value of an already `cleaned` expression; NULL when it does not parse."""
    if col.type == INT:
        return _score(expr, col) if col.labels else _int(expr)
    if col.type == DEC:
        # A plain number (nearly every value: coordinates, amounts) is cast as it is; the rest lose
        # a currency sign and thousands separators first. The stripped text is bound through a
        # one-element lambda, as in _ts_slow: named twice it would be hoisted and made for every row.
        num = f"regexp_replace({expr}, '^[¥￥]\\s*|\\s*元$', '', 'g')"
        other = (f"list_transform([{num}], lambda n: case when regexp_full_match(n, '{_DECIMAL}') "
                 f"then try_cast(replace(replace(n, ',', ''), ' ', '') as {col.sql_type}) end)[1]")
        return (f"(case when regexp_full_match({expr}, '{_PLAIN_DECIMAL}') then try_cast({expr} as {col.sql_type}) "
                f"when {expr} is null then null else {other} end)")
    # ISO text takes the fast path (see _FAST_FORMATS); only the rest pays for the
    # regular expressions that normalise Chinese and compact forms and zones.
    # A null must not reach the slow way (its lambda costs even for a null), but testing
    # for it first, not second, stops DuckDB sharing the one strptime: 2.5× the time.
    if col.type == DATE:
        return (f"(case when {_fast_ok(expr)} then cast({_fast_ts(expr)} as date) "
                f"when {expr} is null then null else cast({_ts_slow(expr)} as date) end)")
    if col.type == TS:
        return (f"(case when {_fast_ok(expr)} then {_fast_ts(expr)} "
                f"when {expr} is null then null else {_ts_slow(expr)} end)")
    if col.type == BOOL:
        return (f"(case lower({expr}) " + " ".join(f"when {sql_str(w)} then true" for w in TRUE_WORDS)
                + " " + " ".join(f"when {sql_str(w)} then false" for w in FALSE_WORDS) + " end)")
    if col.type == ENUM:
        return f"(case when {one_of(expr, col.values)} then {expr} end)"
    return expr


# Excel's error values: a formula that failed (a VLOOKUP finding nothing gives #N/A).
# As a whole cell they are not data, whatever the column.
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!",
                "#BUSY!", "#UNKNOWN!")


def excel_error(raw: str) -> str:
    """Whether a raw cell is one of Excel's error values (`#` is tested first: it is cheap)."""
    return (f"(contains({raw}, '#') and upper(trim({raw}, {sql_str(_WS)})) "
            f"in ({sql_list(EXCEL_ERRORS)}))")


def pii_hash(expr: str, col: Column, salt_param: str = "$salt") -> str:
    """A salted SHA-256 of the normalised value; phone numbers lose punctuation and +86."""
    if col.name == "phone":
        # Full-width digits fold first, or a phone typed in them would hash as "".
        digits = f"regexp_replace({fold(expr)}, '[^0-9]', '', 'g')"
        no_prefix = f"regexp_replace({digits}, '^(00)?86(\\d{{11}})$', '\\2')"
        norm = f"(case when {digits} = '' then {expr} else {no_prefix} end)"
    else:
        norm = expr
    return f"(case when {expr} is null then null else sha256({salt_param} || {norm}) end)"


def typed(expr: str, col: Column) -> str:
    """The value stored for an already `cleaned` expression: parsed, or for PII its salted hash."""
    return pii_hash(expr, col) if col.pii else parse(expr, col)


def typed_select(rt: RecordType, raw: dict[str, str], source: str) -> str:
    """`source`'s columns and, for every declared column, whether its cleaned text is non-empty
    (`n_<name>`) and its typed value (`t_<name>`): one pass over the cells, each cleaned once
    (`raw`: the SQL of each column's raw text; a column absent from it, the file lacks). PII
    hashes take the salt as the statement's `$salt`."""
    clean = ", ".join(f"{cleaned(raw[c.name], c) if c.name in raw else 'null::varchar'} as k_{c.name}"
                      for c in rt.columns)
    kinds = ", ".join(f"k_{c.name} is not null as n_{c.name}, {typed('k_' + c.name, c)} as t_{c.name}"
                      for c in rt.columns)
    return (f"select * exclude ({', '.join('k_' + c.name for c in rt.columns)}), {kinds} "
            f"from (select *, {clean} from {source})")


TYPE_WORDS = {
    INT: ("整数", "an integer"),
    DEC: ("数值", "a number"),
    DATE: ("日期", "a date"),
    TS: ("日期时间", "a date-time"),
    BOOL: ("是/否", "a yes/no value"),
    ENUM: ("允许的取值", "one of the accepted values"),
    TEXT: ("文本", "text"),
}
