"""SQL expressions that turn raw cell text into typed values, in bulk.

Every expression takes the SQL of a raw VARCHAR column and returns SQL; the
loader composes them into one SELECT over the staged file, so parsing runs
inside DuckDB, vectorised, never row by row in Python. The rules are the data
contract's: null markers, full-width folding, Chinese and compact dates,
date-times with or without seconds, 是/否-style booleans, thousands separators.
"""
from __future__ import annotations

from etl.record_types import BOOL, DATE, DEC, ENUM, INT, TEXT, TS, Column

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


_EDGE_SPACE = "^[\\s\u3000\u00a0]|[\\s\u3000\u00a0]$"
_FULL_WIDTH = "[\uff01-\uff5e\u3000]"
# Null markers as typed, full-width forms included, so the check needs no folding.
_MARKERS_ANY_WIDTH = NULL_MARKERS + ("－", "／", "—")


def fold(expr: str) -> str:
    """Full-width to half-width, then trim (spaces of either width)."""
    return f"trim(translate({expr}, {sql_str(_FULL)}, {sql_str(_HALF)}), {sql_str(_WS)})"


def cleaned(expr: str, col: Column) -> str:
    """Trimmed text, folded unless free text or a name; null markers become NULL.

    String functions cost about a microsecond a call in DuckDB, so a value
    that needs no work (no edge spaces, no full-width characters: nearly all
    of them) is passed through after one regular-expression test.
    """
    keep_width = col.type == TEXT and not col.ref and col.name not in _CODE_COLUMNS
    markers = "|".join(m for m in _MARKERS_ANY_WIDTH if m)
    # One regular expression finds every value that needs work: a null marker,
    # an edge space, or (unless kept as written) a full-width character.
    needs_work = f"^(?:{markers})$|{_EDGE_SPACE}" + ("" if keep_width else f"|{_FULL_WIDTH}")
    worked = f"trim({expr}, {sql_str(_WS)})" if keep_width else fold(expr)
    # One regexp_replace + nullif names `worked` once: a repeated subexpression would
    # be hoisted by DuckDB's optimizer and computed for every row, defeating the CASE;
    # nested nullifs (one per marker) expand to 2^n copies and cost ~20 ms to plan.
    worked = f"nullif(regexp_replace({worked}, '^(?:{markers})$', ''), '')"
    # A value already in its final form (an ISO date, an exact enum value) skips the regex.
    ready = {DATE: f"try_cast({expr} as date) is not null",
             TS: f"try_cast({expr} as timestamp) is not null",
             ENUM: f"{expr} in ({sql_list(col.values)})"}.get(col.type)
    ready_branch = f"when {ready} then {expr} " if ready else ""
    return (f"(case when {expr} is null or {expr} = '' then null {ready_branch}"
            f"when regexp_matches({expr}, '{needs_work}') then {worked} else {expr} end)")


_CODE_COLUMNS = {
    "unit_code", "area_code", "post_code", "person_id", "team_code", "deployment_id",
    "incident_id", "mediation_id", "service_id", "action_id", "response_id",
    "nomination_id", "vote_id",
}


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


def parse(expr: str, col: Column) -> str:
    """The typed value of an already `cleaned` expression; NULL when it does not parse."""
    if col.type == INT:
        num = f"replace(replace({expr}, ',', ''), ' ', '')"
        return f"(case when regexp_full_match({num}, '[+-]?\\d+(\\.0*)?') then try_cast({num} as bigint) end)"
    if col.type == DEC:
        num = f"regexp_replace(replace(replace({expr}, ',', ''), ' ', ''), '^[¥￥]|元$', '', 'g')"
        return f"try_cast({num} as {col.sql_type})"
    # ISO text (most exports, and every XLSX date cell) casts directly; only the
    # rest pays for the regular expressions that normalise Chinese and compact forms.
    if col.type == DATE:
        return (f"(case when try_cast({expr} as date) is not null then try_cast({expr} as date) "
                f"else cast(try_strptime({_date_text(expr)}, {_TS_FORMATS}) as date) end)")
    if col.type == TS:
        return (f"(case when try_cast({expr} as timestamp) is not null then try_cast({expr} as timestamp) "
                f"else try_strptime({_date_text(expr)}, {_TS_FORMATS}) end)")
    if col.type == BOOL:
        low = f"lower({expr})"
        return (f"(case when {low} in ({sql_list(TRUE_WORDS)}) then true "
                f"when {low} in ({sql_list(FALSE_WORDS)}) then false end)")
    if col.type == ENUM:
        return f"(case when {expr} in ({sql_list(col.values)}) then {expr} end)"
    return expr


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


TYPE_WORDS = {
    INT: ("整数", "an integer"),
    DEC: ("数值", "a number"),
    DATE: ("日期", "a date"),
    TS: ("日期时间", "a date-time"),
    BOOL: ("是/否", "a yes/no value"),
    ENUM: ("允许的取值", "one of the accepted values"),
    TEXT: ("文本", "text"),
}
