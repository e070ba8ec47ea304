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


def fold(expr: str) -> str:
    """Full-width to half-width, then trim (spaces of either width)."""
    return f"trim(translate({expr}, {sql_str(_FULL)}, {sql_str(_HALF)}), {sql_str(_WS)})"


def cleaned(expr: str, col: Column) -> str:
    """Trimmed text, folded unless free text or a name; null markers become NULL."""
    keep_width = col.type == TEXT and not col.ref and col.name not in _CODE_COLUMNS
    text = f"trim({expr}, {sql_str(_WS)})" if keep_width else fold(expr)
    markers = sql_list(NULL_MARKERS)
    # 无数据 may itself have been typed full-width; compare the folded form.
    return f"(case when {fold(expr)} in ({markers}) or {expr} is null then null else {text} end)"


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
    if col.type == DATE:
        return f"cast(try_strptime({_date_text(expr)}, {_TS_FORMATS}) as date)"
    if col.type == TS:
        return f"try_strptime({_date_text(expr)}, {_TS_FORMATS})"
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
        digits = f"regexp_replace({expr}, '[^0-9]', '', 'g')"
        norm = f"regexp_replace({digits}, '^86(\\d{{11}})$', '\\1')"
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
