"""The scheduler delivers subscriptions: the 周报 once per scope and week, alerts once, by mail and webhook.

A local SMTP server (aiosmtpd) and a local HTTP receiver stand in for the bureau's mail server and
messaging gateway; the clock is injected (China time). Nothing is sent twice: not by a restarted
scheduler, not by a second one beside it, not by the next hour's round.
"""
from __future__ import annotations

import datetime as dt
import email
import json
from email.header import decode_header, make_header
from email.policy import compat32

import pytest

from dashboard.auth import store as users
from dashboard.delivery import jobs
from dashboard.model import judgements
from dashboard.scheduler import Scheduler
from tests.builders.receivers import SmtpSink, WebhookSink
from warehouse.users_store import AuditQuery, Event, Subscription

MONDAY_8 = dt.datetime(2026, 11, 23, 8, 0)      # the demo's today, China time
PASSWORD = "Test-pass-2026!"


@pytest.fixture
def smtp(monkeypatch):
    with SmtpSink() as sink:
        monkeypatch.setenv("TPD_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("TPD_SMTP_PORT", str(sink.port))
        monkeypatch.setenv("TPD_SMTP_FROM", "tpd@police.example.cn")
        yield sink


@pytest.fixture
def gateway(monkeypatch):
    with WebhookSink() as sink:
        monkeypatch.setenv("TPD_WEBHOOK_URL", sink.url)
        yield sink


@pytest.fixture
def store(demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("TPD_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("TPD_PUBLIC_URL", "https://tpd.example.cn")
    path = tmp_path / "users.sqlite3"
    users.configure(path)
    yield users.users_store()
    users.configure(None)


def subscribe(store, username, role, unit=None, **sub):
    users.add(username, role, password=PASSWORD, unit_code=unit, must_change=False, actor="tests")
    return store.add_subscription(Subscription(username, sub.pop("kind", "briefing"), **sub),
                                  Event("subscription.added", actor=username))


def wire_subject(raw: bytes) -> str:
    """The Subject header as it was on the wire (unfolded, not decoded)."""
    return email.message_from_bytes(raw, policy=compat32)["Subject"]


def subject_of(raw: bytes) -> str:
    """The subject as its RFC 2047 encoded words decode."""
    return str(make_header(decode_header(wire_subject(raw))))


def test_a_monday_8_oclock_round_mails_each_subscriber_the_pdf_and_calls_the_gateway_once(store, smtp, gateway,
                                                                                         branch):
    subscribe(store, "wang", "leader", email="wang@police.example.cn", webhook_url=jobs.GATEWAY)
    subscribe(store, "li", "unit", branch, unit_code=branch, email="li@police.example.cn")
    outcome = Scheduler(store, clock=lambda: MONDAY_8).run_pending()

    assert len(outcome.sent) == 3 and outcome.failed == []
    assert sorted(rcpt for _, [rcpt] in smtp.envelopes) == ["li@police.example.cn", "wang@police.example.cn"]
    for raw, msg in zip(smtp.raw, smtp.messages):
        wire = wire_subject(raw)
        assert wire.isascii() and "=?utf-8?" in wire.lower()         # RFC 2047 on the wire
        subject = subject_of(raw)
        assert subject.startswith("【周报】") and "2026-11-16至2026-11-22" in subject
        [pdf] = [part for part in msg.iter_attachments()]
        assert pdf.get_content_type() == "application/pdf" and pdf.get_content().startswith(b"%PDF")
        assert pdf.get_filename().endswith("_2026-11-16_2026-11-22.pdf")
    [call] = gateway.calls
    assert call["user"] == "wang" and call["title"].startswith("【周报】") and call["summary"]
    assert call["link"].startswith("https://tpd.example.cn/briefing/archive/")
    assert call["period"] == {"start": "2026-11-16", "end": "2026-11-22"}
    assert store.count_audit("delivery.sent") == 3


def test_a_restarted_or_second_scheduler_sends_nothing_more(store, smtp, gateway):
    subscribe(store, "wang", "leader", email="wang@police.example.cn", webhook_url=jobs.GATEWAY)
    first = Scheduler(store, clock=lambda: MONDAY_8)
    assert len(first.run_pending().sent) == 2
    assert Scheduler(store, clock=lambda: MONDAY_8).run_pending() is None      # the first holds the lease
    first.stop()
    later = MONDAY_8 + dt.timedelta(hours=3)
    restarted = Scheduler(store, clock=lambda: later)
    outcome = restarted.run_pending()
    assert outcome.sent == [] and outcome.failed == []
    assert len(smtp.raw) == 1 and len(gateway.calls) == 1


def test_nothing_is_sent_before_the_subscriptions_slot(store, smtp):
    subscribe(store, "wang", "leader", email="wang@police.example.cn", weekday=0, hour=9)
    assert Scheduler(store, clock=lambda: MONDAY_8).run_pending().sent == []
    assert smtp.raw == []


def test_a_failed_send_is_retried_with_backoff_and_shown_as_failed(store, monkeypatch):
    with WebhookSink(status=503) as down:
        subscribe(store, "wang", "leader", kind="alerts", webhook_url=down.url)
        monkeypatch.setattr(judgements, "settings", lambda: {"alerts": {"min_survey_answers": 30},
                                                             "metrics": {"incidents.same_day_rate": {"target": 1.01,
                                                                                                     "amber": 1.005}}})
        jobs.run_alerts(store, MONDAY_8)
        [failed] = store.deliveries(("failed",))
        assert failed.attempts == 1 and "503" in failed.last_error
        jobs.run_alerts(store, MONDAY_8 + dt.timedelta(minutes=1))              # not due yet
        assert len(down.calls) == 1
        down.status = 200
        jobs.run_alerts(store, MONDAY_8 + dt.timedelta(minutes=6))              # due after 5 minutes
        assert len(down.calls) == 2 and store.deliveries(("failed",)) == []
    assert [e.event for e in store.audit_entries(AuditQuery(kinds=("delivery",), newest_first=False))] == [
        "delivery.failed", "delivery.sent"]


def test_an_alert_is_sent_once_when_a_figure_crosses_its_target_not_again_the_next_hour(store, smtp, gateway,
                                                                                        monkeypatch):
    subscribe(store, "wang", "leader", kind="alerts", email="wang@police.example.cn", webhook_url=jobs.GATEWAY)

    def target(value):
        monkeypatch.setattr(judgements, "settings", lambda: {
            "alerts": {"min_survey_answers": 30},
            "metrics": {"incidents.same_day_rate": {"target": value, "amber": value - 0.005}}})

    def target_alerts():
        return [c for c in gateway.calls if c["metric"] == "incidents.same_day_rate"]

    target(0.0)                                  # on target: nothing about it
    jobs.run_alerts(store, MONDAY_8 + dt.timedelta(hours=1))
    assert target_alerts() == []
    target(1.01)                                 # now below target: red
    jobs.run_alerts(store, MONDAY_8 + dt.timedelta(hours=2))
    [alert] = target_alerts()
    assert alert["status"] == "red" and "未达目标" in alert["title"]
    assert any("未达目标" in subject_of(raw) for raw in smtp.raw)
    mails = len(smtp.raw)
    jobs.run_alerts(store, MONDAY_8 + dt.timedelta(hours=3))
    assert len(target_alerts()) == 1 and len(smtp.raw) == mails


# ---- the archive -------------------------------------------------------------------------------------

def test_every_issue_is_archived_with_its_figures_and_listed_only_for_the_scopes_a_user_may_see(store, smtp,
                                                                                               branch, tmp_path):
    from dashboard.delivery.archive import file_of, visible
    from dashboard.model.filters import Scope
    subscribe(store, "wang", "leader", email="wang@police.example.cn", format="docx")
    subscribe(store, "li", "unit", branch, unit_code=branch, email="li@police.example.cn", format="docx")
    now = [MONDAY_8]
    scheduler = Scheduler(store, clock=lambda: now[0])
    scheduler.run_pending()
    now[0] += dt.timedelta(days=7)
    scheduler.run_pending()
    city = visible(store, Scope.city())
    assert [(e.scope_key, e.period_start) for e in city] == [
        (f"unit={branch}", "2026-11-23"), ("city", "2026-11-23"), (f"unit={branch}", "2026-11-16"),
        ("city", "2026-11-16")]
    assert [e.scope_key for e in visible(store, Scope(branch))] == [f"unit={branch}"] * 2
    [sent] = [m for m in smtp.messages if m["To"] == "li@police.example.cn"][:1]
    [attached] = list(sent.iter_attachments())
    entry = visible(store, Scope(branch))[-1]
    kept = file_of(entry, tmp_path / "archive")
    assert kept.read_bytes() == attached.get_content()
    figures = json.loads((tmp_path / "archive" / entry.figures_path).read_text(encoding="utf-8"))
    assert figures["view"]["unit"] == branch and "incidents.total" in figures["figures"]


def test_the_archive_route_hands_a_unit_user_their_scopes_issue_and_nothing_else(store, smtp, branch, tmp_path,
                                                                                 demo_db):
    from dashboard.app import create_app
    from tests.builders.accounts import sign_in_test_client
    subscribe(store, "wang", "leader", email="wang@police.example.cn", format="docx")
    subscribe(store, "li", "unit", branch, unit_code=branch, email="li@police.example.cn", format="docx")
    Scheduler(store, clock=lambda: MONDAY_8).run_pending()
    ids = {e.scope_key: e.id for e in store.archive_entries()}
    app = create_app(demo_db, tmp_path / "users.sqlite3")
    client = app.server.test_client()
    sign_in_test_client(client, "unit", branch)
    assert client.get(f"/briefing/archive/{ids[f'unit={branch}']}").status_code == 200
    assert client.get(f"/briefing/archive/{ids['city']}").status_code == 404
    assert store.count_audit("export") == 1


def test_the_briefing_page_lists_past_issues_of_the_users_scope_only(store, smtp, branch, tmp_path, demo_db):
    import sys

    import dash

    from dashboard.app import create_app
    from dashboard.model.filters import Scope
    subscribe(store, "wang", "leader", email="wang@police.example.cn", format="docx")
    subscribe(store, "li", "unit", branch, unit_code=branch, email="li@police.example.cn", format="docx")
    Scheduler(store, clock=lambda: MONDAY_8).run_pending()
    ids = {e.scope_key: e.id for e in store.archive_entries()}
    create_app(demo_db, tmp_path / "users.sqlite3")
    entry = next(p for p in dash.page_registry.values() if p["module"].endswith("pages.briefing") and "layout" in p)
    archive_list = sys.modules[entry["module"]].archive_list
    unit_view, city_view = str(archive_list(Scope(branch), "zh")), str(archive_list(Scope.city(), "zh"))
    assert "历史周报" in unit_view and f"/briefing/archive/{ids[f'unit={branch}']}" in unit_view
    assert f"/briefing/archive/{ids['city']}" not in unit_view
    assert f"/briefing/archive/{ids['city']}" in city_view and "2026-11-16 — 2026-11-22" in city_view


def test_a_departure_the_overview_shows_for_the_worse_is_alerted_once(store, gateway, monkeypatch):
    from dashboard.delivery import alerts
    subscribe(store, "wang", "leader", kind="alerts", webhook_url=jobs.GATEWAY)
    monkeypatch.setattr(judgements, "settings", lambda: {"alerts": {"min_survey_answers": 30}, "metrics": {}})
    found = [{"unit": None, "unit_name": None, "metric": "incidents.total", "week": dt.date(2026, 11, 16),
              "value": 90.0, "baseline": 40.0, "z": 4.2},
             {"unit": None, "unit_name": None, "metric": "incidents.same_day_rate", "week": dt.date(2026, 11, 16),
              "value": 0.99, "baseline": 0.95, "z": 3.5}]                       # for the better: not alerted
    monkeypatch.setattr(alerts.ranking, "departures", lambda series, metric_ids: found)
    for hour in (9, 10):
        jobs.run_alerts(store, MONDAY_8.replace(hour=hour))
    departures = [c for c in gateway.calls if c["summary"].find("近12周均值") >= 0]
    assert len(departures) == 1 and departures[0]["metric"] == "incidents.total"
    assert "偏离近12周常态" in departures[0]["title"]


def test_the_scheduler_command_sends_once_and_a_second_start_sends_nothing(store, smtp, demo_db, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path
    subscribe(store, "wang", "leader", email="wang@police.example.cn", format="docx", weekday=0, hour=0)
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(repo), "TPD_USERS_DB": str(tmp_path / "users.sqlite3")}
    runs = [subprocess.run([sys.executable, "-m", "dashboard.scheduler", "--db", str(demo_db), "--once"], cwd=repo,
                           env=env, capture_output=True, text=True, timeout=300) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr[-2000:]
    assert [r.stdout.strip() for r in runs] == ["sent 1, failed 0", "sent 0, failed 0"]
    [msg] = smtp.messages
    assert subject_of(smtp.raw[0]).startswith("【周报】")
    assert [a.get_content_type() for a in msg.iter_attachments()] == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]


def test_a_briefing_that_failed_late_in_a_week_is_retried_for_that_week_after_it_turns(store):
    with WebhookSink(status=503) as down:
        subscribe(store, "wang", "leader", webhook_url=down.url, weekday=6, hour=23, format="docx")
        sunday = dt.datetime(2026, 11, 29, 23, 50)
        assert len(jobs.run_briefings(store, sunday).failed) == 1
        down.status = 200
        outcome = jobs.run_briefings(store, sunday + dt.timedelta(minutes=20))       # Monday 00:10
        assert len(outcome.sent) == 1
        assert [c["period"] for c in down.calls] == [{"start": "2026-11-16", "end": "2026-11-22"}] * 2
