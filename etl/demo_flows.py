"""Flow records of the demo generator, vectorised with numpy.

Each builder returns a *frame*: a dict of column name -> column, where a column
is a numpy array (object strings, datetime64[D] dates, datetime64[s] date-times,
int64 / float64 numbers with NaN as null, int8 booleans with -1 as null), a
`Cat` (codes into a list of values, -1 = null) or a `Seq` (generated ids).
`etl.demo_write` renders frames into files.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from etl.demo_calendar import all_periods
from etl.demo_ref import ORIGIN_P, ORIGINS, Reference, comment_pools, fake_pii_text, fake_phones, summary_pool
from warehouse import record_types as rt

DAY = 86400
NAT = np.datetime64("NaT", "s")


@dataclass
class Cat:
    codes: np.ndarray       # int, -1 = null
    values: list

    def __len__(self):
        return len(self.codes)


@dataclass
class Seq:
    prefix: str
    start: int
    n: int
    width: int

    def __len__(self):
        return self.n


def choice(rng, values, n, p):
    p = np.asarray(p, float)
    return rng.choice(len(values), n, p=p / p.sum())


def null_out(rng, codes, rate):
    codes = codes.copy()
    codes[rng.random(len(codes)) < rate] = -1
    return codes


HOUR_W = np.array([2, 1.2, 0.8, 0.5, 0.4, 0.6, 1, 2, 4, 7, 10, 11, 10, 8, 9, 10, 10, 9, 7, 6, 5, 4, 3, 2.5])
SURVEY_HOUR_W = np.array([0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 3, 5, 7, 8, 7, 6, 7, 8, 8, 7, 6, 6, 5, 4, 2, 1])
VOTE_HOUR_W = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 3, 5, 5, 4, 4, 7, 6, 4, 4, 4, 4, 5, 7, 9, 9, 6, 3])

CATEGORY_W = {"矛盾纠纷": 18, "盗窃": 5, "诈骗": 3, "人员走失": 15, "物品遗失": 24, "求助救助": 20,
              "交通事故": 6, "违法经营": 4, "其他": 5}
# (行政案件, 刑事案件) probability by category
CASE_P = {"矛盾纠纷": (0.08, 0.003), "盗窃": (0.25, 0.08), "诈骗": (0.15, 0.10), "违法经营": (0.40, 0.01),
          "交通事故": (0.05, 0.0), "人员走失": (0.0, 0.0), "物品遗失": (0.005, 0.0), "求助救助": (0.0, 0.0),
          "其他": (0.01, 0.0)}
SOURCE_W = (35, 30, 15, 5, 15)
DISPUTE_W = (22, 12, 15, 12, 14, 8, 10, 7)
SERVICE_W = {"寻人": 8, "寻物": 18, "救助游客": 7, "交通业务": 12, "户政业务": 8, "安全预警推送": 12, "咨询指引": 35}
SERVICE_Q = {"寻人": (1, 3), "寻物": (1, 6), "救助游客": (1, 3), "交通业务": (1, 20), "户政业务": (1, 10),
             "安全预警推送": (1, 8), "咨询指引": (3, 60)}
ACTION_W = {"综合执法": 12, "专项整治": 0.6, "隐患排查整治": 26, "违规卖场查处": 8, "信息流转": 18,
            "区域协作交流": 0.3, "商铺检查": 34}
ACTION_Q = {"综合执法": (1, 3), "专项整治": (1, 1), "隐患排查整治": (1, 6), "违规卖场查处": (1, 4),
            "信息流转": (1, 25), "区域协作交流": (1, 1), "商铺检查": (5, 40)}


class World:
    """The generated city over the period: reference data, visitors, and id counters."""

    def __init__(self, seed, ref: Reference, start: dt.date, end: dt.date, periods, n_incidents: int):
        self.seed = seed
        self.ref = ref
        self.start, self.end = start, end
        self.days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
        self.day_s = self.days.astype("datetime64[s]").astype(np.int64)
        self.now_s = int(self.day_s[-1]) + DAY - 1
        self.periods = periods
        self.n = n_incidents
        self.f = n_incidents / 40000.0
        self.counters: dict = {}
        self.n_areas = len(ref.area_unit)
        self.area_codes = list(ref.areas["area_code"])
        self.units = ref.unit_codes
        self.children = {u: [s for s in ref.stations if ref.unit_parent[s] == u] for u in range(len(self.units))}
        self.visitors = self._visitors(self.rng(1))
        crowd = 1 + 0.25 * (self.hol_f > 1.6)
        lam = self.visitors * ref.area_rate[:, None] * crowd[None, :]
        self.inc_lambda = lam * (self.n / lam.sum())
        self.vis_total = float(self.visitors.sum())
        self.spool, self.soff, self.ssize = summary_pool(self.rng(2))
        prng = self.rng(3)
        self.pii_tail = [fake_pii_text(prng) for _ in range(120)]
        self.spool_pii = [self.spool[int(prng.integers(0, len(self.spool)))] + t for t in self.pii_tail]
        self.cpos, self.cneg = comment_pools(self.rng(4))
        self.cpii = [(self.cpos + self.cneg)[int(prng.integers(0, 60))] + t for t in self.pii_tail[:60]]
        self.phones = fake_phones(self.rng(5), 5000)
        # incident unit candidates per area: its unit, the unit's stations, its parent
        self.area_cand = []
        for a in range(self.n_areas):
            u = int(ref.area_unit[a])
            kids = self.children[u]
            cand = [u] + kids + [ref.unit_parent[u]]
            p = [0.8] + [0.12 / len(kids)] * len(kids) + [0.08] if kids else [0.9, 0.1]
            self.area_cand.append((np.array(cand), np.array(p)))
        self.p_same = np.full(len(self.units), 0.975)
        self.p_same[ref.lagging] = 0.85

    def rng(self, k: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, k])

    def next_ids(self, prefix: str, n: int, width: int) -> Seq:
        s = self.counters.get(prefix, 0)
        self.counters[prefix] = s + n
        return Seq(prefix, s + 1, n, width)

    def _visitors(self, rng) -> np.ndarray:
        days, nd = self.days, len(self.days)
        dow = (self.days.astype(np.int64) + 3) % 7           # 0 = Monday
        dow_f = np.array([0.85, 0.8, 0.8, 0.85, 1.0, 1.55, 1.35])[dow]
        month = self.days.astype("datetime64[M]").astype(np.int64) % 12
        month_f = np.array([0.6, 0.75, 0.8, 0.95, 1.0, 1.0, 1.0, 1.0, 0.95, 1.0, 0.75, 0.6])[month]
        hol = np.ones(nd)
        profiles = {"春节": [1.2, 3.0, 3.4, 3.2, 2.8, 2.4, 2.0], "五一": [3.2, 3.4, 3.0, 2.6, 2.0],
                    "国庆黄金周": [4.8, 5.0, 4.6, 4.2, 3.6, 3.0, 2.4]}
        for a, b, label, a0 in all_periods(self.start, self.end):
            m = (days >= np.datetime64(a, "D")) & (days <= np.datetime64(b, "D"))
            if label == "暑期":
                hol[m] *= 1.5
                continue
            off = (days[m] - np.datetime64(a0, "D")).astype(np.int64)
            prof = np.array(profiles[label])
            hol[m] = prof[np.minimum(off, len(prof) - 1)]
            dow_f[m] = 1.0
        self.hol_f = hol
        trend = 1 + 0.07 * np.arange(nd) / 365.0
        rain = np.where(rng.random(nd) < 0.08, rng.uniform(0.5, 0.8, nd), 1.0)
        shape = (dow_f * month_f * hol * trend * rain)[None, :]
        noise = rng.lognormal(0.0, 0.12, (self.n_areas, nd))
        return np.round(self.ref.area_base[:, None] * shape * noise).astype(np.int64)

    def months(self):
        """(label year, month, first day index, end day index) for each calendar month of the period."""
        m = self.days.astype("datetime64[M]")
        edges = np.flatnonzero(np.r_[True, m[1:] != m[:-1], True])
        for i0, i1 in zip(edges[:-1], edges[1:]):
            d = self.days[i0].astype(dt.date)
            yield d.year, d.month, int(i0), int(i1)

    def sample_cells(self, rng, weights, n):
        """n (area, day-offset) cells drawn proportionally to a (areas x days) weight matrix."""
        c = np.cumsum(weights.ravel(), dtype=np.float64)
        idx = np.searchsorted(c, rng.random(n) * c[-1], side="right")
        idx = np.minimum(idx, c.size - 1)
        nd = weights.shape[1]
        return idx // nd, idx % nd

    def unit_for_areas(self, rng, a):
        u = np.empty(len(a), np.int64)
        for k in range(self.n_areas):
            m = a == k
            if m.any():
                cand, p = self.area_cand[k]
                u[m] = cand[rng.choice(len(cand), int(m.sum()), p=p)]
        return u


# --- one month of flows ----------------------------------------------------

def month_flows(w: World, year: int, month: int, i0: int, i1: int) -> dict:
    rng = w.rng(1000 + year * 12 + month)
    out = {}
    inc, disputes = _incidents(w, rng, i0, i1)
    out["incidents"] = inc
    out["mediations"] = _mediations(w, rng, i0, i1, disputes)
    vm = w.visitors[:, i0:i1]
    share = vm.sum() / w.vis_total
    out["surveys"] = _surveys(w, rng, i0, vm, int(rng.poisson(0.95 * w.n * share)))
    out["services"] = _services(w, rng, i0, vm, int(rng.poisson(0.35 * w.n * share)))
    span = (i1 - i0) / len(w.days)
    out["enforcement"] = _enforcement(w, rng, i0, np.sqrt(vm), int(rng.poisson(0.04 * w.n * span)))
    return out


def _times(w, rng, i0, d, n, hour_w):
    hour = rng.choice(24, n, p=hour_w / hour_w.sum())
    return w.day_s[i0 + d] + hour * 3600 + rng.integers(0, 3600, n)


def _incidents(w: World, rng, i0, i1):
    cnt = rng.poisson(w.inc_lambda[:, i0:i1])
    nd = i1 - i0
    flat = np.repeat(np.arange(cnt.size), cnt.ravel())
    a, d = flat // nd, flat % nd
    n = len(a)
    recv = _times(w, rng, i0, d, n, HOUR_W)
    order = np.argsort(recv, kind="stable")
    a, d, recv = a[order], d[order], recv[order]
    recv = np.minimum(recv, w.now_s - 600)
    unit = w.unit_for_areas(rng, a)
    cat = choice(rng, rt.INCIDENT_CATEGORIES, n, [CATEGORY_W[c] for c in rt.INCIDENT_CATEGORIES])
    src = choice(rng, rt.INCIDENT_SOURCES, n, SOURCE_W)
    mins = rng.lognormal(np.log(13.0), 0.8, n)
    mins = np.where(src == 4, rng.uniform(0.5, 3, n), mins)         # 巡逻发现: on the spot
    arrived = recv + np.round(mins * 60).astype(np.int64)
    arrived_null = rng.random(n) < 0.03
    base = np.where(arrived_null, recv + 900, arrived)
    midnight = w.day_s[i0 + d] + DAY - 1
    rem = midnight - base
    same = (rng.random(n) < w.p_same[unit]) & (rem > 300)
    closed = np.where(same, base + 300 + (rem - 300) * rng.beta(1.2, 7, n), 0).astype(np.int64)
    later = midnight + 1 + (rng.geometric(0.55, n) - 1) * DAY + rng.integers(8 * 3600, 21 * 3600, n)
    closed = np.where(same, closed, later)
    recent = recv > w.now_s - 5 * DAY
    unclosed = (~same & (rng.random(n) < np.where(recent, 0.6, 0.07))) | (closed > w.now_s)
    closed_dt = closed.astype("datetime64[s]")
    closed_dt[unclosed] = NAT
    arrived_dt = arrived.astype("datetime64[s]")
    arrived_dt[arrived_null] = NAT
    # case type
    u = rng.random(n)
    p_adm = np.array([CASE_P[c][0] for c in rt.INCIDENT_CATEGORIES])[cat]
    p_crim = np.array([CASE_P[c][1] for c in rt.INCIDENT_CATEGORIES])[cat]
    case = np.where(u < p_crim, 2, np.where(u < p_crim + p_adm, 1, np.where(rng.random(n) < 0.3, 0, -1)))
    summ = w.soff[cat] + (rng.random(n) * w.ssize[cat]).astype(np.int64)
    pii = rng.random(n) < 0.03
    summ[pii] = len(w.spool) + rng.integers(0, len(w.spool_pii), int(pii.sum()))
    summ[rng.random(n) < 0.04] = -1
    frame = {
        "incident_id": w.next_ids("JQ", n, 8),
        "received_at": recv.astype("datetime64[s]"),
        "unit_code": Cat(unit, w.units),
        "area_code": Cat(null_out(rng, a, 0.1), w.area_codes),
        "category": Cat(cat, rt.INCIDENT_CATEGORIES),
        "source": Cat(null_out(rng, src, 0.04), rt.INCIDENT_SOURCES),
        "arrived_at": arrived_dt,
        "closed_at": closed_dt,
        "case_type": Cat(case, rt.CASE_TYPES),
        "tourist_origin": Cat(null_out(rng, choice(rng, ORIGINS, n, ORIGIN_P), 0.12), ORIGINS),
        "summary": Cat(summ, w.spool + w.spool_pii),
    }
    dis = np.flatnonzero(cat == rt.INCIDENT_CATEGORIES.index("矛盾纠纷"))
    seq = frame["incident_id"]
    disputes = {"row": dis, "base": base[dis], "unit": unit[dis], "area": frame["area_code"].codes[dis],
                "ids": [f"{seq.prefix}{seq.start + i:0{seq.width}d}" for i in dis]}
    return frame, disputes


def _mediations(w: World, rng, i0, i1, disputes):
    link = rng.random(len(disputes["row"])) < 0.85
    n_l = int(link.sum())
    n_w = int(rng.poisson(0.15 * n_l)) if n_l else 0
    wa, wd = w.sample_cells(rng, w.visitors[:, i0:i1], n_w)
    walk_t = _times(w, rng, i0, wd, n_w, SURVEY_HOUR_W)
    opened = np.r_[disputes["base"][link] + rng.integers(60, 1800, n_l), walk_t]
    unit = np.r_[disputes["unit"][link], w.ref.area_unit[wa]]
    area = np.r_[disputes["area"][link], wa]
    inc_ids = np.array(list(np.array(disputes["ids"], object)[link]) + [None] * n_w, object)
    order = np.argsort(opened, kind="stable")
    opened, unit, area, inc_ids = opened[order], unit[order], area[order], inc_ids[order]
    opened = np.minimum(opened, w.now_s - 60)
    n = len(opened)
    result = choice(rng, rt.MEDIATION_RESULTS, n, [86, 5, 5, 4, 0])
    recent = opened > w.now_s - 3 * DAY
    result[recent & (rng.random(n) < 0.7)] = 4
    closed = opened + np.round(rng.lognormal(np.log(60), 1.0, n) * 60).astype(np.int64)
    result[closed > w.now_s] = 4
    closed_dt = closed.astype("datetime64[s]")
    closed_dt[result == 4] = NAT
    success = result == 0
    comp = np.full(n, np.nan)
    u = rng.random(n)
    paid = success & (u > 0.55)
    amt = np.clip(rng.lognormal(np.log(400), 0.9, n), 50, 5000)
    amt = np.where(rng.random(n) < 0.5, np.round(amt, -1), np.round(amt, 2))
    comp[paid] = amt[paid]
    comp[success & (u > 0.45) & (u <= 0.55)] = 0.0
    fast = np.where(success & (np.nan_to_num(comp, nan=0) <= 1000), rng.random(n) < 0.7, False).astype(np.int8)
    fast[rng.random(n) < 0.1] = -1
    return {
        "mediation_id": w.next_ids("TJ", n, 7),
        "incident_id": inc_ids,
        "opened_at": opened.astype("datetime64[s]"),
        "unit_code": Cat(unit, w.units),
        "area_code": Cat(area, w.area_codes),
        "dispute_type": Cat(choice(rng, rt.DISPUTE_TYPES, n, DISPUTE_W), rt.DISPUTE_TYPES),
        "result": Cat(result, rt.MEDIATION_RESULTS),
        "closed_at": closed_dt,
        "compensation_yuan": comp,
        "fast_track": fast,
    }


def _surveys(w: World, rng, i0, vm, n):
    a, d = w.sample_cells(rng, vm, n)
    t = np.sort(_times(w, rng, i0, d, n, SURVEY_HOUR_W))
    t = np.minimum(t, w.now_s - 60)
    ch = choice(rng, rt.SURVEY_CHANNELS, n, (50, 20, 15, 15))
    area = null_out(rng, a, 0.03)
    area[(ch == 3) & (rng.random(n) < 0.5)] = -1                       # 网上评警: often city-wide
    unit = w.ref.area_unit[a].copy()
    unit[(area < 0) | (rng.random(n) < 0.08)] = -1
    z = 1.5 + w.ref.area_mu[a] + np.array([0.0, 0.3, 0.1, -0.3])[ch] + rng.normal(0, 1, n)
    cuts = np.array([-1.3, -0.6, 0.2, 1.3])

    def score(x):
        return 1 + (x[:, None] > cuts[None, :]).sum(axis=1)

    sat = score(z)
    qs = {}
    for name, off, nul in (("q_safety", 0.25, 0.06), ("q_visibility", -0.2, 0.03),
                           ("q_efficiency", 0.0, 0.03), ("q_attitude", 0.15, 0.03)):
        q = score(z + off + rng.normal(0, 0.7, n)).astype(float)
        q[rng.random(n) < nul] = np.nan
        qs[name] = q
    pos, neg = w.cpos, w.cneg
    com = np.full(n, -1, np.int64)
    r = rng.random(n)
    bad = (sat <= 3) & (r < 0.6)
    good = (sat >= 4) & (r < 0.12)
    com[good] = rng.integers(0, len(pos), int(good.sum()))
    com[bad] = len(pos) + rng.integers(0, len(neg), int(bad.sum()))
    pii = rng.random(n) < 0.02
    com[pii] = len(pos) + len(neg) + rng.integers(0, len(w.cpii), int(pii.sum()))
    phone = np.where(rng.random(n) < 0.08, rng.integers(0, len(w.phones), n), -1)
    return {
        "response_id": w.next_ids("WJ", n, 8),
        "submitted_at": t.astype("datetime64[s]"),
        "area_code": Cat(area, w.area_codes),
        "unit_code": Cat(unit, w.units),
        "channel": Cat(ch, rt.SURVEY_CHANNELS),
        "respondent_type": Cat(null_out(rng, choice(rng, rt.RESPONDENT_TYPES, n, (76, 15, 9)), 0.02), rt.RESPONDENT_TYPES),
        "origin": Cat(null_out(rng, choice(rng, ORIGINS, n, ORIGIN_P), 0.1), ORIGINS),
        "q_safety": qs["q_safety"],
        "q_satisfaction": sat.astype(np.int64),
        "q_visibility": qs["q_visibility"],
        "q_efficiency": qs["q_efficiency"],
        "q_attitude": qs["q_attitude"],
        "comment": Cat(com, pos + neg + w.cpii),
        "phone": Cat(phone, w.phones),
    }


def _qty(rng, kinds, table, names, n):
    lo = np.array([table[k][0] for k in names])[kinds]
    hi = np.array([table[k][1] for k in names])[kinds]
    x = lo + np.floor(rng.gamma(1.3, 1.0, n) / 4.0 * (hi - lo + 1)).astype(np.int64)
    return np.minimum(x, hi)


def _services(w: World, rng, i0, vm, n):
    a, d = w.sample_cells(rng, vm, n)
    order = np.argsort(d, kind="stable")
    a, d = a[order], d[order]
    kind = choice(rng, rt.SERVICE_TYPES, n, [SERVICE_W[s] for s in rt.SERVICE_TYPES])
    return {
        "service_id": w.next_ids("FW", n, 8),
        "service_date": w.days[i0 + d],
        "unit_code": Cat(w.unit_for_areas(rng, a), w.units),
        "area_code": Cat(null_out(rng, a, 0.15), w.area_codes),
        "service_type": Cat(kind, rt.SERVICE_TYPES),
        "quantity": _qty(rng, kind, SERVICE_Q, rt.SERVICE_TYPES, n),
    }


def _enforcement(w: World, rng, i0, wm, n):
    a, d = w.sample_cells(rng, wm, n)
    order = np.argsort(d, kind="stable")
    a, d = a[order], d[order]
    kind = choice(rng, rt.ACTION_TYPES, n, [ACTION_W[s] for s in rt.ACTION_TYPES])
    unit = w.unit_for_areas(rng, a)
    area = null_out(rng, a, 0.2)
    big = (kind == rt.ACTION_TYPES.index("专项整治")) | (kind == rt.ACTION_TYPES.index("区域协作交流"))
    unit[big] = np.array([1] + w.ref.branches)[rng.integers(0, 1 + len(w.ref.branches), int(big.sum()))]
    area[big] = -1
    return {
        "action_id": w.next_ids("ZA", n, 7),
        "action_date": w.days[i0 + d],
        "unit_code": Cat(unit, w.units),
        "area_code": Cat(area, w.area_codes),
        "action_type": Cat(kind, rt.ACTION_TYPES),
        "quantity": _qty(rng, kind, ACTION_Q, rt.ACTION_TYPES, n),
    }
