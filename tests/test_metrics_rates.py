"""Rates, medians and means (shared/spec/metrics.md, "Metrics" and the rule under it).

Rates are fractions in [0, 1]; a rate over no records is null, never 0; every
rate carries its n; survey rates carry a 95% Wilson interval.
"""
from __future__ import annotations

import pytest

from tests.builders.warehouses import build, compute_values, incident, mediation, run_cli, survey, surveys_with, visit

START, END = "2021-06-01", "2021-06-30"

RATES = ("incidents.same_day_rate", "mediation.success_rate", "survey.satisfaction_rate",
         "survey.safety_rate")
NULL_OVER_NOTHING = RATES + ("incidents.response_median_min", "survey.satisfaction_mean",
                             "incidents.per_10k_visitors")


# --- incidents.same_day_rate -----------------------------------------------------------

@pytest.fixture(scope="module")
def incidents_db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("incidents"), incidents=[
        # same calendar day, even a minute before midnight
        incident("I1", "2021-06-01 08:00", arrived="2021-06-01 08:07", closed="2021-06-01 23:59:59"),
        # received late, closed just after midnight: the next day
        incident("I2", "2021-06-02 23:50", arrived="2021-06-03 00:20", closed="2021-06-03 00:10"),
        # never closed
        incident("I3", "2021-06-03 10:00", arrived="2021-06-03 10:03"),
        # closed the same day, never arrived (no arrived_at)
        incident("I4", "2021-06-04 09:00", closed="2021-06-04 09:00"),
        # closed a day later at an earlier clock time
        incident("I5", "2021-06-05 12:00", closed="2021-06-06 08:00"),
        # only in July: the one-record period
        incident("I6", "2021-07-01 12:00", arrived="2021-07-01 12:45", closed="2021-07-01 13:00"),
        incident("I7", "2021-08-01 12:00", closed="2021-08-02 09:00"),
        # a response of a minute and a half
        incident("I8", "2021-09-01 08:00:00", arrived="2021-09-01 08:01:30"),
    ])


def test_same_day_rate_counts_incidents_closed_on_the_day_they_were_received(incidents_db):
    full = compute_values(incidents_db, START, END, full=True)["incidents.same_day_rate"]
    assert full.value == pytest.approx(2 / 5)       # I1, I4 of I1..I5
    assert full.n == 5                               # unclosed I3 is in the denominator


def test_same_day_rate_is_one_when_every_incident_closed_the_same_day(incidents_db):
    assert compute_values(incidents_db, "2021-07-01", "2021-07-31")["incidents.same_day_rate"] == 1.0


def test_same_day_rate_is_zero_not_null_when_incidents_exist_but_none_closed_same_day(incidents_db):
    assert compute_values(incidents_db, "2021-08-01", "2021-08-31")["incidents.same_day_rate"] == 0.0


# --- incidents.response_median_min --------------------------------------------------

def test_response_median_is_over_incidents_with_arrived_at_only(incidents_db):
    full = compute_values(incidents_db, START, END, full=True)["incidents.response_median_min"]
    # I1 7 min, I2 30 min, I3 3 min; I4 and I5 have no arrived_at. Median of 3, 7, 30.
    assert full.value == pytest.approx(7.0)
    assert full.n == 3


def test_response_median_of_an_even_count_is_the_mean_of_the_middle_two(incidents_db):
    # June 2..3: I2 30 min and I3 3 min -> (3 + 30) / 2
    assert compute_values(incidents_db, "2021-06-02", "2021-06-03")[
        "incidents.response_median_min"] == pytest.approx(16.5)


def test_response_median_counts_seconds_as_fractions_of_a_minute(incidents_db):
    assert compute_values(incidents_db, "2021-09-01", "2021-09-30")[
        "incidents.response_median_min"] == pytest.approx(1.5)


def test_response_median_is_null_when_no_incident_has_arrived_at(incidents_db):
    values = compute_values(incidents_db, "2021-06-04", "2021-06-05")
    assert values["incidents.total"] == 2
    assert values["incidents.response_median_min"] is None


# --- mediation.success_rate -------------------------------------------------------------

@pytest.fixture(scope="module")
def mediation_db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("mediations"), mediations=[
        mediation("M1", "2021-06-01 10:00", "调解成功"),
        mediation("M2", "2021-06-02 10:00", "调解失败"),
        mediation("M3", "2021-06-03 10:00", "移交处理"),
        mediation("M4", "2021-06-04 10:00", "当事人撤回"),
        mediation("M5", "2021-06-05 10:00", "调解中"),
        mediation("M6", "2021-06-06 10:00", "调解中"),
        mediation("M7", "2021-07-01 10:00", "调解中"),
        mediation("M8", "2021-07-02 10:00", "调解中"),
    ])


def test_mediation_success_rate_is_over_results_that_are_not_in_progress(mediation_db):
    full = compute_values(mediation_db, START, END, full=True)["mediation.success_rate"]
    assert full.value == pytest.approx(1 / 4)       # M1 of M1..M4; M5, M6 still 调解中
    assert full.n == 4


def test_mediation_total_counts_in_progress_ones_too(mediation_db):
    assert compute_values(mediation_db, START, END)["mediation.total"] == 6


def test_mediation_success_rate_is_null_when_every_mediation_is_in_progress(mediation_db):
    values = compute_values(mediation_db, "2021-07-01", "2021-07-31")
    assert values["mediation.total"] == 2
    assert values["mediation.success_rate"] is None


# --- null over nothing ------------------------------------------------------------------

def test_rates_over_no_records_are_null_never_zero_in_the_engine(mediation_db):
    values = compute_values(mediation_db, "2022-01-01", "2022-01-31")
    for metric_id in NULL_OVER_NOTHING:
        assert values[metric_id] is None, metric_id


def test_rates_over_no_records_are_json_null_in_the_cli(mediation_db):
    out = run_cli(mediation_db, "2022-01-01", "2022-01-31")
    for metric_id in NULL_OVER_NOTHING:
        assert metric_id in out and out[metric_id] is None, metric_id
    assert out["incidents.total"] == 0 and out["visitors.total"] == 0


def test_rates_over_no_records_carry_n_zero(mediation_db):
    values = compute_values(mediation_db, "2022-01-01", "2022-01-31", full=True)
    for metric_id in RATES:
        assert values[metric_id].n == 0, metric_id
        assert values[metric_id].low is None and values[metric_id].high is None


# --- surveys: rates, mean, Wilson intervals ---------------------------------------------

@pytest.fixture(scope="module")
def survey_db(tmp_path_factory):
    june = surveys_with("A", "2021-06-10 10:00", {5: 30, 4: 15, 3: 3, 2: 1, 1: 1})   # 45 of 50
    july = surveys_with("B", "2021-07-10 10:00", {5: 20, 4: 25, 2: 5}, field="q_safety")
    august = [survey("C1", "2021-08-10 10:00", satisfaction=4, safety=""),
              survey("C2", "2021-08-11 10:00", satisfaction=2, safety=""),
              survey("C3", "2021-08-12 10:00", satisfaction=5, safety=5)]
    return build(tmp_path_factory.mktemp("surveys"), surveys=june + july + august)


def test_satisfaction_rate_is_the_share_answering_4_or_5(survey_db):
    full = compute_values(survey_db, START, END, full=True)["survey.satisfaction_rate"]
    assert full.value == pytest.approx(0.9)
    assert full.n == 50


def test_satisfaction_rate_has_the_95_percent_wilson_interval(survey_db):
    full = compute_values(survey_db, START, END, full=True)["survey.satisfaction_rate"]
    # 45/50: Wilson score interval, z = 1.96 -> 78.64% .. 95.65%
    assert full.low == pytest.approx(0.78640, abs=1e-4)
    assert full.high == pytest.approx(0.95652, abs=1e-4)


def test_safety_rate_has_the_95_percent_wilson_interval(survey_db):
    full = compute_values(survey_db, "2021-07-01", "2021-07-31", full=True)["survey.safety_rate"]
    assert full.value == pytest.approx(0.9)          # 45 of 50 answer 4 or 5
    assert full.n == 50
    assert (full.low, full.high) == (pytest.approx(0.78640, abs=1e-4), pytest.approx(0.95652, abs=1e-4))


def test_wilson_interval_of_all_successes_stays_within_0_and_1(survey_db):
    full = compute_values(survey_db, "2021-08-12", "2021-08-12", full=True)["survey.satisfaction_rate"]
    assert full.value == 1.0 and full.n == 1
    assert 0.0 <= full.low < 1.0 and full.high == pytest.approx(1.0)
    assert full.low == pytest.approx(0.2065, abs=1e-4)   # 1/1 at z = 1.96


def test_safety_rate_is_over_answers_with_q_safety_only(survey_db):
    full = compute_values(survey_db, "2021-08-01", "2021-08-31", full=True)
    assert full["survey.responses"].value == 3
    assert full["survey.safety_rate"].value == 1.0       # C3 is the only answer
    assert full["survey.safety_rate"].n == 1
    assert full["survey.satisfaction_rate"].value == pytest.approx(2 / 3)   # C1, C3


def test_safety_rate_is_null_when_no_response_answered_q_safety(survey_db):
    values = compute_values(survey_db, "2021-08-10", "2021-08-11")
    assert values["survey.responses"] == 2
    assert values["survey.safety_rate"] is None
    assert values["survey.satisfaction_rate"] == pytest.approx(0.5)


def test_satisfaction_mean_is_the_mean_score(survey_db):
    # June: 30×5 + 15×4 + 3×3 + 1×2 + 1×1 = 222 over 50
    assert compute_values(survey_db, START, END)["survey.satisfaction_mean"] == pytest.approx(4.44)


# --- incidents per 10k visitors ---------------------------------------------------------

@pytest.fixture(scope="module")
def ratio_db(tmp_path_factory):
    return build(
        tmp_path_factory.mktemp("ratio"),
        incidents=[incident(f"I{i}", "2021-06-05 10:00") for i in range(3)]
        + [incident("J1", "2021-07-01 10:00"), incident("K1", "2021-08-05 10:00")],
        visitors=[visit("S1", "2021-06-05", 12000), visit("S2", "2021-06-06", 3000),
                  visit("S1", "2021-07-01", 0),                   # a day with a zero count
                  visit("S1", "2021-09-05", 5000)],               # September: no incidents
    )


def test_incidents_per_10k_visitors_is_incidents_times_10000_over_visitors(ratio_db):
    full = compute_values(ratio_db, START, END, full=True)["incidents.per_10k_visitors"]
    assert full.value == pytest.approx(2.0)        # 3 × 10000 / 15000
    assert full.n == 15000


def test_incidents_per_10k_visitors_is_null_when_the_visitor_counts_add_to_zero(ratio_db):
    values = compute_values(ratio_db, "2021-07-01", "2021-07-31")
    assert (values["incidents.total"], values["visitors.total"]) == (1, 0)
    assert values["incidents.per_10k_visitors"] is None


def test_incidents_per_10k_visitors_is_null_with_no_visitors(ratio_db):
    values = compute_values(ratio_db, "2021-08-01", "2021-08-31")
    assert (values["incidents.total"], values["visitors.total"]) == (1, 0)
    assert values["incidents.per_10k_visitors"] is None
    assert run_cli(ratio_db, "2021-08-01", "2021-08-31")["incidents.per_10k_visitors"] is None


def test_incidents_per_10k_visitors_is_zero_with_visitors_and_no_incidents(ratio_db):
    assert compute_values(ratio_db, "2021-09-01", "2021-09-30")["incidents.per_10k_visitors"] == 0
