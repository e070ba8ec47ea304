"""Weeks, slots and scopes, in China time (pure: no clock, no store).

A 周报 subscription names a weekday and time (China time, Monday 08:00 by
default); from that moment in a week the issue of the week before (Monday to
Sunday) is due, until the next week starts — a scheduler that was down at 08:00
sends it when it is back, never an older week's. Alerts judge the last
complete week as well, each hour.
"""
from __future__ import annotations

import datetime as dt

from warehouse.users_store import Subscription


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def last_complete_week(now: dt.datetime) -> tuple[dt.date, dt.date]:
    """Monday to Sunday of the week before `now`'s (China time)."""
    monday = week_start(now.date())
    return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)


def slot(subscription: Subscription, now: dt.datetime) -> dt.datetime:
    """This week's moment for the subscription (China time, naive)."""
    day = week_start(now.date()) + dt.timedelta(days=subscription.weekday)
    return dt.datetime.combine(day, dt.time(subscription.hour, subscription.minute))


def is_due(subscription: Subscription, now: dt.datetime) -> bool:
    return now >= slot(subscription, now)


def scope_key(unit: str | None, area: str | None) -> str:
    """What a 周报 is about: the city, a unit's subtree, a scenic area (or both)."""
    parts = [f"unit={unit}" if unit else "", f"area={area}" if area else ""]
    return ";".join(p for p in parts if p) or "city"


def period_key(start: dt.date, end: dt.date) -> str:
    return f"{start.isoformat()}/{end.isoformat()}"
