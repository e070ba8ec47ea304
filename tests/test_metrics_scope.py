"""Unit scope, the area filter and the season filter.

shared/spec/metrics.md: a unit scope takes records of that unit and every unit
below it; records with no unit (some surveys) are only in the whole-city
figure; visitor counts belong to the unit responsible for their scenic area.
The hierarchy (tests/metrics_fixtures.py):

    CITY ── ZD ─┬─ FJ1 ── PCS1        S1 → FJ1, S2 → PCS2, S0 → no unit
                └─ FJ2 ── PCS2
"""
from __future__ import annotations

import pytest

from tests.metrics_fixtures import (action, build, compute_values, deployment, incident, mediation,
                                    nomination, officer, post, run_cli, service, survey, team, visit,
                                    vote)

START, END = "2021-06-01", "2021-06-30"
DAY = "2021-06-10"

# One incident, one officer, one post ... per unit, so each scope's figure is the
# number of units it holds. ZD is the parent of both branches, CITY the root.
UNIT_CODES = ("CITY", "ZD", "FJ1", "PCS1", "FJ2", "PCS2")


def _per_unit(u: str) -> dict[str, list[dict]]:
    return dict(
        officers=[officer(f"P-{u}", "兼职旅游警察", unit=u)],
        posts=[post(f"R-{u}", "旅游警务室", unit=u)],
        teams=[team(f"T-{u}", "治安防控队伍", unit=u)],
        deployments=[deployment(f"D-{u}", DAY, mode="动态布警", police=1, unit=u)],
        incidents=[incident(f"I-{u}", f"{DAY} 10:00", unit=u, closed=f"{DAY} 11:00")],
        mediations=[mediation(f"M-{u}", f"{DAY} 10:00", unit=u)],
        services=[service(f"V-{u}", DAY, "寻人", 1, unit=u)],
        enforcement=[action(f"A-{u}", DAY, "商铺检查", 1, unit=u)],
        surveys=[survey(f"Q-{u}", f"{DAY} 10:00", 5, safety=5, unit=u)],
        nominations=[nomination(f"N-{u}", f"P-{u}", DAY)],
        votes=[vote(f"W-{u}", f"N-{u}", f"{DAY} 10:00", "voter")],
    )


# metric ids whose value is "one per unit in scope"
ONE_PER_UNIT = ("staff.parttime", "posts.police_rooms", "teams.prevention", "deploy.dynamic",
                "incidents.total", "mediation.total", "service.found", "enforce.shops_inspected",
                "nominations.total", "votes.valid")

SCOPES = {
    None: len(UNIT_CODES),
    "CITY": len(UNIT_CODES),
    "ZD": 5,          # ZD, FJ1, PCS1, FJ2, PCS2
    "FJ1": 2,         # FJ1, PCS1
    "PCS1": 1,
    "FJ2": 2,
    "PCS2": 1,
}


@pytest.fixture(scope="module")
def scope_db(tmp_path_factory):
    records: dict[str, list[dict]] = {}
    for u in UNIT_CODES:
        for table, rows in _per_unit(u).items():
            records.setdefault(table, []).extend(rows)
    records["surveys"] += [survey("Q-none-1", f"{DAY} 10:00", 5, safety=5),   # no unit, no area
                           survey("Q-none-2", f"{DAY} 11:00", 1, safety=1),
                           survey("Q-area", f"{DAY} 12:00", 4, safety=4, area="S1")]  # area, no unit
    records["visitors"] = [visit("S1", DAY, 1000), visit("S2", DAY, 200), visit("S0", DAY, 30)]
    return build(tmp_path_factory.mktemp("scope"), **records)


@pytest.mark.parametrize("unit", list(SCOPES), ids=[str(u) for u in SCOPES])
def test_unit_scope_takes_the_unit_and_its_whole_subtree(scope_db, unit):
    values = compute_values(scope_db, START, END, unit=unit)
    for metric_id in ONE_PER_UNIT:
        assert values[metric_id] == SCOPES[unit], metric_id


def test_unit_scope_excludes_sibling_branches(scope_db):
    values = compute_values(scope_db, START, END, unit="FJ1")
    assert values["incidents.total"] == 2   # not FJ2's or PCS2's
    assert values["staff.parttime"] == 2


def test_unit_scope_excludes_parent_units(scope_db):
    # FJ1's parent ZD and grandparent CITY have one incident each: not in FJ1's figure
    assert compute_values(scope_db, START, END, unit="PCS1")["incidents.total"] == 1
    assert compute_values(scope_db, START, END, unit="ZD")["incidents.total"] == 5


def test_records_with_no_unit_are_only_in_the_whole_city_figure(scope_db):
    city = compute_values(scope_db, START, END)
    assert city["survey.responses"] == 9          # 6 units' + 3 with no unit
    assert city["survey.satisfaction_rate"] == pytest.approx(8 / 9)
    root = compute_values(scope_db, START, END, unit="CITY")
    assert root["survey.responses"] == 6          # even the root unit's scope leaves them out
    assert root["survey.satisfaction_rate"] == 1.0
    assert compute_values(scope_db, START, END, unit="ZD")["survey.responses"] == 5


def test_a_survey_with_a_scenic_area_but_no_unit_is_in_no_unit_scope(scope_db):
    # Q-area names S1 (FJ1 responsible) but no unit: not in FJ1's figure, only the city's
    assert compute_values(scope_db, START, END, unit="FJ1")["survey.responses"] == 2
    # ... while the area filter, which asks for the scenic area, does take it
    assert compute_values(scope_db, START, END, area="S1")["survey.responses"] == 1


def test_visitors_belong_to_the_unit_responsible_for_the_scenic_area(scope_db):
    assert compute_values(scope_db, START, END)["visitors.total"] == 1230
    assert compute_values(scope_db, START, END, unit="CITY")["visitors.total"] == 1200  # not S0's
    assert compute_values(scope_db, START, END, unit="FJ1")["visitors.total"] == 1000   # S1
    assert compute_values(scope_db, START, END, unit="PCS1")["visitors.total"] == 0
    assert compute_values(scope_db, START, END, unit="FJ2")["visitors.total"] == 200    # S2 via PCS2
    assert compute_values(scope_db, START, END, unit="PCS2")["visitors.total"] == 200


def test_incidents_per_10k_visitors_uses_the_same_scope_for_both_parts(scope_db):
    assert compute_values(scope_db, START, END, unit="FJ1")[
        "incidents.per_10k_visitors"] == pytest.approx(2 * 10000 / 1000)
    assert compute_values(scope_db, START, END, unit="FJ2")[
        "incidents.per_10k_visitors"] == pytest.approx(2 * 10000 / 200)
    assert compute_values(scope_db, START, END)[
        "incidents.per_10k_visitors"] == pytest.approx(6 * 10000 / 1230)


def test_incidents_per_10k_visitors_is_null_in_a_scope_with_incidents_but_no_visitors(scope_db):
    values = compute_values(scope_db, START, END, unit="PCS1")
    assert values["incidents.total"] == 1
    assert values["incidents.per_10k_visitors"] is None


def test_nominations_and_votes_belong_to_the_nominee_s_unit(scope_db):
    values = compute_values(scope_db, START, END, unit="FJ2")
    assert values["nominations.total"] == 2 and values["votes.valid"] == 2


def test_cli_unit_scope_matches_the_engine(scope_db):
    out = run_cli(scope_db, START, END, "FJ1")
    engine = compute_values(scope_db, START, END, unit="FJ1")
    assert out.keys() == engine.keys()
    for metric_id, value in engine.items():
        assert out[metric_id] == (pytest.approx(value) if value is not None else None), metric_id
    assert out["incidents.total"] == 2 and out["visitors.total"] == 1000


# --- area filter --------------------------------------------------------------------

@pytest.fixture(scope="module")
def area_db(tmp_path_factory):
    return build(
        tmp_path_factory.mktemp("area"),
        incidents=[incident("I1", f"{DAY} 10:00", area="S1"), incident("I2", f"{DAY} 10:00", area="S1"),
                   incident("I3", f"{DAY} 10:00", unit="PCS2", area="S2"),
                   incident("I4", f"{DAY} 10:00")],                         # FJ1, no area
        surveys=[survey("Q1", f"{DAY} 10:00", 5, area="S1"), survey("Q2", f"{DAY} 10:00", 2, area="S2")],
        visitors=[visit("S1", DAY, 4000), visit("S2", DAY, 500)],
        posts=[post("R1", area="S1"), post("R2", area="S2", unit="PCS2"), post("R3")],
        officers=[officer("P1", unit="FJ1"), officer("P2", unit="PCS1"), officer("P3", unit="FJ2")],
    )


def test_area_filter_keeps_only_records_of_that_scenic_area(area_db):
    values = compute_values(area_db, START, END, area="S1")
    assert values["incidents.total"] == 2            # I4 has no area: not in S1's figure
    assert values["visitors.total"] == 4000
    assert values["incidents.per_10k_visitors"] == pytest.approx(5.0)
    assert values["survey.responses"] == 1
    assert values["posts.police_rooms"] == 1


def test_area_filter_for_records_without_an_area_column_takes_the_responsible_unit_s_subtree(area_db):
    # officers carry no scenic area: S1's figure is the staff of FJ1 (responsible) and below
    assert compute_values(area_db, START, END, area="S1")["staff.fulltime"] == 2
    assert compute_values(area_db, START, END, area="S2")["staff.fulltime"] == 0


def test_area_filter_and_unit_scope_narrow_each_other(area_db):
    assert compute_values(area_db, START, END, unit="FJ2", area="S1")["incidents.total"] == 0
    assert compute_values(area_db, START, END, unit="FJ2", area="S2")["incidents.total"] == 1


def test_cli_area_option_filters_by_scenic_area(area_db):
    out = run_cli(area_db, START, END, None, "--area", "S2")
    assert out["incidents.total"] == 1 and out["visitors.total"] == 500


# --- season filter --------------------------------------------------------------------

@pytest.fixture(scope="module")
def season_db(tmp_path_factory):
    return build(
        tmp_path_factory.mktemp("season"),
        incidents=[
            incident("SF0", "2021-02-10 10:00"),   # day before the eve: off-season
            incident("SF1", "2021-02-11 10:00"),   # 除夕 (eve of 2021-02-12): peak
            incident("SF2", "2021-02-17 10:00"),   # 初六, the sixth day after the eve: peak
            incident("SF3", "2021-02-18 10:00"),   # 初七: off-season
            incident("MD1", "2021-05-01 00:00"),   # May Day 1..5: peak
            incident("MD2", "2021-05-05 23:59"),   # peak
            incident("MD3", "2021-05-06 00:00"),   # off-season
            incident("X1", "2021-05-20 10:00"),    # off-season by the calendar, but a 旺季 deployment
            incident("X2", "2021-05-25 10:00"),    # off-season: the 淡季 deployment changes nothing
            incident("SU1", "2021-06-30 10:00"),   # off-season
            incident("SU2", "2021-07-01 10:00"),   # summer: peak
            incident("SU3", "2021-08-31 10:00"),   # peak
            incident("SU4", "2021-09-01 10:00"),   # off-season
            incident("ND1", "2021-10-07 10:00"),   # National Day 1..7: peak
            incident("ND2", "2021-10-08 10:00"),   # off-season
            incident("OLD", "2012-06-01 10:00"),   # before the years the calendar knows: off-season
        ],
        deployments=[
            deployment("D1", "2021-05-19", "2021-05-21", season="旺季", mode="动态布警", police=4),
            deployment("D2", "2021-05-24", "2021-05-26", season="淡季", mode="动态布警", police=2),
            deployment("D3", "2021-07-10", season="淡季", mode="动态布警", police=1),  # summer: peak day
        ],
    )


PEAK = {"SF1", "SF2", "MD1", "MD2", "X1", "SU2", "SU3", "ND1"}


def test_season_filter_peak_takes_calendar_peak_days_and_peak_deployment_days(season_db):
    values = compute_values(season_db, "2021-01-01", "2021-12-31", season="旺季")
    assert values["incidents.total"] == len(PEAK)


def test_season_filter_off_season_takes_every_other_day(season_db):
    values = compute_values(season_db, "2021-01-01", "2021-12-31", season="淡季")
    assert values["incidents.total"] == 15 - len(PEAK)


def test_a_day_outside_the_calendar_years_is_off_season(season_db):
    assert compute_values(season_db, "2012-01-01", "2012-12-31", season="淡季")["incidents.total"] == 1
    assert compute_values(season_db, "2012-01-01", "2012-12-31", season="旺季")["incidents.total"] == 0


@pytest.mark.parametrize("first,last,peak", [
    ("2021-02-10", "2021-02-10", 0), ("2021-02-11", "2021-02-11", 1), ("2021-02-17", "2021-02-17", 1),
    ("2021-02-18", "2021-02-18", 0), ("2021-05-01", "2021-05-06", 2), ("2021-05-20", "2021-05-20", 1),
    ("2021-05-25", "2021-05-25", 0), ("2021-06-30", "2021-09-01", 2), ("2021-10-07", "2021-10-08", 1),
])
def test_season_filter_day_by_day(season_db, first, last, peak):
    assert compute_values(season_db, first, last, season="旺季")["incidents.total"] == peak
    total = compute_values(season_db, first, last)["incidents.total"]
    assert compute_values(season_db, first, last, season="淡季")["incidents.total"] == total - peak


def test_season_filter_applies_to_deployments_by_their_start_date(season_db):
    peak = compute_values(season_db, "2021-01-01", "2021-12-31", season="旺季")
    off = compute_values(season_db, "2021-01-01", "2021-12-31", season="淡季")
    assert (peak["deploy.dynamic"], peak["deploy.person_times"]) == (2, 5)   # D1, D3
    assert (off["deploy.dynamic"], off["deploy.person_times"]) == (1, 2)     # D2


def test_cli_season_option_filters_by_season(season_db):
    out = run_cli(season_db, "2021-01-01", "2021-12-31", None, "--season", "旺季")
    assert out["incidents.total"] == len(PEAK)


def test_a_user_scope_is_narrowed_by_the_unit_filter_never_widened(scope_db):
    from dashboard.model.filters import Filters, Scope
    from dashboard.queries.metrics import compute
    from tests.metrics_fixtures import connect, day
    def total(scope, unit):
        return compute(connect(scope_db), Filters(day(START), day(END), unit=unit), Scope(scope),
                       ["incidents.total"])["incidents.total"].value
    assert total("FJ1", None) == 2
    assert total("FJ1", "PCS1") == 1
    assert total("FJ1", "ZD") == 2        # asking for the parent does not reach past the scope
    assert total("FJ1", "FJ2") == 0      # nor into a sibling


def test_unknown_season_is_refused():
    from dashboard.model.filters import Filters
    from tests.metrics_fixtures import day
    with pytest.raises(ValueError):
        Filters(day(START), day(END), season="平季")


def test_a_period_ending_before_it_starts_is_refused():
    from dashboard.model.filters import Filters
    from tests.metrics_fixtures import day
    with pytest.raises(ValueError):
        Filters(day(END), day(START))
