"""Seed reports: the figures of real bureau reports (shared/seeds/) come out of
the metrics command exactly, from records that add up to them.

Leshan (seed 000, 2021): city-wide figures, "全市共配备专兼职旅游警察473人、辅警306人，
打造规范化旅游警务室12个，警务服务点27个，建立旅游警务志愿者队伍6支、治安防控队伍31支，
实行淡旺季动态布警3次 … 乐渝两地旅游警务合作交流2次 … 综合执法治理7次，流转涉旅信息72条，
查处违规违法旅游卖场5家次，专项整治3次，排查整治各类风险隐患42处，办理涉旅行政案件27起、
刑事案件3起 … 推送道路交通及景区安全预警信息20余次，提供交通及户政业务便捷服务1600余人次，
调解涉旅纠纷187起，帮助寻人寻物260余人次 … 评选“最美旅游警察”10名".

Weiyuan (seed 001, 2024): one county bureau inside a city, asked with --unit:
"投入景区巡逻安保警力200余人次，救助游客10余人，找回遗失物品25余件 … 检查商铺350余家 …
参与景区各类安保10余次 … 排查化解各类涉旅矛盾纠纷30余人次".
"""
from __future__ import annotations

import itertools

import pytest

from tests.builders.warehouses import (action, build, compute_values, deployment, incident, mediation, nomination,
                                       officer, post, run_cli, service, team)

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


@pytest.fixture(scope="module")
def leshan(tmp_path_factory):
    return build(tmp_path_factory.mktemp("leshan"), **leshan_records())


def test_leshan_report_figures_come_out_of_the_cli_exactly(leshan):
    out = run_cli(leshan, LESHAN_START, LESHAN_END)
    assert {k: out[k] for k in LESHAN_REPORT} == LESHAN_REPORT


def test_leshan_mediation_success_rate(leshan):
    # results cycle 成功, 成功, 失败, 调解中 over 187: 94 成功, 47 失败, 46 调解中
    out = run_cli(leshan, LESHAN_START, LESHAN_END)
    assert out["mediation.success_rate"] == pytest.approx(94 / 141)


def test_leshan_branches_hold_their_share_and_the_detachment_scope_is_the_whole_city(leshan):
    # 306 auxiliaries dealt in turn to ZD, FJ1, PCS1, FJ2, PCS2: 62, 61, 61, 61, 61
    fj1 = compute_values(leshan, LESHAN_START, LESHAN_END, unit="FJ1")
    fj2 = compute_values(leshan, LESHAN_START, LESHAN_END, unit="FJ2")
    zd = compute_values(leshan, LESHAN_START, LESHAN_END, unit="ZD")
    assert (fj1["staff.auxiliary"], fj2["staff.auxiliary"], zd["staff.auxiliary"]) == (122, 122, 306)
    # no record sits above the detachment, so its scope is the city's report
    assert {k: zd[k] for k in LESHAN_REPORT} == LESHAN_REPORT


# --- Weiyuan, one county bureau of Dingxi ---------------------------------------------

DINGXI_UNITS = [
    dict(unit_code="DX", unit_name="定西市公安局", unit_level="市局", parent_code=""),
    dict(unit_code="WY", unit_name="渭源县公安局", unit_level="分县局", parent_code="DX"),
    dict(unit_code="WY-QC", unit_name="清源派出所", unit_level="派出所", parent_code="WY"),
    dict(unit_code="WY-LT", unit_name="莲峰派出所", unit_level="派出所", parent_code="WY"),
    dict(unit_code="LX", unit_name="陇西县公安局", unit_level="分县局", parent_code="DX"),
]
DINGXI_AREAS = [
    dict(area_code="WHY", area_name="渭河源", grade="4A", unit_code="WY-QC"),
    dict(area_code="YGD", area_name="元古堆", grade="3A", unit_code="WY-LT"),
    dict(area_code="LXA", area_name="李家龙宫", grade="4A", unit_code="LX"),
]
WY_UNITS = ("WY", "WY-QC", "WY-LT")


def weiyuan_records() -> dict[str, list[dict]]:
    day = lambda i: f"2024-{1 + i % 7:02d}-{1 + i % 28:02d}"   # Jan..Jul 2024
    security = [deployment(f"AB{i}", day(i), mode="专项安保", police=p, auxiliary=a, unit=u)
                for i, (p, a, u) in enumerate(zip([12, 15, 10, 20, 18, 14, 11, 16, 13, 17, 15, 12],
                                                  [6, 5, 4, 8, 6, 5, 3, 7, 4, 6, 5, 4],
                                                  itertools.cycle(WY_UNITS)))]
    return dict(
        deployments=security + [deployment(f"LX{i}", day(i), mode="专项安保", police=50, unit="LX")
                                for i in range(4)],
        services=[service("JZ1", "2024-02-10", "救助游客", 5, unit="WY-QC"),
                  service("JZ2", "2024-05-02", "救助游客", 8, unit="WY-LT"),
                  service("XW1", "2024-05-03", "寻物", 11, unit="WY-QC"),
                  service("XW2", "2024-07-20", "寻物", 14, unit="WY"),
                  service("LX-JZ", "2024-05-02", "救助游客", 30, unit="LX")],
        enforcement=[action("SP1", "2024-07-05", "商铺检查", 120, unit="WY"),
                     action("SP2", "2024-07-19", "商铺检查", 236, unit="WY-QC"),
                     action("SP3", "2024-08-06", "商铺检查", 40, unit="WY"),          # after the report
                     action("LX-SP", "2024-07-05", "商铺检查", 999, unit="LX")],
        mediations=[mediation(f"TJ{i}", f"{day(i)} 09:00", unit=u)
                    for i, u in zip(range(32), itertools.cycle(WY_UNITS))]
        + [mediation("LX-TJ", "2024-03-01 09:00", unit="LX")],
    )


WEIYUAN_REPORT = {
    "deploy.person_times": 236,      # 投入景区巡逻安保警力200余人次 (173 民警 + 63 辅警)
    "deploy.security_events": 12,    # 参与景区各类安保10余次
    "service.rescued": 13,           # 救助游客10余人
    "service.found": 25,             # 找回遗失物品25余件
    "enforce.shops_inspected": 356,  # 检查商铺350余家
    "mediation.total": 32,           # 排查化解各类涉旅矛盾纠纷30余人次
}


@pytest.fixture(scope="module")
def dingxi(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dingxi"), units=DINGXI_UNITS, scenic_areas=DINGXI_AREAS,
                 **weiyuan_records())


def test_weiyuan_report_figures_come_out_of_the_cli_with_its_unit_scope(dingxi):
    out = run_cli(dingxi, "2024-01-01", "2024-08-05", "WY")
    assert {k: out[k] for k in WEIYUAN_REPORT} == WEIYUAN_REPORT


def test_weiyuan_figures_exclude_the_sibling_county_and_the_city_has_both(dingxi):
    city = run_cli(dingxi, "2024-01-01", "2024-08-05")
    assert city["deploy.security_events"] == 16
    assert city["enforce.shops_inspected"] == 356 + 999
    assert city["service.rescued"] == 43
