"""Who is asking, for pages and callbacks: the current user, their scope and what they may do.

Every query function takes a `Scope`; pages get it from `current_scope()`,
which is the signed-in user's (a unit user's own subtree, everyone else the
whole city). Nobody signed in is refused, never answered with the city.
`record_level` marks a callback that returns record-level rows (incident
or mediation records, survey answers): roles without the `records`
capability are refused on the server even if their client asks.
"""
from __future__ import annotations

import functools

from dashboard.auth import roles
from dashboard.auth.current import acting_as, current_user  # noqa: F401  (re-exported)
from dashboard.auth.store import User
from dashboard.model.filters import Scope
from dashboard.refusals import Forbidden, NotSignedIn


def require_user() -> User:
    user = current_user()
    if user is None:
        raise NotSignedIn()
    return user


def current_scope() -> Scope:
    return require_user().scope


def current_role() -> str:
    return require_user().role


def may(capability: str) -> bool:
    user = current_user()
    return user is not None and roles.may(user.role, capability)


def may_open(page: str) -> bool:
    user = current_user()
    return user is not None and roles.may_open(user.role, page)


def record_level(fn):
    """Refuse the callback to roles that may not see record-level tables."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not may("records"):
            require_user()
            raise Forbidden("您的角色不能查看明细记录", "your role may not see record-level tables")
        return fn(*args, **kwargs)
    return wrapper
