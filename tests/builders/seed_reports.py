"""The Leshan seed report (shared/seeds/, 000, 2021) as records that add up to its figures: the
metrics tests reproduce the report from them, the briefing tests word it (the report's quotes are
in tests/test_metrics_seed_reports.py)."""
from __future__ import annotations

import itertools

from tests.builders.warehouses import action, deployment, incident, mediation, nomination, officer, post, service, team

LESHAN_UNITS = ("ZD", "FJ1", "PCS1", "FJ2", "PCS2")


def _spread(n: int, make, units=LESHAN_UNITS):
    """n rows from make(i, unit), the units taken in turn (every level of the tree)."""
    return [make(i, u) for i, u in zip(range(n), itertools.cycle(units))]


def _amounts(total: int, parts: int) -> list[int]:
    """`parts` positive whole amounts adding up to `total`, not all equal."""
    base = [total // parts] * parts
    base[0] += total - sum(base)
    if parts > 1 and base[1] > 1:
        base[0], base[1] = base[0] + 1, base[1] - 1
    return base


def _quantities(prefix: str, total: int, parts: int, date_of, make):
    return [make(f"{prefix}{i}", date_of(i), q, u)
            for i, (q, u) in enumerate(zip(_amounts(total, parts), itertools.cycle(LESHAN_UNITS)))]


LESHAN_START, LESHAN_END = "2021-03-01", "2021-06-30"


def _leshan_day(i: int) -> str:
    return f"2021-{3 + i % 4:02d}-{1 + i % 28:02d}"


def leshan_records() -> dict[str, list[dict]]:
    officers = (
        _spread(156, lambda i, u: officer(f"ZZ{i:03d}", "专职旅游警察", unit=u))
        + _spread(317, lambda i, u: officer(f"JZ{i:03d}", "兼职旅游警察", unit=u, joined="2021-06-30"))
        + _spread(306, lambda i, u: officer(f"FJ{i:03d}", "辅警", unit=u))
        # not on strength at the end of the period
        + _spread(5, lambda i, u: officer(f"OLD{i}", "专职旅游警察", unit=u, left="2021-05-01"))
        + _spread(4, lambda i, u: officer(f"NEW{i}", "兼职旅游警察", unit=u, joined="2021-07-01"))
    )
    posts = (
        _spread(12, lambda i, u: post(f"GF{i}", "旅游警务室", "是", unit=u))
        + _spread(3, lambda i, u: post(f"PT{i}", "旅游警务室", "否", unit=u))
        + _spread(25, lambda i, u: post(f"FWD{i}", "警务服务点", "否", unit=u))
        + [post("FWZ1", "旅游警务服务站", "是", area="S1"), post("FWZ2", "旅游警务服务站", "是", unit="PCS2")]
        + [post("GF-CLOSED", "旅游警务室", "是", closed="2021-06-30")]
    )
    teams = (_spread(6, lambda i, u: team(f"ZY{i}", "旅游警务志愿者队伍", unit=u))
             + _spread(31, lambda i, u: team(f"FK{i}", "治安防控队伍", unit=u))
             + [team("FK-OLD", "治安防控队伍", dissolved="2021-04-01")])
    deployments = (
        [deployment("DT1", "2021-04-03", "2021-04-05", mode="动态布警", season="旺季", police=40, auxiliary=20),
         deployment("DT2", "2021-05-01", "2021-05-05", mode="动态布警", season="旺季", police=80, auxiliary=35),
         deployment("DT3", "2021-06-12", "2021-06-14", mode="动态布警", season="旺季", police=30),
         deployment("DT0", "2021-02-11", "2021-02-17", mode="动态布警", season="旺季", police=90)]  # before
        + _spread(10, lambda i, u: deployment(f"CT{i}", _leshan_day(i), mode="常态勤务", police=2, unit=u))
    )
    enforcement = (
        _quantities("JL", 2, 2, _leshan_day, lambda a, d, q, u: action(a, d, "区域协作交流", q, unit=u))
        + _quantities("ZF", 7, 4, _leshan_day, lambda a, d, q, u: action(a, d, "综合执法", q, unit=u))
        + _quantities("XX", 72, 9, _leshan_day, lambda a, d, q, u: action(a, d, "信息流转", q, unit=u))
        + _quantities("MC", 5, 3, _leshan_day, lambda a, d, q, u: action(a, d, "违规卖场查处", q, unit=u))
        + _quantities("ZX", 3, 3, _leshan_day, lambda a, d, q, u: action(a, d, "专项整治", q, unit=u))
        + _quantities("YH", 42, 6, _leshan_day, lambda a, d, q, u: action(a, d, "隐患排查整治", q, unit=u))
        + [action("ZF-JULY", "2021-07-01", "综合执法", 5)]
    )
    incidents = (
        _spread(27, lambda i, u: incident(f"XZ{i}", f"{_leshan_day(i)} 10:00", unit=u, case_type="行政案件"))
        + _spread(3, lambda i, u: incident(f"XS{i}", f"{_leshan_day(i)} 11:00", unit=u, case_type="刑事案件"))
        + _spread(40, lambda i, u: incident(f"QT{i}", f"{_leshan_day(i)} 12:00", unit=u,
                                            case_type="无" if i % 2 else ""))
        + [incident("XZ-FEB", "2021-02-28 23:59:59", case_type="行政案件")]
    )
    services = (
        _quantities("YJ", 23, 5, _leshan_day, lambda a, d, q, u: service(a, d, "安全预警推送", q, unit=u))
        + _quantities("JT", 1100, 6, _leshan_day, lambda a, d, q, u: service(a, d, "交通业务", q, unit=u))
        + _quantities("HZ", 532, 4, _leshan_day, lambda a, d, q, u: service(a, d, "户政业务", q, unit=u))
        + _quantities("XR", 64, 4, _leshan_day, lambda a, d, q, u: service(a, d, "寻人", q, unit=u))
        + _quantities("XW", 200, 8, _leshan_day, lambda a, d, q, u: service(a, d, "寻物", q, unit=u))
        + _quantities("ZY", 9, 2, _leshan_day, lambda a, d, q, u: service(a, d, "咨询指引", q, unit=u))
    )
    results = itertools.cycle(("调解成功", "调解成功", "调解失败", "调解中"))
    mediations = _spread(187, lambda i, u: mediation(f"TJ{i:03d}", f"{_leshan_day(i)} 15:00",
                                                     next(results), unit=u))
    nominations = ([nomination(f"NM{i}", f"ZZ{i:03d}", "2021-06-01", "当选") for i in range(10)]
                   + [nomination(f"NX{i}", f"JZ{i:03d}", "2021-06-01", "未当选") for i in range(15)])
    return dict(officers=officers, posts=posts, teams=teams, deployments=deployments,
                enforcement=enforcement, incidents=incidents, services=services,
                mediations=mediations, nominations=nominations)


LESHAN_REPORT = {
    "staff.tourism_police": 473,        # 专兼职旅游警察473人
    "staff.fulltime": 156,
    "staff.parttime": 317,
    "staff.auxiliary": 306,             # 辅警306人
    "posts.police_rooms_standardized": 12,   # 规范化旅游警务室12个
    "posts.police_rooms": 15,
    "posts.service_points": 27,         # 警务服务点27个
    "teams.volunteer": 6,               # 志愿者队伍6支
    "teams.prevention": 31,             # 治安防控队伍31支
    "deploy.dynamic": 3,                # 淡旺季动态布警3次
    "enforce.coop_exchanges": 2,        # 乐渝两地合作交流2次
    "enforce.joint_operations": 7,      # 综合执法治理7次
    "enforce.info_transfers": 72,       # 流转涉旅信息72条
    "enforce.shops_penalized": 5,       # 查处违规违法旅游卖场5家次
    "enforce.campaigns": 3,             # 专项整治3次
    "enforce.hazards_fixed": 42,        # 排查整治风险隐患42处
    "cases.administrative": 27,         # 行政案件27起
    "cases.criminal": 3,                # 刑事案件3起
    "incidents.total": 70,
    "service.warnings_pushed": 23,      # 推送安全预警20余次
    "service.convenience": 1632,        # 交通及户政便捷服务1600余人次
    "mediation.total": 187,             # 调解涉旅纠纷187起
    "service.found": 264,               # 帮助寻人寻物260余人次
    "nominations.selected": 10,         # 评选“最美旅游警察”10名
    "nominations.total": 25,
}
