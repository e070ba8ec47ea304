"""`generate_exports`: the demo city's exports, every record type, written file by file.

The reference types first, then one month of flows at a time (`etl.demo.flows`),
the campaigns' nominations and votes, each file in its turn of the rotating
styles below (`etl.demo.write`). See the package for what the files exercise.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np

from warehouse import record_types as rt
from warehouse.clock import china_now
from etl.demo.calendar import holiday_periods
from etl.demo.campaigns import deployments, nominations, votes
from etl.demo.flows import month_flows
from etl.demo.reference import build_officers, build_posts, build_reference, build_teams
from etl.demo.write import Style, bad_frame, bad_strings, headers, plan_bad, render, write_csv, write_xlsx
from etl.demo.write_large import ArrowCsv, arrow_with_bad, render_arrow
from etl.demo.world import Cat, Seq, World

DEMO_SEED = 7
DEFAULT_INCIDENTS = 40_000
LARGE_SCALE = 1_000_000
VOTES_PER_INCIDENT = 0.5          # ~20,000 votes at the default scale
TITLE = "云岚市公安局旅游警察支队"

# How the monthly incident and survey files look, in rotation (name language, style).
INCIDENT_STYLES = (
    ("zh", Style()),
    ("en", Style(encoding="utf-8-sig", headers="zh_messy", date="slash", seconds=False, null="-")),
    ("zh", Style(encoding="gb18030", date="zh", seconds=False, null="无数据")),
    ("en", Style(headers="en", crlf=True)),
    ("zh", Style(fmt="xlsx", date="excel", title=f"{TITLE} 涉旅警情登记表")),
    ("zh", Style(encoding="gb18030", date="compact", null="/")),
)
SURVEY_STYLES = (
    ("zh", Style(encoding="utf-8-sig")),
    ("zh", Style(encoding="gb18030", date="slash", seconds=False, null="-")),
    ("en", Style(headers="en_messy", date="compact")),
    ("zh", Style(encoding="utf-8", headers="zh_messy", date="zh", null="无数据", crlf=True)),
    ("zh", Style(fmt="xlsx", date="excel", title=f"{TITLE} 开门评警满意度调查")),
)
MEDIATION_STYLES = (
    ("zh", Style(encoding="utf-8-sig", headers="zh_messy", date="slash", seconds=False, bools=("Y", "N"), null="-")),
    ("en", Style(fmt="xlsx", date="excel")),
    ("zh", Style(encoding="gb18030", date="zh", bools=("1", "0"), null="无数据")),
)
SERVICE_STYLES = (
    ("zh", Style(fmt="xlsx", date="excel", title=f"{TITLE} 便民服务统计表", extra="备注", headers="zh_messy")),
    ("zh", Style(encoding="gb18030", date="compact", fullwidth=0.02)),
    ("en", Style(headers="en", date="iso", fullwidth=0.01)),
)
VISITOR_STYLES = (
    ("zh", Style(encoding="gb18030", thousands=True)),
    ("en", Style(headers="en", date="slash", fullwidth=0.01)),
    ("zh", Style(encoding="utf-8-sig", headers="zh_messy", date="zh", thousands=True)),
)
VOTE_STYLES = (("en", Style(headers="en")), ("zh", Style(encoding="gb18030", seconds=False)))


def _start_of(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 2) + dt.timedelta(days=1)
    except ValueError:                      # 29 February
        return today.replace(year=today.year - 2, day=28) + dt.timedelta(days=1)


def _concat(frames: list[dict]) -> dict:
    out = {}
    for k in frames[0]:
        vs = [f[k] for f in frames]
        if isinstance(vs[0], Seq):
            for a, b in zip(vs, vs[1:]):
                assert a.start + a.n == b.start, "ids must be contiguous"
            out[k] = Seq(vs[0].prefix, vs[0].start, sum(v.n for v in vs), vs[0].width)
        elif isinstance(vs[0], Cat):
            out[k] = Cat(np.concatenate([v.codes for v in vs]), vs[0].values)
        else:
            out[k] = np.concatenate(vs)
    return out


def _len(frame: dict) -> int:
    return len(next(iter(frame.values())))


class _Out:
    def __init__(self, out_dir: Path, seed: int, stamp: dt.datetime):
        self.dir = out_dir
        self.stamp = stamp
        self.rng = np.random.default_rng([seed, 900])      # formatting noise and bad rows
        self.paths: dict[str, list[Path]] = {t.name: [] for t in rt.RECORD_TYPES}
        # the first file of each flow type carries one bad row of each kind it can have
        self.must: dict[str, tuple] = {
            "incidents": ("bad_date", "bad_enum", "bad_unit", "arrived_before", "duplicate"),
            "surveys": ("score6", "bad_enum", "bad_date", "duplicate", "bad_unit"),
            "mediations": ("negative", "bad_date"), "services": ("bad_enum", "bad_unit"),
            "enforcement": ("bad_enum",), "votes": ("duplicate",), "visitors": ("bad_date",),
        }
        self.writers: dict[str, ArrowCsv] = {}

    def name(self, rtype, lang: str, period: str = "") -> str:
        stem = rtype.zh if lang == "zh" else rtype.name
        return f"{stem}_{period}" if period else stem

    def write(self, rtype, frame: dict, style: Style, stem: str, sheet: str | None = None, bad: bool = True):
        plan = plan_bad(self.rng, rtype.name, _len(frame), self.must.pop(rtype.name, ())) if bad else []
        bad_frame(frame, plan)
        cols = render(frame, rtype, style, self.rng)
        bad_strings(cols, rtype, plan, self.rng)
        head = headers(rtype, style)
        if style.fmt == "xlsx":
            path = self.dir / f"{stem}.xlsx"
            write_xlsx(path, head, cols, style, self.stamp, sheet or rtype.zh)
        else:
            path = self.dir / f"{stem}.csv"
            write_csv(path, head, cols, style)
        self.paths[rtype.name].append(path)

    def append(self, rtype, frame: dict, stem: str):
        """Large scale: plain UTF-8 CSV, one file per stem, appended chunk by chunk."""
        plan = plan_bad(self.rng, rtype.name, _len(frame), self.must.pop(rtype.name, ()), rate=0.0)
        bad_frame(frame, plan)
        table = arrow_with_bad(render_arrow(frame, rtype), rtype, plan, self.rng)
        w = self.writers.get(stem)
        if w is None:
            w = self.writers[stem] = ArrowCsv(self.dir / f"{stem}.csv", table.schema)
            self.paths[rtype.name].append(w.path)
        w.write(table)

    def close(self) -> list[Path]:
        for w in self.writers.values():
            w.close()
        return [p for t in rt.RECORD_TYPES for p in self.paths[t.name]]


def generate_exports(out_dir: Path, *, seed: int = DEMO_SEED, scale: int | None = None,
                     today: dt.date | None = None, now: dt.datetime | None = None) -> list[Path]:
    """Write demo export files of all record types into out_dir; return their paths.

    scale: about how many incidents (default 40,000 over two years); every other flow
    type follows in proportion, visitors stay one row per area and day. `now` (China time,
    naive): no record is later; without `today` or `now` it is the moment in China, and
    `today` China's date (whatever the server's zone); with only `today`, the moment in China
    when that is China's date today, else the end of that day.
    """
    if now is None and (today is None or today == china_now().date()):
        now = china_now().replace(microsecond=0)
    if now is not None:
        today = now.date()
    n = int(scale or DEFAULT_INCIDENTS)
    start = _start_of(today)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ref = build_reference(np.random.default_rng([seed, 0]))
    w = World(seed, ref, start, today, holiday_periods(start, today), n, now=now)
    large = n >= LARGE_SCALE
    out = _Out(out_dir, seed, dt.datetime.combine(today, dt.time(8, 30)))
    T = rt.BY_NAME

    # reference and slowly changing types: always the untidy small files
    out.write(T["units"], dict(ref.units), Style(encoding="utf-8-sig"), "units")
    out.write(T["scenic_areas"], dict(ref.areas), Style(fmt="xlsx", title="云岚市A级旅游景区名录"), "景区", "景区名录")
    out.write(T["posts"], build_posts(w.rng(10), ref, start, today, seed),
              Style(encoding="gb18030", date="slash", null="-"), "警务室与服务点")
    n_off = 800 if w.f <= 1 else int(800 * (1 + 0.5 * math.log10(w.f)))
    officers = build_officers(w.rng(11), ref, start, today, n_off)
    out.write(T["officers"], officers, Style(fmt="xlsx", date="excel"), "旅游警力")
    out.write(T["teams"], build_teams(w.rng(12), ref, start, today),
              Style(headers="en", date="compact", null="/", crlf=True), "teams")
    dep = deployments(w)
    if large:
        out.append(T["deployments"], dep, "deployments")
    else:
        out.write(T["deployments"], dep, Style(fmt="xlsx", date="excel", headers="zh_messy",
                                               title=f"{TITLE} 布警勤务台账"), "布警勤务", bad=False)

    # monthly flows
    yearly: dict[tuple[str, int], list[dict]] = {}
    for i, (y, m, i0, i1) in enumerate(w.months()):
        flows = month_flows(w, y, m, i0, i1)
        if large:
            for name, frame in flows.items():
                out.append(T[name], frame, f"{name}_{y}")
            continue
        for name, styles in (("incidents", INCIDENT_STYLES), ("surveys", SURVEY_STYLES)):
            lang, style = styles[i % len(styles)]
            period = f"{y}年{m}月" if lang == "zh" else f"{y}-{m:02d}"
            out.write(T[name], flows[name], style, out.name(T[name], lang, period))
        for name in ("mediations", "services"):
            yearly.setdefault((name, y), []).append(flows[name])
        yearly.setdefault(("enforcement", 0), []).append(flows["enforcement"])
    if not large:
        for k, ((name, y), frames) in enumerate(sorted(yearly.items())):
            frame = _concat(frames)
            if name == "enforcement":
                out.write(T[name], frame, Style(encoding="gb18030", date="zh"), "治安管控")
                continue
            styles = MEDIATION_STYLES if name == "mediations" else SERVICE_STYLES
            lang, style = styles[(y - start.year) % len(styles)]
            out.write(T[name], frame, style, out.name(T[name], lang, f"{y}年" if lang == "zh" else str(y)))

    # visitors: one row per area and day, one file per year
    na = w.n_areas
    years = w.days.astype("datetime64[Y]").astype(int) + 1970
    for k, y in enumerate(np.unique(years)):
        idx = np.flatnonzero(years == y)
        frame = {
            "area_code": Cat(np.tile(np.arange(na), len(idx)), w.area_codes),
            "visit_date": np.repeat(w.days[idx], na),
            "visitors": w.visitors[:, idx].T.ravel(),
        }
        if large:
            out.append(T["visitors"], frame, f"visitors_{y}")
        else:
            lang, style = VISITOR_STYLES[k % len(VISITOR_STYLES)]
            out.write(T["visitors"], frame, style, out.name(T["visitors"], lang, f"{y}年" if lang == "zh" else str(y)))

    # nominations and votes
    noms, pop = nominations(w, officers)
    out.write(T["nominations"], noms, Style(fmt="xlsx", date="excel", title="最美旅游警察推荐人选汇总"), "最美旅游警察推荐")
    for k, (y, (ids, weights)) in enumerate(sorted(pop.items())):
        v = votes(w, y, ids, weights, int(VOTES_PER_INCIDENT * n / max(1, len(pop))))
        if v is None:
            continue
        if large:
            out.append(T["votes"], v, f"votes_{y}")
        else:
            lang, style = VOTE_STYLES[k % len(VOTE_STYLES)]
            out.write(T["votes"], v, style, out.name(T["votes"], lang, f"{y}年" if lang == "zh" else str(y)))
    return out.close()

