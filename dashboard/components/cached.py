"""Whole callback outputs cached per warehouse version, view and user scope.

Query results are cached already (dashboard.queries.db); this keeps the
figures and components built from them in a cache of their own (`ANSWERS`), so a view seen before answers in
about a millisecond. The key holds the function, its arguments (the view's
query string and any other inputs), today's date (a preset such as 上周 means
other days tomorrow), the user's scope and what their role may see (its
capabilities: `roles.answer_class`), and the warehouse version: a
newly published warehouse or another user's scope never reads an older or
wider answer. Nobody signed in gets no answer, cached or not. Such a callback is also marked
shareable: its HTTP answers are kept for every worker process (dashboard.shared_answers).
"""
from __future__ import annotations

import functools
import json

from dashboard.auth.roles import answer_class
from dashboard.clock import today
from dashboard.queries import db
from dashboard.session import current_role, current_scope
from dashboard.shared_answers import shareable

ANSWERS = db.VersionedCache("callback answers")


def cached_output(fn):
    @shareable
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        scope, role_class = current_scope(), answer_class(current_role())   # refuses when nobody is signed in
        try:
            frozen = json.dumps([args, kwargs], sort_keys=True, default=str)
        except TypeError:
            return fn(*args, **kwargs)
        return ANSWERS.get((fn.__module__, fn.__qualname__, frozen, today(), scope, role_class),
                           lambda: fn(*args, **kwargs))
    return wrapper
