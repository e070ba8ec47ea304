"""The jobs: who gets what now, each message claimed in the users store before it is sent.

`run_briefings(store, now)`: every 周报 subscription whose weekly slot (China
time) has come this week gets the issue of the week before — made once per
scope, language and format (`issue`), mailed with the file attached and/or
posted to a webhook. `run_alerts(store, now)`: every alert subscription gets
each alert of its scope's last complete week (`alerts`) once.

Nothing is sent twice: a delivery (kind, scope, period, channel, recipient) is
claimed first — written as `sending` in one transaction of the store, which
refuses a second claim — then sent, then recorded `sent`, or `failed` with
the time of its retry (`TPD_DELIVERY_RETRY_MINUTES`, doubling; after
`TPD_DELIVERY_ATTEMPTS` attempts `abandoned`). Every outcome is an audit entry
(delivery.sent / delivery.failed / delivery.abandoned) and failures are listed on /admin.
A subscription whose user may no longer see its scope (disabled, role or unit
changed) is not sent; its delivery is recorded abandoned, saying why.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.auth import roles
from dashboard.auth.store import user_of
from dashboard.briefing import compose
from dashboard.clock import CHINA
from dashboard.delivery import channels, settings
from dashboard.delivery.alerts import alerts, departures, words
from dashboard.delivery.issue import issue, scope_of, summary, week_view
from dashboard.delivery.plan import is_due, last_complete_week, period_key, scope_key
from dashboard.queries import reference
from dashboard.text import t
from warehouse.users_store import Delivery, Event, Subscription, UsersStore, utc_text

log = logging.getLogger(__name__)
GATEWAY = "gateway"        # a subscription's webhook_url meaning the gateway of TPD_WEBHOOK_URL
ACTOR = "scheduler"


@dataclass
class Outcome:
    sent: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)

    def __iadd__(self, other: "Outcome") -> "Outcome":
        self.sent += other.sent
        self.failed += other.failed
        return self


def utc_of(now: dt.datetime) -> str:
    return utc_text(now.replace(tzinfo=CHINA))


def recipients(sub: Subscription) -> list[tuple[str, str]]:
    out = []
    if sub.email:
        out.append(("mail", sub.email))
    if sub.webhook_url:
        # The gateway carries each user's messages to them: one delivery per user, not per scope.
        out.append(("webhook", f"{GATEWAY}:{sub.username}" if sub.webhook_url == GATEWAY else sub.webhook_url))
    return out


def webhook_target(recipient: str) -> str | None:
    return settings.webhook_url() if recipient.startswith(f"{GATEWAY}:") else recipient


def refusal(store: UsersStore, unit: str | None, area: str | None, username: str) -> str | None:
    """Why `username` may not receive the 周报 or alerts of this scope now (None: they may)."""
    user = user_of(store.account(username))
    if user is None or user.disabled:
        return "用户不存在或已停用 / the user is gone or disabled"
    if not roles.may_open(user.role, "briefing"):
        return "该角色不能查看周报 / the role may not see the briefing"
    scope = user.scope
    if scope.unit is not None and unit is None:
        return "单位用户只能订阅本单位范围 / a unit user subscribes within their unit only"
    if unit is not None and unit not in set(reference.units(scope).unit_code):
        return f"单位 {unit} 不在用户可见范围内 / unit {unit} is outside the user's scope"
    if area is not None and area not in set(reference.areas(scope).area_code):
        return f"景区 {area} 不在用户可见范围内 / area {area} is outside the user's scope"
    return None


def _event(claim: Delivery, state: str, error: str | None = None) -> Event:
    detail = {"kind": claim.kind, "scope": claim.scope_key, "period": claim.period_key, "channel": claim.channel,
              "attempt": claim.attempts, "user": claim.username}
    if error:
        detail["error"] = error
    return Event(f"delivery.{state}", actor=ACTOR, target=claim.recipient, detail=detail)


def _failed(store: UsersStore, claim: Delivery, error: str, now: dt.datetime, *, final: bool = False) -> None:
    if final or claim.attempts >= settings.max_attempts():
        store.finish_delivery(claim.id, "abandoned", _event(claim, "abandoned", error), error=error)
        log.error("delivery %s abandoned after %d attempt(s): %s", claim.id, claim.attempts, error)
        return
    wait = dt.timedelta(minutes=settings.first_retry_minutes() * 2 ** (claim.attempts - 1))
    store.finish_delivery(claim.id, "failed", _event(claim, "failed", error), error=error,
                          next_attempt_at=utc_of(now + wait))
    log.warning("delivery %s failed (attempt %d), retried at %s: %s", claim.id, claim.attempts, now + wait, error)


def deliver(store: UsersStore, claim: Delivery, send: Callable[[], None], now: dt.datetime, outcome: Outcome,
            archive_id: int | None = None) -> None:
    try:
        send()
    except Exception as exc:  # noqa: BLE001  (recorded, retried, shown to administrators)
        _failed(store, claim, str(exc) or type(exc).__name__, now)
        outcome.failed.append(claim)
        return
    store.finish_delivery(claim.id, "sent", _event(claim, "sent"), archive_id=archive_id)
    outcome.sent.append(claim)


def _send(channel: str, recipient: str, subject: str, body: str, payload: dict,
          attachment: tuple[str, bytes] | None = None) -> Callable[[], None]:
    if channel == "mail":
        return lambda: channels.send_mail(channels.message(recipient, subject, body, attachment))
    return lambda: channels.post_webhook(webhook_target(recipient), payload)


# ---- the 周报 --------------------------------------------------------------------------------------

def run_briefings(store: UsersStore, now: dt.datetime, root: Path | None = None,
                   alive: Callable[[], bool] = lambda: True) -> Outcome:
    """Send every 周报 due at `now` (China time, naive) and not sent yet, and retry the failed ones
    of earlier weeks whose retry is due; stop when `alive()` says this scheduler no longer holds
    its lease (asked before each subscription)."""
    outcome = Outcome()
    start, end = last_complete_week(now)
    root = root or settings.archive_dir()
    issued: dict[tuple, tuple | Exception] = {}
    subscriptions = store.subscriptions(kind="briefing")
    for sub in subscriptions:
        if not is_due(sub, now):
            continue
        if not alive():
            log.warning("the lease was lost: the round stops, another scheduler goes on")
            return outcome
        key = scope_key(sub.unit_code, sub.area_code)
        for channel, recipient in recipients(sub):
            title = f"{t('briefing.kind.week', sub.lang)} {start.isoformat()}—{end.isoformat()} · {key}"
            claim = store.claim_delivery(
                Delivery("briefing", key, f"{period_key(start, end)}#{sub.lang}.{sub.format}", channel, recipient,
                         sub.username, title, sub.id), utc_of(now), settings.max_attempts())
            if claim is not None:
                _send_briefing(store, sub, claim, start, end, sub.lang, sub.format, now, root, issued, outcome)
    # A failure late in a week is retried after the week has turned, for the week it was about.
    current = period_key(start, end)
    by_id = {sub.id: sub for sub in subscriptions}
    for failed in store.deliveries(("failed",), limit=1000):
        sub = by_id.get(failed.subscription_id)
        if failed.kind != "briefing" or failed.period_key.startswith(current) or sub is None:
            continue
        period, _, variant = failed.period_key.partition("#")
        lang, _, fmt = variant.partition(".")
        claim = store.claim_delivery(failed, utc_of(now), settings.max_attempts())
        if claim is not None:
            first, last = (dt.date.fromisoformat(day) for day in period.split("/"))
            _send_briefing(store, sub, claim, first, last, lang, fmt, now, root, issued, outcome)
    return outcome


def _send_briefing(store: UsersStore, sub: Subscription, claim: Delivery, start: dt.date, end: dt.date, lang: str,
                   fmt: str, now: dt.datetime, root: Path, issued: dict, outcome: Outcome) -> None:
    """Send the claimed 周报 (the week's issue of the subscription's scope, made once per round)."""
    refused = refusal(store, sub.unit_code, sub.area_code, sub.username)
    if refused:
        _failed(store, claim, refused, now, final=True)
        outcome.failed.append(claim)
        return
    key = scope_key(sub.unit_code, sub.area_code)
    which = (key, start, end, lang, fmt)
    if which not in issued:
        try:
            issued[which] = issue(store, sub.unit_code, sub.area_code, start, end, lang, fmt, now, root)
        except Exception as exc:  # noqa: BLE001  (e.g. no Chromium: retried later)
            log.exception("the 周报 for %s could not be made", which)
            issued[which] = exc
    made = issued[which]
    if isinstance(made, Exception):
        _failed(store, claim, f"周报生成失败 / the briefing could not be made: {made}", now)
        outcome.failed.append(claim)
        return
    entry, doc = made
    link = f"{settings.public_url()}/briefing/archive/{entry.id}"
    subject = t("subs.mail.briefing_subject", lang, title=doc.title, start=entry.period_start, end=entry.period_end)
    text = summary(doc)
    body = t("subs.mail.briefing_body", lang, subtitle=doc.subtitle, summary=text, link=link,
             manage=f"{settings.public_url()}/subscriptions")
    payload = {"kind": "briefing", "user": sub.username, "title": subject, "summary": text, "link": link,
               "scope": key, "period": {"start": entry.period_start, "end": entry.period_end},
               "format": entry.format, "lang": lang}
    attachment = (Path(entry.path).name, (root / entry.path).read_bytes()) if claim.channel == "mail" else None
    deliver(store, claim, _send(claim.channel, claim.recipient, subject, body, payload, attachment), now, outcome,
            archive_id=entry.id)


# ---- alerts -----------------------------------------------------------------------------------------

def run_alerts(store: UsersStore, now: dt.datetime, alive: Callable[[], bool] = lambda: True) -> Outcome:
    """Send every alert of the last complete week not sent yet to each alert subscription."""
    outcome = Outcome()
    start, end = last_complete_week(now)
    judged: dict[str, tuple] = {}
    for sub in store.subscriptions(kind="alerts"):
        if not alive():
            log.warning("the lease was lost: the round stops, another scheduler goes on")
            break
        refused = refusal(store, sub.unit_code, sub.area_code, sub.username)
        if refused:
            log.warning("alert subscription %s not served: %s", sub.id, refused)
            continue
        key = scope_key(sub.unit_code, sub.area_code)
        if key not in judged:
            view = week_view(sub.unit_code, sub.area_code, start, end)
            b = compose.briefing(view, scope_of(sub.unit_code), now=now)
            judged[key] = (b, alerts(b) + departures(view.filters, scope_of(sub.unit_code)))
        b, found = judged[key]
        lang = sub.lang
        view = week_view(sub.unit_code, sub.area_code, start, end, lang)
        link = f"{settings.public_url()}/{view.query(period='custom')}"
        for alert in found:
            title, text = words(alert, b, lang)
            for channel, recipient in recipients(sub):
                claim = store.claim_delivery(
                    Delivery("alert", key, f"{period_key(start, end)}#{alert.key}", channel, recipient,
                             sub.username, title, sub.id), utc_of(now), settings.max_attempts())
                if claim is None:
                    continue
                subject = t("subs.mail.alert_subject", lang, title=title)
                body = t("subs.mail.alert_body", lang, text=text, link=link,
                         manage=f"{settings.public_url()}/subscriptions")
                payload = {"kind": "alert", "user": sub.username, "title": title, "summary": text, "link": link,
                           "scope": key,
                           "metric": alert.metric_id, "status": alert.status,
                           "period": {"start": start.isoformat(), "end": end.isoformat()}}
                deliver(store, claim, _send(channel, recipient, subject, body, payload), now, outcome)
    return outcome
