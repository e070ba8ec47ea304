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

from tests.builders.seed_reports import LESHAN_END, LESHAN_REPORT, LESHAN_START, leshan_records
from tests.builders.warehouses import action, build, compute_values, deployment, mediation, run_cli, service


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
