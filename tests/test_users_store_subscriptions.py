"""The users store's subscriptions, deliveries, archive and leases, the same on both engines (every
test runs on SQLite and on PostgreSQL; PostgreSQL must answer, or the test fails).

A delivery is claimed once per kind, scope, period, channel and recipient: a second claim — a
restart, another scheduler on another node — gets nothing, unless the first failed and its retry
is due. Leases let one scheduler run the jobs at a time.
"""
from __future__ import annotations

import pytest

from dashboard.auth import passwords
from warehouse.users_store import (Account, ArchiveEntry, AuditQuery, Delivery, Event, Subscription, forget_store,
                                   open_store)
from tests.test_users_store import another_node

EARLY, LATE = "2026-12-07T00:00:00Z", "2026-12-07T01:00:00Z"


@pytest.fixture
def users(users_location):
    store = open_store(users_location)
    store.add_account(Account("wang", "leader", None, "王", passwords.hash_password("Correct-horse-42"), False),
                      Event("user.added"))
    store.add_account(Account("li", "unit", "YL0003", "李", passwords.hash_password("Correct-horse-42"), False),
                      Event("user.added"))
    yield store
    forget_store(users_location)


def weekly(user="wang", **changes) -> Subscription:
    return Subscription(user, "briefing", email=f"{user}@example.cn", **changes)


def delivery(recipient="wang@example.cn", period="2026-11-30/2026-12-06") -> Delivery:
    return Delivery("briefing", "city", period, "mail", recipient, "wang", "周报")


def test_a_subscription_is_kept_listed_by_user_and_ended_only_by_its_owner(users):
    first = users.add_subscription(weekly(format="docx", lang="en"), Event("subscription.added", actor="wang"))
    users.add_subscription(weekly("li", unit_code="YL0003"), Event("subscription.added", actor="li"))
    [mine] = users.subscriptions("wang")
    assert (mine.id, mine.kind, mine.format, mine.lang, mine.weekday, mine.hour) == (first, "briefing", "docx", "en", 0, 8)
    assert [s.unit_code for s in users.subscriptions(kind="briefing")] == [None, "YL0003"]
    assert not users.end_subscription(first, "li", Event("subscription.ended", actor="li"))
    assert users.end_subscription(first, "wang", Event("subscription.ended", actor="wang"))
    assert users.subscriptions("wang") == []
    assert [e.event for e in users.audit_entries(AuditQuery(kinds=("subscription",), newest_first=False))] == [
        "subscription.added", "subscription.added", "subscription.ended"]


def test_a_subscription_needs_somewhere_to_deliver_to(users):
    with pytest.raises(Exception):
        users.add_subscription(Subscription("wang", "briefing"), Event("subscription.added"))
    assert users.subscriptions() == []


def test_a_delivery_is_claimed_once_even_from_another_node(users, users_location):
    claimed = users.claim_delivery(delivery(), EARLY, 5)
    assert (claimed.state, claimed.attempts) == ("sending", 1)
    other = another_node(users_location)
    try:
        assert other.claim_delivery(delivery(), EARLY, 5) is None
        users.finish_delivery(claimed.id, "sent", Event("delivery.sent", target="wang@example.cn"))
        assert other.claim_delivery(delivery(), LATE, 5) is None
    finally:
        other.close()
    assert users.claim_delivery(delivery("li@example.cn"), EARLY, 5) is not None
    assert users.claim_delivery(delivery(period="2026-12-07/2026-12-13"), EARLY, 5) is not None


def test_a_failed_delivery_is_claimed_again_only_when_its_retry_is_due_and_attempts_remain(users):
    claimed = users.claim_delivery(delivery(), EARLY, 2)
    users.finish_delivery(claimed.id, "failed", Event("delivery.failed"), error="550 mailbox busy", next_attempt_at=LATE)
    assert users.claim_delivery(delivery(), EARLY, 2) is None
    again = users.claim_delivery(delivery(), LATE, 2)
    assert (again.id, again.attempts, again.state) == (claimed.id, 2, "sending")
    users.finish_delivery(again.id, "failed", Event("delivery.failed"), error="550 mailbox busy", next_attempt_at=LATE)
    assert users.claim_delivery(delivery(), "2999-01-01T00:00:00Z", 2) is None
    [failed] = users.deliveries(("failed", "abandoned"))
    assert (failed.last_error, failed.attempts) == ("550 mailbox busy", 2)


def test_an_issued_briefing_is_archived_once_per_scope_period_language_and_format(users):
    entry = ArchiveEntry("unit=YL0003", "YL0003", None, "2026-11-30", "2026-12-06", "zh", "pdf", "周报", "a/b.pdf",
                         "a/b.json", 1234, "ab" * 32)
    kept = users.add_archive(entry)
    again = users.add_archive(ArchiveEntry(**{**entry.__dict__, "path": "other.pdf"}))
    assert kept.id == again.id and again.path == "a/b.pdf" and users.archive_entry(kept.id) == kept
    users.add_archive(ArchiveEntry(**{**entry.__dict__, "period_start": "2026-12-07", "period_end": "2026-12-13"}))
    assert [e.period_start for e in users.archive_entries()] == ["2026-12-07", "2026-11-30"]
    assert users.find_archive("unit=YL0003", "2026-11-30", "2026-12-06", "zh", "docx") is None


def test_a_lease_has_one_holder_until_it_expires_or_is_released(users, users_location):
    assert users.acquire_lease("scheduler", "node-a", 60)
    other = another_node(users_location)
    try:
        assert not other.acquire_lease("scheduler", "node-b", 60)
        assert users.acquire_lease("scheduler", "node-a", 60)          # renewed by its holder
        assert users.lease_holder("scheduler")[0] == "node-a"
        users.release_lease("scheduler", "node-a")
        assert other.acquire_lease("scheduler", "node-b", -1)          # held, but expired at once
        assert users.acquire_lease("scheduler", "node-a", 60)
    finally:
        other.close()
