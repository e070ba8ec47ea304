"""Period semantics (shared/spec/metrics.md, "Period and scope").

A period is [start, end], whole days, both included. Flow metrics count the
records whose dating column falls in it; stock metrics count what is active on
`end`: started on or before `end`, and not ended on or before `end`
(left_on / closed_on / dissolved_on is the first day no longer active).
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.metrics_fixtures import (UNITS, action, build, compute_values, deployment, incident, mediation,
                                    nomination, officer, post, service, survey, team, visit, vote)

START, END = "2021-06-10", "2021-06-20"
DAY_BEFORE, DAY_AFTER = "2021-06-09", "2021-06-21"

# One flow metric per dating column: (metric id, its value for one record, row maker for a day).
FLOW_SOURCES = {
    "deployments.start_date": ("deploy.dynamic", 1,
                               lambda i, d: deployment(f"D{i}", d, mode="动态布警")),
    "incidents.received_at": ("incidents.total", 1, lambda i, d: incident(f"I{i}", f"{d} 12:00")),
    "enforcement.action_date": ("enforce.campaigns", 1, lambda i, d: action(f"A{i}", d, "专项整治")),
    "mediations.opened_at": ("mediation.total", 1, lambda i, d: mediation(f"M{i}", f"{d} 12:00")),
    "services.service_date": ("service.rescued", 1, lambda i, d: service(f"V{i}", d, "救助游客")),
    "surveys.submitted_at": ("survey.responses", 1, lambda i, d: survey(f"Q{i}", f"{d} 12:00", 5)),
    "visitors.visit_date": ("visitors.total", 100, lambda i, d: visit("S1", d, 100)),
    "nominations.nominated_on": ("nominations.total", 1,
                                 lambda i, d: nomination(f"N{i}", "P1", d)),
    "votes.voted_at": ("votes.valid", 1, lambda i, d: vote(f"W{i}", "NV", f"{d} 12:00", f"voter{i}")),
}


@pytest.fixture(scope="module")
def flow_db(tmp_path_factory):
    """Every flow source with one record on each of five days around the period."""
    days = [DAY_BEFORE, START, "2021-06-15", END, DAY_AFTER]
    records = {"officers": [officer("P1")], "nominations": [nomination("NV", "P1", "2020-01-01")]}
    for key, (_, _, make) in FLOW_SOURCES.items():
        records.setdefault(key.split(".")[0], []).extend(make(i, d) for i, d in enumerate(days))
    return build(tmp_path_factory.mktemp("flow"), **records)


@pytest.mark.parametrize("key", sorted(FLOW_SOURCES))
def test_flow_counts_records_on_start_and_end_day_but_not_the_day_before_or_after(flow_db, key):
    metric_id, per_record, _ = FLOW_SOURCES[key]
    assert compute_values(flow_db, START, END)[metric_id] == 3 * per_record


@pytest.mark.parametrize("key", sorted(FLOW_SOURCES))
def test_one_day_period_counts_only_that_day(flow_db, key):
    metric_id, per_record, _ = FLOW_SOURCES[key]
    assert compute_values(flow_db, START, START)[metric_id] == per_record
    assert compute_values(flow_db, END, END)[metric_id] == per_record


@pytest.mark.parametrize("key", sorted(FLOW_SOURCES))
def test_flow_over_a_period_with_no_records_is_zero(flow_db, key):
    metric_id, _, _ = FLOW_SOURCES[key]
    assert compute_values(flow_db, "2021-06-11", "2021-06-14")[metric_id] == 0


@pytest.fixture(scope="module")
def timestamps_db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("ts"), incidents=[
        incident("I1", f"{DAY_BEFORE} 23:59:59"),   # out
        incident("I2", f"{START} 00:00:00"),        # in
        incident("I3", f"{END} 23:59:59"),          # in
        incident("I4", f"{DAY_AFTER} 00:00:00"),    # out
        incident("I5", f"{DAY_AFTER} 00:00:01"),    # out
    ], mediations=[
        mediation("M1", f"{END} 23:59:59"), mediation("M2", f"{DAY_AFTER} 00:00"),
    ], surveys=[
        survey("Q1", f"{END} 23:59:59", 5), survey("Q2", f"{DAY_AFTER} 00:00", 5),
    ], deployments=[
        deployment("D1", DAY_BEFORE, END, mode="专项安保", police=7),   # runs through the period
        deployment("D2", END, "2021-06-25", mode="专项安保", police=3),  # starts on the end day
    ])


def test_timestamp_at_23_59_59_of_end_day_is_counted_and_midnight_next_day_is_not(timestamps_db):
    values = compute_values(timestamps_db, START, END)
    assert values["incidents.total"] == 2            # I2, I3
    assert values["mediation.total"] == 1            # M1
    assert values["survey.responses"] == 1           # Q1


def test_timestamp_at_midnight_of_start_day_is_counted_and_the_second_before_is_not(timestamps_db):
    assert compute_values(timestamps_db, START, START)["incidents.total"] == 1     # I2
    assert compute_values(timestamps_db, DAY_BEFORE, DAY_BEFORE)["incidents.total"] == 1  # I1


def test_deployment_counts_in_the_period_of_its_start_date_only(timestamps_db):
    values = compute_values(timestamps_db, START, END)
    assert values["deploy.security_events"] == 1
    assert values["deploy.person_times"] == 3


# --- stock ------------------------------------------------------------------------

# (metric id, row maker taking (id, start day, end day or ""))
STOCK_SOURCES = {
    "officers": ("staff.fulltime", lambda i, s, e: officer(f"P{i}", "专职旅游警察", joined=s, left=e)),
    "posts": ("posts.police_rooms", lambda i, s, e: post(f"R{i}", "旅游警务室", opened=s, closed=e)),
    "teams": ("teams.prevention", lambda i, s, e: team(f"T{i}", "治安防控队伍", founded=s, dissolved=e)),
}

# (start, end or "", active on END?)
LIVES = [
    ("2020-01-01", "", True),                 # long active, never ended
    (END, "", True),                          # started on the end day
    (DAY_AFTER, "", False),                   # starts after the end day
    ("2020-01-01", END, False),               # ended ON the end day: no longer active
    ("2020-01-01", DAY_AFTER, True),          # ends the day after: still active on END
    ("2020-01-01", "2021-06-15", False),      # ended inside the period
    ("2020-01-01", START, False),             # ended on the start day
    ("2020-01-01", "2021-01-01", False),      # ended long before
    (START, END, False),                      # started and ended in the period
]


# Each life gets a unit of its own (L0, L1, ... under the city) so one warehouse
# can answer for every life separately.
LIFE_UNITS = UNITS + [dict(unit_code=f"L{i}", unit_name=f"单位L{i}", unit_level="派出所",
                           parent_code="CITY") for i in range(len(LIVES))]


@pytest.fixture(scope="module")
def stock_db(tmp_path_factory):
    records = {table: [{**make(i, s, e), "unit_code": f"L{i}"} for i, (s, e, _) in enumerate(LIVES)]
               for table, (_, make) in STOCK_SOURCES.items()}
    return build(tmp_path_factory.mktemp("stock"), units=LIFE_UNITS, **records)


@pytest.mark.parametrize("life", range(len(LIVES)),
                         ids=[f"{s}..{e or 'open'}" for s, e, _ in LIVES])
def test_stock_is_what_is_active_on_the_end_day(stock_db, life):
    _, _, active = LIVES[life]
    values = compute_values(stock_db, START, END, unit=f"L{life}")
    for table, (metric_id, _) in STOCK_SOURCES.items():
        assert values[metric_id] == (1 if active else 0), table


@pytest.mark.parametrize("table", sorted(STOCK_SOURCES))
def test_stock_counts_every_active_record_of_the_city(stock_db, table):
    metric_id, _ = STOCK_SOURCES[table]
    assert compute_values(stock_db, START, END)[metric_id] == 3


@pytest.mark.parametrize("table", sorted(STOCK_SOURCES))
def test_stock_ignores_the_period_start(stock_db, table):
    metric_id, _ = STOCK_SOURCES[table]
    assert compute_values(stock_db, END, END)[metric_id] == 3
    assert compute_values(stock_db, "2000-01-01", END)[metric_id] == 3


@pytest.mark.parametrize("table", sorted(STOCK_SOURCES))
def test_stock_on_an_earlier_end_day_counts_what_was_active_then(stock_db, table):
    metric_id, _ = STOCK_SOURCES[table]
    # On 2021-06-14: the lives begun by then and ending after it: 0, 3, 4, 5, 8.
    assert compute_values(stock_db, "2021-06-01", "2021-06-14")[metric_id] == 5


def test_twelve_weeks_of_history_start_on_a_monday_and_end_with_the_period():
    from dashboard.model.filters import Filters
    from dashboard.model.periods import trailing_weeks
    span = trailing_weeks(Filters(dt.date(2026, 1, 1), dt.date(2026, 11, 25), unit="U1"), 12)
    assert span.start == dt.date(2026, 9, 7) and span.start.weekday() == 0
    assert span.end == dt.date(2026, 11, 25) and span.unit == "U1"
    assert (span.end - span.start).days // 7 + 1 == 12
