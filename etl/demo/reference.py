"""Reference data of the demo generator (fictional city 云岚市): units, areas, posts, officers, teams.

Everything here is invented: the city, its counties, towns, scenic areas, the
people (random surname + given-name combinations) and their phone numbers.
Used by `etl.demo`; see the package for the public API.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from warehouse import record_types as rt

CITY = "云岚市"
BUREAU = "云岚市公安局"
DETACHMENT = "云岚市公安局旅游警察支队"

COUNTIES = ("青屏区", "临江区", "栖霞县", "松溪县", "白鹭县", "石门县")
# 景区分局: (name stem, county)
SCENIC_BRANCHES = (("云岚山", "青屏区"), ("碧潭湖", "临江区"), ("古渡老街", "青屏区"), ("翠屏峡", "栖霞县"))
# 分县局 names, one per county
COUNTY_BRANCHES = ("青屏区分局", "临江区分局", "栖霞县公安局", "松溪县公安局", "白鹭县公安局", "石门县公安局")
TOWNS = ("云台", "望江", "清溪", "观澜", "凤鸣", "桃源", "柳湾", "金沙", "竹林", "岚泉",
         "白石", "青杉", "落霞", "枫桥", "雁回", "松岭", "梅坞", "沙湾", "月湖", "溪口",
         "铜鼓", "马鞍", "双河", "新场", "黄桷", "茶坪", "岚溪", "石桥", "鹤鸣", "渡口")

# Scenic areas: name, grade, county, responsible unit ("S<i>" = i-th 景区分局,
# "C<i>" = first 派出所 of the i-th 分县局), incident rate factor, survey mean offset.
AREAS = (
    ("云岚山", "5A", "青屏区", "S0", 1.00, 0.00),
    ("碧潭湖", "5A", "临江区", "S1", 0.85, 0.10),
    ("古渡老街", "4A", "青屏区", "S2", 1.60, -0.65),   # crowded old street: more incidents, worse scores
    ("翠屏峡", "4A", "栖霞县", "S3", 0.90, 0.05),
    ("栖霞古镇", "4A", "栖霞县", "C2", 1.20, -0.05),
    ("鹭鸣湿地公园", "4A", "白鹭县", "C4", 0.70, 0.15),
    ("松风谷", "4A", "松溪县", "C3", 0.80, 0.05),
    ("石门溶洞", "3A", "石门县", "C5", 1.10, -0.10),
    ("青溪茶园", "3A", "临江区", "C1", 0.60, 0.20),
    ("望月塔", "3A", "青屏区", "C0", 0.95, 0.00),
)
BASE_VISITORS = {"5A": 9000, "4A": 3200, "3A": 1100}

SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严覃武戴莫孔向汤")
GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯健俊帆帅旭宁晨欣怡婷雪琳佳悦思雨梦晓倩颖雯璐瑶嘉子轩博睿航远志峰林海波亮诚鑫昊然")
PHONE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                  "158", "159", "177", "180", "182", "187", "188", "189", "199")

ORIGINS = ("本市", "本省其他市州", "重庆", "广东", "北京", "上海", "浙江", "江苏", "湖北", "湖南",
           "陕西", "云南", "贵州", "河南", "山东", "福建", "境外")
ORIGIN_P = np.array([14, 22, 12, 8, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2], float)

SPOTS = ("停车场", "游客中心", "观景台", "索道站", "售票处", "主入口", "步道", "码头", "小吃街", "山门")
ITEMS = ("手机", "钱包", "背包", "身份证", "相机", "行李箱", "车钥匙", "平板电脑")


@dataclass
class Reference:
    units: dict            # columns of the units type (object arrays)
    areas: dict
    unit_codes: list       # index -> unit_code
    unit_parent: list      # index -> parent index or -1
    unit_level: list
    area_unit: np.ndarray  # area index -> unit index
    area_rate: np.ndarray
    area_mu: np.ndarray
    area_base: np.ndarray
    branches: list         # unit indices of 景区分局 and 分县局
    stations: list         # unit indices of 派出所
    lagging: list          # unit indices with slow closure


def build_reference(rng: np.random.Generator) -> Reference:
    codes, names, levels, parents, counties = [], [], [], [], []

    def add(name, level, parent, county):
        codes.append(f"YL{len(codes) + 1:04d}")
        names.append(name)
        levels.append(level)
        parents.append(parent)
        counties.append(county)
        return len(codes) - 1

    city = add(BUREAU, "市局", -1, None)
    det = add(DETACHMENT, "旅游警察支队", city, None)
    scenic = [add(f"{stem}景区分局", "景区分局", det, county) for stem, county in SCENIC_BRANCHES]
    county_b = [add(name, "分县局", det, county) for name, county in zip(COUNTY_BRANCHES, COUNTIES)]
    stations, first_station = [], {}
    towns = list(TOWNS)
    for b in scenic + county_b:
        for j in range(3):
            s = add(f"{towns.pop(0)}派出所", "派出所", b, counties[b])
            stations.append(s)
            first_station.setdefault(b, s)
    units = {
        "unit_code": np.array(codes, object),
        "unit_name": np.array(names, object),
        "unit_level": np.array(levels, object),
        "parent_code": np.array([codes[p] if p >= 0 else None for p in parents], object),
        "county": np.array(counties, object),
    }
    area_unit = []
    for _name, _grade, _county, ref, *_ in AREAS:
        area_unit.append(scenic[int(ref[1:])] if ref[0] == "S" else first_station[county_b[int(ref[1:])]])
    lon = np.round(103.7 + rng.uniform(-0.45, 0.45, len(AREAS)), 6)
    lat = np.round(29.5 + rng.uniform(-0.35, 0.35, len(AREAS)), 6)
    areas = {
        "area_code": np.array([f"YLA{i + 1:03d}" for i in range(len(AREAS))], object),
        "area_name": np.array([a[0] + "景区" if not a[0].endswith(("公园", "老街", "古镇")) else a[0] for a in AREAS], object),
        "grade": np.array([a[1] for a in AREAS], object),
        "county": np.array([a[2] for a in AREAS], object),
        "lon": lon, "lat": lat,
        "unit_code": np.array([codes[u] for u in area_unit], object),
    }
    return Reference(
        units=units, areas=areas, unit_codes=codes, unit_parent=parents, unit_level=levels,
        area_unit=np.array(area_unit), area_rate=np.array([a[4] for a in AREAS]),
        area_mu=np.array([a[5] for a in AREAS]),
        area_base=np.array([BASE_VISITORS[a[1]] for a in AREAS], float),
        branches=scenic + county_b, stations=stations,
        lagging=[area_unit[4], area_unit[7], scenic[2]],
    )


def fake_phones(rng: np.random.Generator, n: int) -> list[str]:
    pre = rng.integers(0, len(PHONE_PREFIXES), n)
    num = rng.integers(0, 10 ** 8, n)
    return [f"{PHONE_PREFIXES[p]}{x:08d}" for p, x in zip(pre, num)]


def fake_names(rng: np.random.Generator, n: int) -> list[str]:
    s = rng.integers(0, len(SURNAMES), n)
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(0, len(GIVEN), n)
    two = rng.random(n) < 0.7
    return [SURNAMES[a] + GIVEN[b] + (GIVEN[c] if t else "") for a, b, c, t in zip(s, g1, g2, two)]


def _d(y, m, d):
    return np.datetime64(dt.date(y, m, d), "D")


POST_COORDINATE_STREAM = 500


def build_posts(rng: np.random.Generator, ref: Reference, start: dt.date, end: dt.date, seed: int) -> dict:
    """~45 posts: 15 旅游警务室 (12 standardized), 27 警务服务点, 3 旅游警务服务站."""
    types = ["旅游警务室"] * 15 + ["警务服务点"] * 27 + ["旅游警务服务站"] * 3
    n = len(types)
    area = np.concatenate([np.arange(10), rng.integers(0, 10, n - 10)])
    std = np.zeros(n, np.int8)
    std[:12] = 1
    names, units, area_codes = [], [], []
    counters: dict = {}
    for i in range(n):
        a = int(area[i])
        u = int(ref.area_unit[a])
        if ref.unit_level[u] == "景区分局" and rng.random() < 0.5:
            u = [s for s in ref.stations if ref.unit_parent[s] == u][int(rng.integers(0, 3))]
        units.append(ref.unit_codes[u])
        stem = AREAS[a][0]
        k = counters.get((stem, types[i]), 0) + 1
        counters[(stem, types[i])] = k
        spot = SPOTS[(i + k) % len(SPOTS)]
        names.append(f"{stem}{spot}{types[i]}" if k == 1 else f"{stem}{spot}{types[i]}（{k}）")
        area_codes.append(ref.areas["area_code"][a] if rng.random() > 0.07 else None)
    span = (end - start).days
    opened = np.array([_d(2016, 1, 1) + int(x) for x in rng.integers(0, (start - dt.date(2016, 1, 1)).days, n)])
    newer = np.arange(n)[-8:] - 3          # a few opened during the two years
    opened[newer] = np.datetime64(start, "D") + rng.integers(10, span - 20, len(newer))
    closed = np.full(n, np.datetime64("NaT"), "datetime64[D]")
    for i in (20, 33):                     # a couple closed
        closed[i] = np.datetime64(start, "D") + int(rng.integers(30, span - 10))
    # Coordinates from a stream of their own (the other values are as they were without them):
    # within about 1 km of the post's scenic area, three posts without coordinates.
    crng = np.random.default_rng([seed, POST_COORDINATE_STREAM])
    lon = np.asarray(ref.areas["lon"], float)[area] + crng.uniform(-0.01, 0.01, n)
    lat = np.asarray(ref.areas["lat"], float)[area] + crng.uniform(-0.008, 0.008, n)
    lon[-3:] = lat[-3:] = np.nan
    return {
        "post_code": np.array([f"YLP{i + 1:03d}" for i in range(n)], object),
        "post_name": np.array(names, object),
        "post_type": np.array(types, object),
        "unit_code": np.array(units, object),
        "area_code": np.array(area_codes, object),
        "standardized": std,
        "opened_on": opened,
        "closed_on": closed,
        "lon": np.round(lon, 6),
        "lat": np.round(lat, 6),
    }


def build_officers(rng: np.random.Generator, ref: Reference, start: dt.date, end: dt.date, n: int) -> dict:
    ptype = rng.choice(3, n, p=[0.3, 0.3, 0.4])
    police_ids = rng.choice(np.arange(100000, 900000), n, replace=False)
    aux_ids = rng.choice(np.arange(10000, 100000), n, replace=False)
    pid = [f"FJ{a:05d}" if t == 2 else f"{p:06d}" for t, p, a in zip(ptype, police_ids, aux_ids)]
    male = rng.random(n) < np.where(ptype == 2, 0.66, 0.8)
    # units: the detachment, the branches and the stations
    pool = [1] + ref.branches + ref.stations
    w = np.array([6.0] + [3.0] * len(ref.branches) + [1.6] * len(ref.stations))
    unit = np.array(pool)[rng.choice(len(pool), n, p=w / w.sum())]
    span = (end - start).days
    joined = np.datetime64("2012-01-01") + rng.integers(0, (start - dt.date(2012, 1, 1)).days, n)
    new = rng.random(n) < 0.15
    joined[new] = np.datetime64(start, "D") + rng.integers(0, span, new.sum())
    left = np.full(n, np.datetime64("NaT"), "datetime64[D]")
    leave = rng.random(n) < 0.08
    lo = np.maximum(joined, np.datetime64(start, "D")) + 1
    gap = (np.datetime64(end, "D") - lo).astype(int)
    ok = leave & (gap > 5)
    left[ok] = lo[ok] + (rng.random(ok.sum()) * gap[ok]).astype(int)
    phones = np.array(fake_phones(rng, n), object)
    phones[rng.random(n) < 0.1] = None
    return {
        "person_id": np.array(pid, object),
        "name": np.array(fake_names(rng, n), object),
        "gender": np.where(male, "男", "女").astype(object),
        "person_type": np.array(rt.PERSON_TYPES, object)[ptype],
        "unit_code": np.array(ref.unit_codes, object)[unit],
        "joined_on": joined.astype("datetime64[D]"),
        "left_on": left,
        "phone": phones,
    }


def build_teams(rng: np.random.Generator, ref: Reference, start: dt.date, end: dt.date) -> dict:
    n_v, n_p = 6, 31
    n = n_v + n_p
    ttype = ["旅游警务志愿者队伍"] * n_v + ["治安防控队伍"] * n_p
    units, names = [], []
    for i in range(n):
        if i < n_v:
            u = ref.branches[i % len(ref.branches)]
            names.append(f"{AREAS[i][0]}旅游警务志愿者服务队")
        else:
            u = ref.stations[(i - n_v) % len(ref.stations)]
            town = ref.units["unit_name"][u].replace("派出所", "")
            names.append(f"{town}{('治安巡防队', '群防群治队', '红袖标巡逻队')[i % 3]}")
        units.append(ref.unit_codes[u])
    founded = np.datetime64("2017-03-01") + rng.integers(0, (start - dt.date(2017, 3, 1)).days, n)
    founded[[3, 17, 29]] = np.datetime64(start, "D") + rng.integers(20, (end - start).days - 30, 3)
    dissolved = np.full(n, np.datetime64("NaT"), "datetime64[D]")
    dissolved[22] = np.datetime64(start, "D") + int(rng.integers(60, (end - start).days - 5))
    members = np.where(np.arange(n) < n_v, rng.integers(20, 120, n), rng.integers(8, 45, n)).astype(float)
    members[11] = np.nan
    return {
        "team_code": np.array([f"YLT{i + 1:03d}" for i in range(n)], object),
        "team_name": np.array(names, object),
        "team_type": np.array(ttype, object),
        "unit_code": np.array(units, object),
        "members": members,
        "founded_on": founded.astype("datetime64[D]"),
        "dissolved_on": dissolved,
    }
