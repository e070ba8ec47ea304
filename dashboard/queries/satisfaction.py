"""Queries behind the Satisfaction page: survey rates by time and segment, Likert, comments, keywords.

Every rate is the catalog's own SQL (`survey.satisfaction_rate`,
`survey.safety_rate` …) over the catalog's WHERE clause, grouped by a week,
month, scenic area, channel, respondent type or origin, with its n and 95 %
Wilson interval; an optional survey channel (the page's `category`) narrows
every query alike. Segments resting on fewer than
`judgements.min_survey_answers()` answers are flagged `small` and left
unranked. Free text is masked in SQL before anyone (or the word segmenter)
sees it; comment keywords are counted per comment with jieba, cached per
warehouse version and filters.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections import Counter
from functools import lru_cache

import numpy as np
import pandas as pd

from dashboard.model import judgements
from dashboard.model.breakdowns import OTHER, QUESTIONS
from dashboard.model.catalog import BY_ID, SOURCES, SURVEY_ANSWERS_ROLLUP, SURVEY_PROFILE_ROLLUP
from dashboard.model.filters import Filters, Scope
from dashboard.model.judgements import wilson
from dashboard.model.periods import Comparison, bucket_start, buckets, comparison_spans
from dashboard.model.values import KpiFigures, MetricValue
from dashboard.privacy import mask_sql
from dashboard.queries import db, reference
from dashboard.queries.breakdown import with_coverage
from dashboard.queries.kpis import kpi_figures, weekly_series
from dashboard.queries.metrics import select_list
from dashboard.queries.where import where_sql
from warehouse.marts import FEEDBACK_LOW_SCORE
from warehouse.record_types import SURVEY_CHANNELS

KPI_METRICS = ["survey.responses", "survey.satisfaction_rate", "survey.safety_rate", "survey.satisfaction_mean"]
RATE_METRICS = ["survey.satisfaction_rate", "survey.safety_rate"]
SEGMENTS = ("area", "channel", "respondent_type", "origin")
GRAINS = ("week", "month")
TOP_ORIGINS = 12
TREND_BUCKETS = 12             # the trend shows at least this many weeks or months
GRID_LIMIT = 500
LOW_SCORE = FEEDBACK_LOW_SCORE  # q_satisfaction at or below this is a "lowest-rated" answer
KEYWORD_SOURCE_LIMIT = 20000   # distinct comments segmented per view (most frequent first)
KEYWORD_MIN_REPEATED = 5       # with this many words used twice or more, words used once are left out

_KEYS = {"area": "r.area_code", "channel": "r.channel", "respondent_type": "r.respondent_type",
         "week": "cast(date_trunc('week', {date}) as date)",
         "month": "cast(date_trunc('month', {date}) as date)"}
ROLLUP_BY = (None, "week", "month", "area", "channel")   # what `survey_daily` is keyed by
PROFILE_BY = ("respondent_type", "origin")                # and `survey_profile_daily` besides


def default_grain(filters: Filters) -> str:
    return "week" if filters.days <= 120 else "month"


def _where(filters: Filters, scope: Scope, channel: str | None, params: dict, source=SOURCES["surveys"]) -> str:
    where = where_sql(source, filters, scope, params)
    if channel:
        if channel not in SURVEY_CHANNELS:
            raise ValueError(f"unknown survey channel {channel!r}")
        where += " and r.channel = $channel"
        params["channel"] = channel
    return where


def _with_wilson(df: pd.DataFrame, metric_ids: list[str]) -> pd.DataFrame:
    df = df.copy()
    for mid in metric_ids:
        m = BY_ID[mid]
        if m.id == "survey.responses":
            df[mid] = pd.to_numeric(df[mid]).fillna(0).astype(int)
        if not m.wilson:
            continue
        bounds = [wilson(float(v) if pd.notna(v) else None, int(n) if pd.notna(n) else None)
                  for v, n in zip(df[mid], df[f"{mid}#n"])]
        df[f"{mid}#low"] = [b[0] for b in bounds]
        df[f"{mid}#high"] = [b[1] for b in bounds]
    return df


def _rates_sql(filters: Filters, scope: Scope, by: str | None, channel: str | None,
               ids: list[str]) -> tuple[str, dict, list[str]]:
    """The statement of `survey_rates`, its parameters and the names of its columns."""
    params: dict = {}
    # The daily rollups answer every breakdown they are keyed by, when each metric has a rollup form.
    rolled = all(BY_ID[i].rollup_expr for i in ids)
    source = (SOURCES["surveys"].rollup if rolled and by in ROLLUP_BY
              else SURVEY_PROFILE_ROLLUP if rolled and by in PROFILE_BY else SOURCES["surveys"])
    rollup = source is not SOURCES["surveys"]
    where = _where(filters, scope, channel, params, source)
    metrics = [BY_ID[i] for i in ids]
    selects = ", ".join(select_list(metrics, rollup))
    columns = (["key"] if by else []) + [c for m in metrics for c in
                                         ([m.id, f"{m.id}#n"] if (m.rollup_n_expr if rollup else m.n_expr) else [m.id])]
    if by is None:
        sql = f"select {selects} from {source.from_sql} where {where}"
    elif by == "origin":
        answers = "sum(r.responses)" if rollup else "count(*)"
        sql = (f"with top as (select r.origin from {source.from_sql} where {where} and r.origin is not null "
               f"group by 1 order by {answers} desc, 1 limit {TOP_ORIGINS}) "
               f"select case when r.origin is null then null when r.origin in (select origin from top) "
               f"then r.origin else '{OTHER}' end as key, {selects} from {source.from_sql} where {where} "
               f"group by 1 order by 1")   # in key order, as the other segments: ties rank the same each time
    elif by in _KEYS:
        key = _KEYS[by].format(date=source.date_expr)
        sql = f"select {key} as key, {selects} from {source.from_sql} where {where} group by 1 order by 1"
    else:
        raise ValueError(f"unknown breakdown {by!r}")
    return sql, params, columns


def survey_rates(filters: Filters, scope: Scope, by: str | None = None, channel: str | None = None,
                 metric_ids: list[str] | None = None) -> pd.DataFrame:
    """One row per `by` key (or one row): `key`, each metric, `<id>#n`, `<id>#low`/`#high`.

    `by`: None, week, month, area, channel, respondent_type, origin. Time buckets
    are all present (empty ones with null rates); origins beyond the top
    `TOP_ORIGINS` are pooled under `OTHER`; a null key is a record without that field.
    """
    ids = metric_ids or KPI_METRICS
    sql, params, columns = _rates_sql(filters, scope, by, channel, ids)
    if by in GRAINS:
        return _bucket_rates(filters, by, db.rows(sql, params), columns, ids)
    return _with_wilson(db.frame(sql, params), ids).reset_index(drop=True)


def _bucket_rates(filters: Filters, grain: str, found: list[tuple], columns: list[str], ids: list[str]) -> pd.DataFrame:
    """`survey_rates` by week or month from its rows: every bucket, as the frame a left join of the buckets
    with the rows would give (a count or n with an empty bucket is a float, NaN there), and their bounds."""
    starts = buckets(filters, grain)
    by_start = {row[0]: row[1:] for row in found}
    empty = (None,) * (len(columns) - 1)
    table = list(zip(*(by_start.get(start, empty) for start in starts))) or [()] * (len(columns) - 1)
    values = dict(zip(columns[1:], table))
    data = {"key": pd.to_datetime(starts)}
    for name, column in values.items():
        m = BY_ID.get(name)
        if name == "survey.responses":
            data[name] = [int(v or 0) for v in column]
        elif m is not None or all(v is None for v in column):   # a rate or mean, or nothing: floats
            data[name] = np.array(column, dtype=float)
        else:
            data[name] = list(column)
    df = with_coverage(pd.DataFrame(data), filters, grain)
    for mid in ids:
        if BY_ID[mid].wilson:
            bounds = [wilson(v, n) for v, n in zip(values[mid], values[f"{mid}#n"])]
            df[f"{mid}#low"] = [b[0] for b in bounds]
            df[f"{mid}#high"] = [b[1] for b in bounds]
    return df


SEGMENT_METRICS = RATE_METRICS + ["survey.responses"]


def segments(filters: Filters, scope: Scope, by: str, metric_id: str, channel: str | None = None) -> pd.DataFrame:
    """A segment breakdown ranked on `metric_id`: ranked segments first (best first), then small samples,
    then the catch-all groups (no area, not given, other origins), which are never ranked.

    The columns of `survey_rates`, and `name` (the area name for areas, else the key), `n` (the
    metric's n), `small` (fewer answers than the minimum) and `rank` (None when small).
    Areas outside the scope are left out; a null key stays (records without the field).
    A few dozen rows at most: shaped as plain rows, one frame at the end.
    """
    if by not in SEGMENTS:
        raise ValueError(f"unknown segment {by!r}")
    if metric_id not in RATE_METRICS:
        raise ValueError(f"not a survey rate {metric_id!r}")
    columns, found = _segment_rows(filters, scope, by, channel)
    rows = [dict(zip(columns, row)) for row in found]
    names = reference.area_names(scope) if by == "area" else None
    minimum = judgements.min_survey_answers()
    kept = []
    for row in rows:
        key = row["key"]
        if names is not None and key is not None and key not in names:
            continue
        n = int(row[f"{metric_id}#n"] or 0)
        if n <= 0:
            continue
        row["survey.responses"] = int(row["survey.responses"] or 0)
        for mid in RATE_METRICS:
            row[f"{mid}#low"], row[f"{mid}#high"] = wilson(row[mid], row[f"{mid}#n"])
        row["name"] = (names.get(key) if key is not None else None) if names is not None else key
        row["n"], row["small"] = n, n < minimum
        kept.append(row)
    # Records without the field and the origins beyond the top ones are no place to rank: last, unranked.
    named = [r for r in kept if r["key"] is not None and r["key"] != OTHER]
    ranked = sorted((r for r in named if not r["small"]), key=lambda r: (-r[metric_id], -r["n"]))
    small = sorted((r for r in named if r["small"]), key=lambda r: -r["n"])
    rest = sorted((r for r in kept if r["key"] is None or r["key"] == OTHER), key=lambda r: -r["n"])
    for rank, row in enumerate(ranked, 1):
        row["rank"] = rank
    for row in small + rest:
        row["rank"] = None
    ordered = ranked + small + rest
    bounds = [f"{mid}#{side}" for mid in RATE_METRICS for side in ("low", "high")]
    typed = {**dict.fromkeys(RATE_METRICS + bounds, float), "rank": object}   # rates NaN when null, ranks None
    return pd.DataFrame({c: np.array([r[c] for r in ordered], dtype=typed[c]) if c in typed
                         else [r[c] for r in ordered] for c in columns + bounds + ["name", "n", "small", "rank"]})


# The segments each daily rollup answers, read together: one scan of its rows for both.
SEGMENT_PAIRS = (("area", "channel"), ("respondent_type", "origin"))


def _segment_rows(filters: Filters, scope: Scope, by: str, channel: str | None) -> tuple[list[str], list[tuple]]:
    """The rows `_rates_sql` gives for segment `by` (same columns, same key order), from the statement
    that reads `by` and the other segment of its pair in one scan, kept for the other's chart."""
    pair = next(p for p in SEGMENT_PAIRS if by in p)
    sql, params, columns = _pair_sql(filters, scope, pair, channel)
    found = db.rows(sql, params)
    return columns, [row[1:] for row in found if row[0] == by]


def _pair_sql(filters: Filters, scope: Scope, pair: tuple[str, str], channel: str | None) -> tuple[str, dict, list[str]]:
    """Both segments of `pair` by GROUPING SETS: `segment` (which one), then `_rates_sql`'s columns.

    The origins' pooling needs the top origins first: the view's rows are summed once by both
    keys (a few dozen rows; the catalog's rollup expressions are sums of sums there, the same
    integers), and the top origins and both segments are read from those sums."""
    params: dict = {}
    metrics = [BY_ID[i] for i in SEGMENT_METRICS]
    source = SOURCES["surveys"].rollup if pair[0] in ROLLUP_BY else SURVEY_PROFILE_ROLLUP
    where = _where(filters, scope, channel, params, source)
    selects = ", ".join(select_list(metrics, True))
    columns = ["key"] + [c for m in metrics for c in ([m.id, f"{m.id}#n"] if m.rollup_n_expr else [m.id])]
    first, second = (_KEYS.get(by, f"r.{by}") for by in pair)
    if "origin" not in pair:
        return (f"select case when grouping({first}) = 0 then '{pair[0]}' else '{pair[1]}' end as segment, "
                f"case when grouping({first}) = 0 then {first} else {second} end as key, {selects} "
                f"from {source.from_sql} where {where} group by grouping sets (({first}), ({second})) "
                f"order by 1, 2"), params, columns
    measures = sorted(set(re.findall(r"\br\.(\w+)", selects)))
    sums = ", ".join(f"sum(r.{m}) as {m}" for m in measures)
    origin = (f"case when r.origin is null then null when r.origin in (select origin from top) "
              f"then r.origin else '{OTHER}' end")
    return (f"with base as materialized (select r.respondent_type, r.origin, {sums} from {source.from_sql} "
            f"where {where} group by all), "
            f"top as (select r.origin from base r where r.origin is not null "
            f"group by 1 order by sum(r.responses) desc, 1 limit {TOP_ORIGINS}), "
            f"keyed as (select r.*, {origin} as origin_key from base r) "
            f"select case when grouping(r.respondent_type) = 0 then 'respondent_type' else 'origin' end as segment, "
            f"case when grouping(r.respondent_type) = 0 then r.respondent_type else r.origin_key end as key, "
            f"{selects} from keyed r group by grouping sets ((r.respondent_type), (r.origin_key)) "
            f"order by 1, 2"), params, columns


def trend_span(filters: Filters, grain: str, count: int = TREND_BUCKETS) -> Filters:
    """The period widened to whole weeks or months, and to at least the `count` of them that end
    with it: a trend of last week alone would be one point."""
    last = bucket_start(filters.end, grain)
    if grain == "month":
        months = last.year * 12 + last.month - 1 - (count - 1)
        first = dt.date(months // 12, months % 12 + 1, 1)
    else:
        first = last - dt.timedelta(days=7 * (count - 1))
    return Filters(min(bucket_start(filters.start, grain), first), filters.end, filters.unit, filters.area,
                   filters.season)


def trend(filters: Filters, scope: Scope, grain: str, channel: str | None = None) -> pd.DataFrame:
    """Satisfaction and safety rates per week or month of the period, every bucket present."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    return survey_rates(filters, scope, grain, channel, RATE_METRICS + ["survey.responses"])


def kpis(filters: Filters, against: Comparison, scope: Scope, channel: str | None = None) -> dict[str, KpiFigures]:
    """The KPI cards' figures: the catalog's own when no channel is chosen, else the same SQL narrowed."""
    if not channel:
        return kpi_figures(filters, against, scope, KPI_METRICS)
    f, prev, last, weeks = comparison_spans(filters, against)
    values = {name: survey_rates(span, scope, None, channel).iloc[0]
              for name, span in (("now", f), ("prev", prev), ("last", last))}
    weekly = survey_rates(weeks, scope, "week", channel)
    out = {}
    for mid in KPI_METRICS:
        def value(row, mid=mid):
            v = row[mid]
            n = row.get(f"{mid}#n")
            return MetricValue(None if pd.isna(v) else float(v) if BY_ID[mid].fmt != "count" else int(v),
                               None if n is None or pd.isna(n) else int(n),
                               row.get(f"{mid}#low"), row.get(f"{mid}#high"))
        out[mid] = KpiFigures(value(values["now"]), value(values["prev"]), value(values["last"]),
                              weekly_series(weekly, mid))
    return out


def unitless_count(filters: Filters, scope: Scope, channel: str | None = None) -> int:
    """Answers of the period with no unit: counted in the whole city only, never in a unit."""
    if scope.unit:
        return 0
    params: dict = {}
    city = Filters(filters.start, filters.end, None, filters.area, filters.season)
    where = _where(city, scope, channel, params)
    found = db.rows(f"select count(*) from surveys r where {where} and r.unit_code is null", params)
    return int(found[0][0])


def likert(filters: Filters, scope: Scope, channel: str | None = None) -> pd.DataFrame:
    """Five-point answers per question: question, score (1–5), count, n (answers to it), share."""
    params: dict = {}
    source = SURVEY_ANSWERS_ROLLUP
    where = _where(filters, scope, channel, params, source)
    found = db.rows(f"select r.question, r.score, sum(r.answers) as count from {source.from_sql} "
                    f"where {where} and r.question in (select unnest($questions)) group by all",
                    {**params, "questions": list(QUESTIONS)})
    counts = {(question, int(score)): int(count or 0) for question, score, count in found}
    grid = [(question, score, counts.get((question, score), 0)) for question in QUESTIONS for score in range(1, 6)]
    answered = {question: sum(counts.get((question, score), 0) for score in range(1, 6)) for question in QUESTIONS}
    if not any(answered.values()):
        grid = []
    questions, scores, counted = zip(*grid) if grid else ((), (), ())
    return pd.DataFrame({
        "question": pd.Series(questions, dtype="str"), "score": np.array(scores, dtype="int64"),
        "count": np.array(counted, dtype="int64"), "n": np.array([answered[q] for q in questions], dtype="int64"),
        "share": np.array([c / answered[q] if answered[q] else np.nan for q, c in zip(questions, counted)],
                          dtype=float)})


def comments(filters: Filters, scope: Scope, channel: str | None = None, search: str | None = None,
             limit: int = GRID_LIMIT) -> pd.DataFrame:
    """Suggestions and lowest-rated answers, newest first, comment masked; `total` = all matching.

    `search` matches the masked comment (so a phone number cannot be looked
    up), the area name, the origin, the channel and the respondent type, as
    a plain substring passed as a parameter. Kept whole in the query cache: the grid and the
    line under it each ask for it.
    """
    return db.cached(("satisfaction.comments", filters, scope, channel, search, int(limit)),
                     lambda: _comments(filters, scope, channel, search, limit)).copy()


COMMENT_COLUMNS = ("response_id", "submitted_at", "area_code", "area_name", "channel", "respondent_type", "origin",
                   *QUESTIONS, "comment", "has_comment", "low_score", "total")


def _comments(filters: Filters, scope: Scope, channel: str | None, search: str | None, limit: int) -> pd.DataFrame:
    params: dict = {}
    where = _where(filters, scope, channel, params)
    masked = mask_sql("r.comment")
    cond, areas = "", "left join scenic_areas a on a.area_code = r.area_code"
    if search and search.strip():
        params["q"] = search.strip().lower()
        cond = (f" and (contains(lower(coalesce({masked}, '')), $q) or contains(lower(coalesce(a.area_name, '')), $q)"
                f" or contains(lower(coalesce(r.origin, '')), $q) or contains(r.channel, $q)"
                f" or contains(coalesce(r.respondent_type, ''), $q))")
    scores = ", ".join(f"r.{q}" for q in QUESTIONS)
    # survey_feedback holds only the answers with a comment or a score at or below LOW_SCORE (its
    # definition in warehouse.marts): asking again would read every comment of the period (10M:
    # the count 56 ms with the test, 6 ms without).
    matching = f"where {where}{cond}"
    # The newest rows by a top-N and the total by a count, as two queries: a window count would
    # sort every match, and DuckDB plans the two together slower than apart (10M: 18 + 50 ms
    # apart, 140–260 ms together). Mask after the limit: only the rows shown pay for the
    # regular expressions (the search needs them all). The count needs the areas only to search them.
    sql = (f"with hits as (select r.response_id, r.submitted_at, r.area_code, a.area_name, r.channel, "
           f"r.respondent_type, r.origin, {scores}, r.comment from survey_feedback r {areas} {matching} "
           f"order by r.submitted_at desc, r.response_id limit {int(limit)}) "
           f"select response_id, submitted_at, area_code, area_name, channel, respondent_type, origin, "
           f"{', '.join(QUESTIONS)}, {mask_sql('comment')} as comment, comment is not null as has_comment, "
           f"q_satisfaction <= $low_score as low_score from hits "
           f"order by submitted_at desc, response_id")
    total = db.rows(f"select count(*) from survey_feedback r {areas if cond else ''} {matching}", params)[0][0]
    # Plain values for a grid, as DuckDB gives them: None, never NaN/NA.
    shown = db.rows(sql, {**params, "low_score": LOW_SCORE})
    return pd.DataFrame([(*row, total) for row in shown], columns=list(COMMENT_COLUMNS),
                        dtype=object)


# ---- keywords -------------------------------------------------------------------------------

STOPWORDS = frozenset("""
的 了 在 和 是 很 也 都 就 有 与 及 或 等 对 把 被 给 让 向 从 到 为 以 于 而 但 并 还 又 再 更 最 太 挺 真
我 我们 你 你们 他 他们 她 它 这 那 这里 那里 这个 那个 这些 那些 一个 一些 一下 一点 有点 有些 什么 怎么
没有 不是 就是 还是 可以 可能 应该 需要 能够 已经 非常 比较 特别 十分 真的 感觉 觉得 希望 建议 意见 建议书
问题 情况 方面 时候 现在 今天 之后 以后 以前 如果 因为 所以 但是 而且 不过 然后 还有 以及 进一步
当事人 身份证 身份证号 联系电话 电话 手机 号码 联系方式 谢谢 辛苦 啊 吧 呢 吗 哦 嗯
安排 设置 增加 增设 加强 改进 提高 进行 提供 注意 多多 一定
时间 管理 不足 地方 工作 东西 这样 那样 方便 及时 有关 相关 存在 出现
""".split())
DOMAIN_WORDS = ("旅游警察", "警务室", "警务服务点", "失物招领处", "失物招领", "一键报警柱", "一键报警", "指示牌",
                "饮水点", "索道站", "游客中心", "观景台", "步行街", "停车场", "应急广播", "休息座椅", "定点值守",
                "服务态度", "出租车", "不打表", "拉客", "夜市", "码头", "主入口", "见警率")
_TOKEN_OK = re.compile(r"^[\u4e00-\u9fffA-Za-z]+$")
_tokenizer_lock = threading.Lock()
_tokenizer_state: dict = {}


def tokenizer():
    """One jieba tokenizer for the process, with the domain's words; built once (about a second)."""
    with _tokenizer_lock:
        if "tok" not in _tokenizer_state:
            import jieba
            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            for word in DOMAIN_WORDS:
                tok.add_word(word)
            _tokenizer_state["tok"] = tok
        return _tokenizer_state["tok"]


def warm_up() -> None:
    """Build the tokenizer in the background so the first keyword chart does not wait for it."""
    threading.Thread(target=tokenizer, name="jieba-warm-up", daemon=True).start()


@lru_cache(maxsize=100_000)
def words_of(text: str) -> frozenset[str]:
    """The distinct keywords of one (already masked) comment: no stopwords, single characters or digits."""
    return frozenset(w for w in tokenizer().lcut(text)
                     if len(w) > 1 and w not in STOPWORDS and _TOKEN_OK.match(w))


def keywords(filters: Filters, scope: Scope, channel: str | None = None, top: int = 20) -> pd.DataFrame:
    """The `top` words of the period's comments: word, comments (how many comments use it), of (comments
    read). Words used in one comment only are left out once enough words are used in several."""
    params: dict = {}
    where = _where(filters, scope, channel, params)
    # Group the comments first, then mask each distinct text once (masking is the costly part).
    sql = (f"select {mask_sql('text')} as text, sum(n) as n from ("
           f"select r.comment as text, count(*) as n from surveys r "
           f"where {where} and r.comment is not null and trim(r.comment) <> '' group by 1) "
           f"group by 1 order by n desc, 1 limit {KEYWORD_SOURCE_LIMIT}")

    def compute():
        texts = db.frame(sql, params)
        counts: Counter = Counter()
        for text, n in zip(texts["text"], texts["n"]):
            for word in words_of(text):
                counts[word] += int(n)
        if sum(1 for c in counts.values() if c >= 2) >= KEYWORD_MIN_REPEATED:
            counts = Counter({w: c for w, c in counts.items() if c >= 2})   # one-off words are noise here
        rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return pd.DataFrame({"word": [w for w, _ in rows], "comments": [c for _, c in rows],
                             "of": int(texts["n"].sum()) if len(texts) else 0})

    return db.cached(("satisfaction.keywords", sql, tuple(sorted((k, repr(v)) for k, v in params.items())), top),
                     compute).copy()
