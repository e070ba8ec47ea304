"""Who is asking: the scope of the current user.

Every query function takes a `Scope`; pages get it from `current_scope()`.
Until sign-in exists every visitor sees the whole city; the access-control
work replaces this one function and nothing else.
"""
from __future__ import annotations

from dashboard.queries.filters import Scope


def current_scope() -> Scope:
    return Scope.city()
