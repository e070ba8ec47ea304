"""The demo city over the period, and the column kinds its flow builders return.

A *frame* is a dict of column name -> column, where a column is a numpy array
(object strings, datetime64[D] dates, datetime64[s] date-times, int64 / float64
numbers with NaN as null, int8 booleans with -1 as null), a `Cat` (codes into a
list of values, -1 = null) or a `Seq` (generated ids). `World` holds the
reference data, the daily visitors per area, the text pools and the id
counters; `etl.demo.write` renders frames into files.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from etl.demo.calendar import all_periods
from etl.demo.reference import Reference, fake_phones
from etl.demo.wording import comment_pools, fake_pii_text, summary_pool

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



class World:
    """The generated city over the period: reference data, visitors, and id counters."""

    def __init__(self, seed, ref: Reference, start: dt.date, end: dt.date, periods, n_incidents: int,
                 now: dt.datetime | None = None):
        self.seed = seed
        self.ref = ref
        self.start, self.end = start, end
        self.days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
        self.day_s = self.days.astype("datetime64[s]").astype(np.int64)
        # The demo's now (China time): no record is later. The end of the last day unless given.
        end_of_day = int(self.day_s[-1]) + DAY - 1
        self.now_s = end_of_day if now is None else min(end_of_day, int(np.datetime64(now, "s").astype(np.int64)))
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
        # The last day's incidents only up to now (not all of them squeezed in before it).
        self.inc_lambda[:, -1] *= (self.now_s - int(self.day_s[-1]) + 1) / DAY
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

    def with_responsible_unit(self, unit, a):
        """`unit` with the first record at each area booked to the area's responsible unit when
        chance gave that unit none of them: a unit answering for a scenic area has incidents and
        mediations there in every month the area has any (the page tests drill into one).
        No random draw, so a month where chance already did it comes out unchanged."""
        unit = unit.copy()
        for k in np.unique(a[a >= 0]):
            at = np.flatnonzero(a == k)
            own = self.ref.area_unit[k]
            if not (unit[at] == own).any():
                unit[at[0]] = own
        return unit
