"""Reference data and text pools of the demo generator (fictional city 云岚市).

Everything here is invented: the city, its counties, towns, scenic areas, the
people (random surname + given-name combinations) and their phone numbers.
Used by `etl.demo`; see that module for the public API.
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


def build_posts(rng: np.random.Generator, ref: Reference, start: dt.date, end: dt.date) -> dict:
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
    return {
        "post_code": np.array([f"YLP{i + 1:03d}" for i in range(n)], object),
        "post_name": np.array(names, object),
        "post_type": np.array(types, object),
        "unit_code": np.array(units, object),
        "area_code": np.array(area_codes, object),
        "standardized": std,
        "opened_on": opened,
        "closed_on": closed,
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


# --- free-text pools -------------------------------------------------------

_SUMMARY = {
    "物品遗失": ("游客在景区{spot}遗失{item}，民警调取监控协助找回", "游客报称{item}遗落在观光车上，经联系车队已找回",
              "游客在{spot}丢失{item}，民警登记后协助寻找", "游客{item}遗失，巡逻民警拾获后交还本人"),
    "人员走失": ("一名老人在{spot}与家人走散，民警{mins}分钟内找到", "儿童在{spot}附近走失，经广播寻人后找回",
              "游客与同伴在{spot}失联，民警协助联系后汇合", "一名游客在{spot}迷路，民警带领返回"),
    "求助救助": ("游客在{spot}突发不适，民警协助送医", "游客在{spot}扭伤脚踝，民警联系景区医务室处置",
              "游客手机没电无法联系家人，民警提供帮助", "游客在{spot}被困，民警与救援人员将其救出"),
    "矛盾纠纷": ("游客与商家因价格问题在{spot}发生纠纷，民警现场调解", "游客之间因排队发生口角，民警劝解后平息",
              "游客与出租车司机因车费发生争执，民警调解", "游客与民宿老板因退房问题发生纠纷，已调解"),
    "盗窃": ("游客在{spot}{item}被盗，民警调取监控开展调查", "游客背包在{spot}被人拿走，已立案调查"),
    "诈骗": ("游客称被虚假门票网站骗取钱款，民警登记受理", "游客购买假冒特产被骗，民警协助追回部分款项"),
    "交通事故": ("两车在{spot}发生轻微剐蹭，民警疏导交通并协助处理", "观光车与私家车在{spot}发生碰擦，无人员受伤"),
    "违法经营": ("{spot}有商贩强买强卖，民警会同市场监管部门处置", "发现无证导游在{spot}招揽游客，已移交处理"),
    "其他": ("游客咨询景区开放时间，民警耐心解答", "游客反映{spot}秩序混乱，民警到场疏导"),
}


def summary_pool(rng: np.random.Generator) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Summaries per incident category: (pool, offset by category, size by category)."""
    pool, offs, sizes = [], [], []
    for cat in rt.INCIDENT_CATEGORIES:
        offs.append(len(pool))
        seen = []
        for _ in range(24):
            t = _SUMMARY[cat][int(rng.integers(0, len(_SUMMARY[cat])))]
            s = t.format(spot=SPOTS[int(rng.integers(0, len(SPOTS)))], item=ITEMS[int(rng.integers(0, len(ITEMS)))],
                         mins=int(rng.integers(5, 40)))
            if s not in seen:
                seen.append(s)
        pool.extend(seen)
        sizes.append(len(seen))
    return pool, np.array(offs), np.array(sizes)


def fake_pii_text(rng: np.random.Generator) -> str:
    p = fake_phones(rng, 1)[0]
    k = int(rng.integers(0, 4))
    if k == 0:
        return f"，联系电话{p}"
    if k == 1:
        return f"，报警人电话{p[:3]}-{p[3:7]}-{p[7:]}"
    if k == 2:
        return f"，电话+86 {p[:3]} {p[3:7]} {p[7:]}"
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=int(rng.integers(0, 15000)))
    body = f"{int(rng.integers(110000, 660000)):06d}{birth:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    return f"，当事人身份证号{body}{'0123456789X'[int(rng.integers(0, 11))]}"


_SUGGEST_PLACE = ("停车场", "主入口", "索道站", "游客中心", "夜市", "步行街", "码头", "观景台")
_SUGGEST_THING = ("增设警务服务点", "增加指示牌", "设置失物招领处", "增加应急广播", "安排民警定点值守",
                  "设置一键报警柱", "增设饮水点和休息座椅", "公布警务室电话")
_PRAISE = ("民警态度很好，帮我找回了手机，点赞！", "旅游警察很热心，给我们指路还提醒注意安全",
           "见警率很高，晚上逛街也很安心", "民警处置很及时，几分钟就到了", "感谢民警帮忙找到走散的孩子",
           "调解很公正，商家退还了多收的钱", "景区秩序井然，玩得很开心", "志愿者和民警服务周到",
           "民警耐心解答问题，服务态度好", "节假日人多但秩序很好，辛苦了")
_PROBLEM = ("排队时间太长", "停车难", "商家拉客严重", "节假日人太多秩序混乱", "夜间照明不足",
            "出租车不打表", "小吃街价格不透明", "报警后等了很久才有人来")
_WISH = ("希望加强巡逻", "希望加强管理", "希望多安排警力疏导", "希望有关部门管一管", "希望改进")


def comment_pools(rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """(positive comments incl. "金点子" suggestions, complaints), 60 sentences in all."""
    pos = list(_PRAISE)
    while len(pos) < 30:
        s = f"建议在{_SUGGEST_PLACE[int(rng.integers(0, 8))]}{_SUGGEST_THING[int(rng.integers(0, 8))]}"
        if s not in pos:
            pos.append(s)
    neg = []
    while len(neg) < 30:
        s = f"{_SUGGEST_PLACE[int(rng.integers(0, 8))]}{_PROBLEM[int(rng.integers(0, 8))]}，{_WISH[int(rng.integers(0, 5))]}"
        if s not in neg:
            neg.append(s)
    return pos, neg


_REASON_A = ("扎根景区一线多年", "在旺季安保中连续坚守岗位", "主动服务游客", "多次成功调解涉旅纠纷",
             "在山洪险情中果断组织游客转移", "长期坚守警务室", "带领志愿者开展巡逻")
_REASON_B = ("累计帮助游客找回失物上百件", "深受游客和商户好评", "收到群众感谢信和锦旗多面",
             "救助突发疾病游客", "帮助走失儿童与家人团聚", "推动警务室规范化建设")


def reason_pool(rng: np.random.Generator, n: int) -> list[str]:
    return [f"{_REASON_A[int(rng.integers(0, 7))]}，{_REASON_B[int(rng.integers(0, 6))]}" for _ in range(n)]
