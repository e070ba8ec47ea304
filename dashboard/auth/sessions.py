"""Server-side sessions: the cookie carries a session's token, the users store says whether it stands.

Signing in starts a session in the users store (warehouse.users_store); the
signed session cookie carries its token (`s`) and nothing else about the user
(it also carries the CSRF token, which is needed before sign-in and names
nobody). The store keeps only the token's SHA-256, so a copy of the users
database lets nobody take over a session.

Every request checks its session: it must not have ended (signing out, a
disable, a password reset or change ends it), its user must exist and not be
disabled, it must have been seen within `TPD_SESSION_HOURS` and started
within `TPD_SESSION_MAX_HOURS`. Each process asks the store at most once per
`CHECK_SECONDS` for one session, so an end made elsewhere (`users disable`, a
sign-out on another worker) is seen within that time; this process's own
sign-outs at once. The time last seen is written at most once a minute.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import threading
import time

from dashboard.auth.store import User, user_of, users_store
from warehouse.users_store import parse_utc, utc_text


def _hours(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


SESSION_HOURS = _hours("TPD_SESSION_HOURS", 8)            # idle
SESSION_MAX_HOURS = _hours("TPD_SESSION_MAX_HOURS", 12)   # from sign-in, whatever the activity
CHECK_SECONDS = 1.0          # how long a process may answer from what the store said about a session
TOUCH_SECONDS = 60           # how stale the stored time last seen may get
FORGET_AFTER_DAYS = 30       # sessions not seen for this long are removed when someone signs in
_MAX_REMEMBERED = 10_000

_checked: dict[str, tuple[float, User | None]] = {}
_lock = threading.Lock()


def session_id(token: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, ip: str | None = None) -> str:
    """A new session for `user`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    store = users_store()
    store.start_session(session_id(token), user.username, ip)
    store.forget_sessions(utc_text(_now() - dt.timedelta(days=FORGET_AFTER_DAYS)))
    return token


def end(token: str, reason: str = "signout") -> None:
    sid = session_id(token)
    users_store().end_session(sid, reason)
    with _lock:
        _checked[sid] = (time.monotonic(), None)


def forget(token: str) -> None:
    """Ask the store again at the next request (this process changed the session's account)."""
    with _lock:
        _checked.pop(session_id(token), None)


def user_of_session(token) -> User | None:
    """The user whose live session `token` names; None when it names none (any more)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    sid = session_id(token)
    now = time.monotonic()
    with _lock:
        seen = _checked.get(sid)
    if seen is not None and now - seen[0] < CHECK_SECONDS:
        return seen[1]
    user = _ask_store(sid)
    with _lock:
        if len(_checked) >= _MAX_REMEMBERED:
            _checked.clear()
        _checked[sid] = (now, user)
    return user


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _ask_store(sid: str) -> User | None:
    store = users_store()
    found = store.session(sid)
    if found is None:
        return None
    session, account = found
    if session.ended_at is not None or account.disabled:
        return None
    now = _now()
    last_seen = parse_utc(session.last_seen_at)
    if (now - last_seen > dt.timedelta(hours=SESSION_HOURS)
            or now - parse_utc(session.created_at) > dt.timedelta(hours=SESSION_MAX_HOURS)):
        store.end_session(sid, "expired")
        return None
    if (now - last_seen).total_seconds() >= TOUCH_SECONDS:
        store.touch_session(sid)
    return user_of(account)
