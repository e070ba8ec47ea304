"""Valid and repeat votes (data contract, votes; metrics votes.valid / votes.repeat).

Valid vote: the first vote of a voter for a nomination on a calendar day;
later ones that day are repeat votes, shown apart, never in the tally.
"""
from __future__ import annotations

import pytest

from tests.builders.warehouses import build, compute_values, nomination, officer, vote

START, END = "2021-06-01", "2021-06-30"


@pytest.fixture(scope="module")
def votes_db(tmp_path_factory):
    return build(
        tmp_path_factory.mktemp("votes"),
        officers=[officer("P1"), officer("P2", unit="FJ2")],
        nominations=[nomination("N1", "P1", "2021-05-20"), nomination("N2", "P2", "2021-05-20")],
        votes=[
            # 06-01: alice votes N1 three times, N2 once; bob votes N1 once
            vote("V01", "N1", "2021-06-01 08:00:00", "alice"),   # valid
            vote("V02", "N1", "2021-06-01 08:00:05", "alice"),   # repeat
            vote("V03", "N1", "2021-06-01 23:59:59", "alice"),   # repeat (still 06-01)
            vote("V04", "N2", "2021-06-01 08:01:00", "alice"),   # valid: another nomination
            vote("V05", "N1", "2021-06-01 09:00:00", "bob"),     # valid: another voter
            # 06-02: alice again
            vote("V06", "N1", "2021-06-02 00:00:00", "alice"),   # valid: a new calendar day
            vote("V07", "N1", "2021-06-02 12:00:00", "alice"),   # repeat
            # 06-03: the file lists the later vote first; the earlier one is the valid one
            vote("V08", "N2", "2021-06-03 18:00:00", "carol"),   # repeat
            vote("V09", "N2", "2021-06-03 07:00:00", "carol"),   # valid
        ],
    )


def test_first_vote_of_a_voter_for_a_nomination_on_a_day_is_valid_and_later_ones_repeat(votes_db):
    values = compute_values(votes_db, "2021-06-01", "2021-06-01")
    assert values["votes.valid"] == 3        # V01, V04, V05
    assert values["votes.repeat"] == 2       # V02, V03


def test_a_second_vote_on_the_next_day_is_valid_again(votes_db):
    values = compute_values(votes_db, "2021-06-02", "2021-06-02")
    assert (values["votes.valid"], values["votes.repeat"]) == (1, 1)   # V06, V07


def test_the_same_voter_for_another_nomination_is_valid(votes_db):
    values = compute_values(votes_db, "2021-06-01", "2021-06-01", unit="FJ2")   # N2's nominee
    assert (values["votes.valid"], values["votes.repeat"]) == (1, 0)   # V04


def test_the_earliest_vote_of_the_day_is_the_valid_one_whatever_the_file_order(votes_db):
    values = compute_values(votes_db, "2021-06-03", "2021-06-03")
    assert (values["votes.valid"], values["votes.repeat"]) == (1, 1)


def test_valid_plus_repeat_is_every_vote_of_the_period(votes_db):
    values = compute_values(votes_db, START, END)
    assert values["votes.valid"] == 5        # V01, V04, V05, V06, V09
    assert values["votes.repeat"] == 4       # V02, V03, V07, V08


def test_vote_validity_does_not_depend_on_the_period_asked(votes_db):
    # V03 at 23:59:59 stays a repeat even when the period starts on its day.
    values = compute_values(votes_db, "2021-06-01", "2021-06-02")
    assert (values["votes.valid"], values["votes.repeat"]) == (4, 3)


def test_votes_loaded_in_a_later_batch_are_judged_against_earlier_ones(tmp_path):
    from etl.loader import load_batch
    from tests.builders.warehouses import write_csv
    db = build(tmp_path, officers=[officer("P1")], nominations=[nomination("N1", "P1", "2021-05-20")],
               votes=[vote("V1", "N1", "2021-06-01 08:00", "dave")])
    later = write_csv(tmp_path / "votes_later.csv",
                      [vote("V2", "N1", "2021-06-01 09:00", "dave"), vote("V3", "N1", "2021-06-02 09:00", "dave")])
    load_batch(db, [later], user="test")
    values = compute_values(db, START, END)
    assert (values["votes.valid"], values["votes.repeat"]) == (2, 1)
