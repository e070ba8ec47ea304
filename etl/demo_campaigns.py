"""Whole-period demo flows: deployments (布警勤务), nominations and votes (最美旅游警察)."""
from __future__ import annotations

import base64
import datetime as dt

import numpy as np

from etl.demo_calendar import holiday_periods
from etl.demo_flows import DAY, VOTE_HOUR_W, Cat, World, choice
from etl.demo_ref import reason_pool
from warehouse import record_types as rt


def deployments(w: World) -> dict:
    rng = w.rng(20)
    ref = w.ref
    unit_area = {}
    for a, u in enumerate(ref.area_unit):
        unit_area.setdefault(int(u), a)
        unit_area.setdefault(ref.unit_parent[int(u)], a)
    peak = np.zeros(len(w.days), bool)
    for a, b, _label in holiday_periods(w.start, w.end):
        peak |= (w.days >= np.datetime64(a, "D")) & (w.days <= np.datetime64(b, "D"))
    rows = []   # start idx, end idx, unit, area, season, mode, police
    for _y, _m, i0, i1 in w.months():
        season = 1 if peak[i0:i1].sum() >= 5 else 0
        for u in ref.branches:
            rows.append((i0, i1 - 1, u, unit_area.get(u, -1), season, 0, int(rng.integers(20, 60) * (i1 - i0) / 30)))
    for a, b, label in holiday_periods(w.start, w.end):
        i0 = int((np.datetime64(a, "D") - w.days[0]).astype(int))
        i1 = int((np.datetime64(b, "D") - w.days[0]).astype(int))
        for u in ref.branches:
            mode = int(choice(rng, rt.DEPLOY_MODES, 1, (0, 45, 20, 20, 15))[0])
            size = 3 if label == "国庆黄金周" else 1.5 if label == "暑期" else 2
            rows.append((i0, i1, u, unit_area.get(u, -1), 1, mode, int(rng.integers(30, 90) * size)))
    n_events = max(2, int(round(6 * len(w.days) / 365)))
    for _ in range(n_events):                      # festivals, races, lantern shows
        i0 = int(rng.integers(0, len(w.days) - 3))
        a = int(rng.integers(0, w.n_areas))
        rows.append((i0, i0 + int(rng.integers(0, 3)), int(ref.area_unit[a]), a, int(peak[i0]), 4,
                     int(rng.integers(40, 150))))
    rows.sort(key=lambda r: (r[0], r[2], r[5]))
    base = np.array(rows, np.int64)
    m = max(1, int(round(w.f)))
    b = np.repeat(base, m, axis=0)
    n = len(b)
    police = np.maximum(1, np.ceil(b[:, 6] / m)).astype(np.int64)
    aux = np.round(police * rng.uniform(0.5, 1.1, n)).astype(float)
    aux[rng.random(n) < 0.05] = np.nan
    vol = np.round(police * rng.uniform(0.2, 0.8, n)).astype(float)
    vol[(b[:, 4] == 0) & (rng.random(n) < 0.6)] = np.nan
    return {
        "deployment_id": w.next_ids("QW", n, 6),
        "start_date": w.days[b[:, 0]],
        "end_date": w.days[b[:, 1]],
        "unit_code": Cat(b[:, 2], w.units),
        "area_code": Cat(b[:, 3], w.area_codes),
        "season": Cat(b[:, 4], rt.SEASONS),
        "mode": Cat(b[:, 5], rt.DEPLOY_MODES),
        "police_count": police,
        "auxiliary_count": aux,
        "volunteer_count": vol,
    }


def campaigns(w: World):
    """Campaign years whose nomination window starts inside the period."""
    out = []
    for y in range(w.start.year, w.end.year + 1):
        nom0 = dt.date(y, 10, 8)
        if w.start <= nom0 <= w.end:
            out.append(y)
    return out


def nominations(w: World, officers: dict) -> tuple[dict, dict]:
    rng = w.rng(30)
    cols = {k: [] for k in ("nomination_id", "campaign", "person_id", "nominated_by", "nominated_on", "reason", "outcome")}
    pop = {}
    ptype = officers["person_type"]
    joined, left = officers["joined_on"], officers["left_on"]
    for y in campaigns(w):
        n = 30
        day0 = np.datetime64(dt.date(y, 10, 8), "D")
        active = (joined < day0) & ~(left <= day0)
        wgt = np.where(ptype == "辅警", 1.0, 3.0) * active
        who = rng.choice(len(ptype), n, replace=False, p=wgt / wgt.sum())
        weights = rng.lognormal(0, 1.0, n)
        finished = w.end > dt.date(y, 12, 10)
        rank = np.argsort(-weights, kind="stable")
        outcome = np.empty(n, object)
        if finished:
            outcome[rank[:10]] = "当选"
            outcome[rank[10:20]] = "入围"
            outcome[rank[20:]] = "未当选"
        else:
            outcome[:] = np.where(rng.random(n) < 0.4, "候选", None)
        on = np.sort(day0 + rng.integers(0, 24, n))
        ids = [f"ZM{y}{i + 1:03d}" for i in range(n)]
        cols["nomination_id"] += ids
        cols["campaign"] += [f"{y}年度最美旅游警察"] * n
        cols["person_id"] += list(officers["person_id"][who])
        cols["nominated_by"] += list(np.where(rng.random(n) < 0.6, "单位推荐", "群众推荐"))
        cols["nominated_on"] += list(on)
        cols["reason"] += reason_pool(rng, n)
        cols["outcome"] += list(outcome)
        pop[y] = (ids, weights)
    frame = {k: np.array(v, object) for k, v in cols.items()}
    frame["nominated_on"] = np.array(cols["nominated_on"], "datetime64[D]")
    return frame, pop


def votes(w: World, y: int, ids: list, weights: np.ndarray, n_total: int) -> dict | None:
    rng = w.rng(40 + y)
    d0, d1 = np.datetime64(dt.date(y, 11, 1), "D"), np.datetime64(dt.date(y, 11, 30), "D")
    d1 = min(d1, w.days[-1])
    if d1 < d0:
        return None
    nd = int((d1 - d0).astype(int)) + 1
    n = int(n_total * nd / 30)
    pool = max(50, n // 3)
    vch = rng.choice(3, pool, p=[0.72, 0.2, 0.08])
    raw = base64.urlsafe_b64encode(rng.bytes(pool * 21)).decode()
    hexs = rng.bytes(pool * 8).hex()
    keys = [("o" + raw[i * 28 + 1:(i + 1) * 28]) if c == 0 else
            (f"web_{hexs[i * 16:(i + 1) * 16]}" if c == 1 else f"XC{hexs[i * 16:i * 16 + 10].upper()}")
            for i, c in enumerate(vch)]
    p = weights / weights.sum()
    fav = rng.choice(len(ids), pool, p=p)
    voter = np.minimum((pool * rng.random(n) ** 1.6).astype(np.int64), pool - 1)
    nom = np.where(rng.random(n) < 0.85, fav[voter], rng.choice(len(ids), n, p=p))
    k = np.arange(nd)
    dw = 1 + 1.5 * np.exp(-k / 3) + 2 * np.exp(-(nd - 1 - k) / 2)
    day = rng.choice(nd, n, p=dw / dw.sum())
    day_s = (d0.astype("datetime64[s]").astype(np.int64)) + day * DAY
    t = day_s + rng.choice(24, n, p=VOTE_HOUR_W / VOTE_HOUR_W.sum()) * 3600 + rng.integers(0, 3600, n)
    rep = rng.random(n) < 0.05                   # the same voter again the same day
    rt_ = np.minimum(t[rep] + rng.integers(20, 3 * 3600, int(rep.sum())), day_s[rep] + DAY - 1)
    voter, nom, t = np.r_[voter, voter[rep]], np.r_[nom, nom[rep]], np.r_[t, rt_]
    t = np.minimum(t, w.now_s - 1)
    order = np.argsort(t, kind="stable")
    voter, nom, t = voter[order], nom[order], t[order]
    ch = np.where(rng.random(len(t)) < 0.95, vch[voter], rng.integers(0, 3, len(t)))
    ch[rng.random(len(t)) < 0.02] = -1
    return {
        "vote_id": w.next_ids("TP", len(t), 9),
        "nomination_id": Cat(nom, ids),
        "voted_at": t.astype("datetime64[s]"),
        "channel": Cat(ch, rt.VOTE_CHANNELS),
        "voter_key": Cat(voter, keys),
    }


