"""One month of the demo's flow records, vectorised with numpy: incidents, mediations,
surveys, services and enforcement actions (frames, see `etl.demo.world`)."""
from __future__ import annotations

import numpy as np

from warehouse import record_types as rt
from etl.demo.reference import ORIGIN_P, ORIGINS
from etl.demo.world import DAY, HOUR_W, NAT, SURVEY_HOUR_W, Cat, World, choice, null_out

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


# Where incidents happened: scattered about their scenic area's point (the true area, also when the
# record leaves the area blank); some records carry no coordinates. Drawn from a stream of their own,
# so that the coordinates change no other value of the demo.
COORDINATE_STREAM = 600_000
INCIDENT_SPREAD_DEG = 0.006          # one standard deviation: about 600 m
INCIDENT_NO_COORDINATES = 0.15


def near_areas(w: World, rng, area: np.ndarray, spread: float, missing: float) -> dict:
    """lon, lat (float arrays, NaN = none): normal scatter of `spread` degrees about each area's point."""
    n = len(area)
    lon = np.asarray(w.ref.areas["lon"], float)[area] + rng.normal(0, spread, n)
    lat = np.asarray(w.ref.areas["lat"], float)[area] + rng.normal(0, spread, n)
    gone = rng.random(n) < missing
    lon[gone] = np.nan
    lat[gone] = np.nan
    return {"lon": np.round(lon, 6), "lat": np.round(lat, 6)}


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
    unit = w.with_responsible_unit(w.unit_for_areas(rng, a), a)
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
    arrived_dt[arrived_null | (arrived > w.now_s)] = NAT      # not there yet at the demo's now
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
        **near_areas(w, w.rng(COORDINATE_STREAM + i0), a, INCIDENT_SPREAD_DEG, INCIDENT_NO_COORDINATES),
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
    unit = w.with_responsible_unit(unit, area)
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
