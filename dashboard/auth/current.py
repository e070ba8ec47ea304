"""Who is asking: the signed-in user of the request, or the one a test or tool acts as.

In a web request the user is the one the session cookie names (set by the
guard before any view or callback runs). Outside a request (tests calling
callbacks as functions, benchmarks, scripts) nobody is signed in unless the
code says whom it acts as:

    with acting_as(User("lee", "unit", unit_code="YL0003")):
        page.render_kpis("?period=last_week")
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

from flask import g, has_request_context

from dashboard.auth.store import User

_acting: contextvars.ContextVar[User | None] = contextvars.ContextVar("tpd_acting_user", default=None)


def current_user() -> User | None:
    if has_request_context():
        return g.get("tpd_user")
    return _acting.get()


@contextmanager
def acting_as(user: User | None):
    """Run the block as `user` (None: as nobody) outside a web request."""
    token = _acting.set(user)
    try:
        yield user
    finally:
        _acting.reset(token)
