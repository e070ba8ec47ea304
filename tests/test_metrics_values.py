"""Every metric of the catalog, computed from known records and checked against
a figure worked out by hand from the definitions in shared/spec/metrics.md.

One warehouse holds a handful of records of every type for June 2021 (plus a
few just outside it); the table below gives, for every metric id, the figure
the spec's definition yields and why.
"""
from __future__ import annotations

import pytest

from dashboard.model.catalog import METRICS
from tests.metrics_fixtures import (action, build, compute_values, deployment, incident, mediation,
                                    nomination, officer, post, run_cli, service, survey, team, visit,
                                    vote)

START, END = "2021-06-01", "2021-06-30"

RECORDS = dict(
    officers=[
        officer("P1", "专职旅游警察"), officer("P2", "专职旅游警察", unit="PCS1"),
        officer("P3", "兼职旅游警察", unit="FJ2"),
        officer("P4", "辅警"), officer("P5", "辅警", unit="PCS2"),
        officer("P6", "专职旅游警察", left="2021-06-15"),      # left during the period
        officer("P7", "兼职旅游警察", joined="2021-07-01"),    # joins after the period
    ],
    posts=[
        post("R1", "旅游警务室", standardized="是"), post("R2", "旅游警务室", standardized="否"),
        post("R3", "旅游警务室", standardized="是", closed="2021-06-30"),  # closed on end day
        post("SP1", "警务服务点", standardized="否"), post("SP2", "旅游警务服务站", standardized="是"),
        post("SP3", "警务服务点", standardized="否", opened="2021-07-01"),
    ],
    teams=[
        team("T1", "旅游警务志愿者队伍"), team("T2", "治安防控队伍"), team("T3", "治安防控队伍"),
        team("T4", "旅游警务志愿者队伍", dissolved="2021-06-01"),
    ],
    deployments=[
        deployment("D1", "2021-06-05", mode="动态布警", police=5, auxiliary=3),
        deployment("D2", "2021-06-10", mode="动态布警", police=2, auxiliary=""),   # null = 0
        deployment("D3", "2021-06-12", "2021-06-14", mode="专项安保", police=10, auxiliary=4),
        deployment("D4", "2021-06-20", mode="常态勤务", police=1, auxiliary=1),
        deployment("D5", "2021-05-31", "2021-06-02", mode="动态布警", police=100),  # starts before
    ],
    incidents=[
        incident("I0", "2021-05-31 23:59", closed="2021-06-01 00:30"),            # before the period
        incident("I1", "2021-06-01 08:00", arrived="2021-06-01 08:10", closed="2021-06-01 12:00",
                 case_type="行政案件"),
        incident("I2", "2021-06-02 23:00", arrived="2021-06-02 23:30", closed="2021-06-03 01:00",
                 case_type="刑事案件"),
        incident("I3", "2021-06-03 10:00", arrived="2021-06-03 10:05", case_type="无"),
        incident("I4", "2021-06-04 09:00", closed="2021-06-04 09:30"),
        incident("I5", "2021-06-05 12:00", arrived="2021-06-05 12:20", closed="2021-06-05 13:00",
                 case_type="行政案件"),
    ],
    enforcement=[
        action("A1", "2021-06-02", "综合执法", 3), action("A2", "2021-06-03", "综合执法", 4),
        action("A3", "2021-06-04", "专项整治", 3), action("A4", "2021-06-05", "隐患排查整治", 42),
        action("A5", "2021-06-06", "违规卖场查处", 5), action("A6", "2021-06-07", "商铺检查", 350),
        action("A7", "2021-06-08", "信息流转", 72), action("A8", "2021-06-09", "区域协作交流", 2),
        action("A9", "2021-07-01", "综合执法", 100),                               # after the period
    ],
    mediations=[
        mediation("M1", "2021-06-01 10:00", "调解成功", compensation="100.5"),
        mediation("M2", "2021-06-02 10:00", "调解成功", compensation="200"),
        mediation("M3", "2021-06-03 10:00", "调解失败"),
        mediation("M4", "2021-06-04 10:00", "调解中"),
        mediation("M5", "2021-06-05 10:00", "当事人撤回"),
        mediation("M6", "2021-06-06 10:00", "移交处理"),
    ],
    services=[
        service("V1", "2021-06-01", "寻人", 10), service("V2", "2021-06-02", "寻物", 15),
        service("V3", "2021-06-03", "交通业务", 1000), service("V4", "2021-06-04", "户政业务", 600),
        service("V5", "2021-06-05", "安全预警推送", 20), service("V6", "2021-06-06", "救助游客", 12),
        service("V7", "2021-06-07", "咨询指引", 99),                               # in no metric
    ],
    surveys=[
        survey("Q1", "2021-06-01 10:00", satisfaction=5, safety=4),
        survey("Q2", "2021-06-02 10:00", satisfaction=4, safety=2),
        survey("Q3", "2021-06-03 10:00", satisfaction=3, safety=""),
        survey("Q4", "2021-06-04 10:00", satisfaction=1, safety=5),
    ],
    visitors=[visit("S1", "2021-06-01", 1000), visit("S1", "2021-06-02", 1500),
              visit("S2", "2021-06-01", 2500), visit("S2", "2021-07-01", 9999)],
    nominations=[nomination("N1", "P1", "2021-06-01", "当选"), nomination("N2", "P2", "2021-06-10", "未当选"),
                 nomination("N3", "P3", "2021-06-20", "")],
    votes=[
        vote("W1", "N1", "2021-06-01 09:00", "voter-a"),   # valid: a's first for N1 that day
        vote("W2", "N1", "2021-06-01 10:00", "voter-a"),   # repeat
        vote("W3", "N1", "2021-06-02 09:00", "voter-a"),   # valid: next day
        vote("W4", "N2", "2021-06-01 09:30", "voter-a"),   # valid: another nomination
        vote("W5", "N1", "2021-06-01 11:00", "voter-b"),   # valid: another voter
        vote("W6", "N1", "2021-06-01 12:00", "voter-a"),   # repeat
    ],
)

EXPECTED = {
    # stock on 2021-06-30: P6 left, P7 not yet joined
    "staff.fulltime": 2,                      # P1, P2
    "staff.parttime": 1,                      # P3
    "staff.tourism_police": 3,                # 2 + 1
    "staff.auxiliary": 2,                     # P4, P5
    "posts.police_rooms_standardized": 1,     # R1 (R3 closed on the end day)
    "posts.police_rooms": 2,                  # R1, R2
    "posts.service_points": 2,                # SP1, SP2 (SP3 opens after)
    "teams.volunteer": 1,                     # T1 (T4 dissolved)
    "teams.prevention": 2,                    # T2, T3
    # flows in June, by start_date
    "deploy.dynamic": 2,                      # D1, D2 (D5 started in May)
    "deploy.security_events": 1,              # D3
    "deploy.person_times": 26,                # 5+3 + 2+0 + 10+4 + 1+1
    "incidents.total": 5,                     # I1..I5
    "incidents.same_day_rate": 3 / 5,         # I1, I4, I5
    "incidents.response_median_min": 15.0,    # median of 10, 30, 5, 20
    "cases.administrative": 2,                # I1, I5
    "cases.criminal": 1,                      # I2
    "enforce.joint_operations": 7,            # 3 + 4
    "enforce.campaigns": 3,
    "enforce.hazards_fixed": 42,
    "enforce.shops_penalized": 5,
    "enforce.shops_inspected": 350,
    "enforce.info_transfers": 72,
    "enforce.coop_exchanges": 2,
    "mediation.total": 6,
    "mediation.success_rate": 2 / 5,          # M1, M2 over all but M4 (调解中)
    "mediation.compensation_yuan": 300.5,     # 100.5 + 200
    "service.found": 25,                      # 10 + 15
    "service.convenience": 1600,              # 1000 + 600
    "service.warnings_pushed": 20,
    "service.rescued": 12,
    "survey.responses": 4,
    "survey.satisfaction_rate": 2 / 4,        # Q1, Q2
    "survey.safety_rate": 2 / 3,              # Q1, Q4 over Q1, Q2, Q4
    "survey.satisfaction_mean": 13 / 4,       # (5+4+3+1)/4
    "visitors.total": 5000,                   # 1000 + 1500 + 2500
    "incidents.per_10k_visitors": 10.0,       # 5 × 10000 / 5000
    "nominations.total": 3,
    "nominations.selected": 1,                # N1
    "votes.valid": 4,                         # W1, W3, W4, W5
    "votes.repeat": 2,                        # W2, W6
}


@pytest.fixture(scope="module")
def values_db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("values"), **RECORDS)


@pytest.fixture(scope="module")
def engine(values_db):
    return compute_values(values_db, START, END)


@pytest.fixture(scope="module")
def cli_json(values_db):
    return run_cli(values_db, START, END)


def test_every_catalog_metric_has_a_hand_computed_figure_here():
    assert {m.id for m in METRICS} == set(EXPECTED)


@pytest.mark.parametrize("metric_id", sorted(EXPECTED))
def test_engine_computes_the_hand_computed_figure(engine, metric_id):
    assert engine[metric_id] == pytest.approx(EXPECTED[metric_id])


@pytest.mark.parametrize("metric_id", sorted(EXPECTED))
def test_cli_json_prints_the_hand_computed_figure(cli_json, metric_id):
    assert cli_json[metric_id] == pytest.approx(EXPECTED[metric_id])


def test_counts_are_json_integers_and_rates_fractions(cli_json):
    assert isinstance(cli_json["incidents.total"], int)
    assert isinstance(cli_json["visitors.total"], int)
    for rate in ("incidents.same_day_rate", "mediation.success_rate",
                 "survey.satisfaction_rate", "survey.safety_rate"):
        assert 0 <= cli_json[rate] <= 1


def test_metric_subset_runs_only_what_is_asked(values_db):
    values = compute_values(values_db, START, END, metric_ids=["incidents.per_10k_visitors", "votes.valid"])
    assert values == {"incidents.per_10k_visitors": pytest.approx(10.0), "votes.valid": 4}
