"""A user's subscriptions: the rules for adding and ending them (the store keeps them, and audits).

A subscription is for a scope the user may see — a unit user's own unit's
subtree (never the city), anyone else's the city, a unit or a scenic area —
and goes to an email address and/or the messaging gateway (`TPD_WEBHOOK_URL`);
a webhook URL of its own only an administrator may give (the scheduler posts
to it from inside the bureau's network). Every refusal says why, in Chinese
and English (`UserError`).
"""
from __future__ import annotations

import re

from dashboard.auth import roles
from dashboard.auth.store import User, UserError, users_store
from dashboard.delivery import settings
from dashboard.delivery.jobs import GATEWAY, refusal
from dashboard.text import t
from warehouse.users_store import Event, Subscription

EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
KINDS, FORMATS, LANGS = ("briefing", "alerts"), ("pdf", "docx"), ("zh", "en")


def _error(key: str, **values) -> UserError:
    return UserError(t(key, "zh", **values), t(key, "en", **values))


def subscribe(user: User, *, kind: str = "briefing", unit: str | None = None, area: str | None = None,
              weekday: int = 0, hour: int = 8, minute: int = 0, fmt: str = "pdf", lang: str = "zh",
              email: str | None = None, gateway: bool = False, webhook_url: str | None = None) -> int:
    """Add a subscription for `user`; returns its id."""
    unit, area = unit or None, area or None
    if roles.get(user.role).unit_scoped:
        unit = unit or user.unit_code
    for what, value, allowed in (("kind", kind, KINDS), ("format", fmt, FORMATS), ("lang", lang, LANGS)):
        if value not in allowed:
            raise _error("subs.error.value", what=f"{what}={value}")
    try:
        weekday, hour, minute = int(weekday), int(hour), int(minute)
    except (TypeError, ValueError):
        raise _error("subs.error.value", what=f"{weekday} {hour}:{minute}") from None
    if not (0 <= weekday <= 6 and 0 <= hour <= 23 and 0 <= minute <= 59):
        raise _error("subs.error.value", what=f"{weekday} {hour}:{minute}")
    email = (email or "").strip() or None
    webhook_url = (webhook_url or "").strip() or None
    if email and not EMAIL.match(email):
        raise _error("subs.error.email", value=email)
    if webhook_url:
        if not roles.may(user.role, "admin"):
            raise _error("subs.error.webhook_admin")
        if not webhook_url.startswith(("http://", "https://")):
            raise _error("subs.error.webhook", value=webhook_url)
    elif gateway:
        if not settings.webhook_url():
            raise _error("subs.error.gateway")
        webhook_url = GATEWAY
    if not email and not webhook_url:
        raise _error("subs.error.channel")
    store = users_store()
    why = refusal(store, unit, area, user.username)
    if why:
        raise _error("subs.error.scope", reason=why)
    sub = Subscription(user.username, kind, unit, area, weekday, hour, minute, fmt, lang, email, webhook_url)
    return store.add_subscription(sub, Event("subscription.added", actor=user.username, target=user.username,
                                             detail={"kind": kind, "unit": unit, "area": area, "format": fmt,
                                                     "lang": lang, "weekday": weekday, "hour": hour,
                                                     "email": email, "webhook": webhook_url}))


def unsubscribe(user: User, subscription_id: int) -> bool:
    return users_store().end_subscription(int(subscription_id), user.username,
                                          Event("subscription.ended", actor=user.username, target=user.username,
                                                detail={"subscription": int(subscription_id)}))


def mine(user: User) -> list[Subscription]:
    return users_store().subscriptions(user.username)
