"""Access control: accounts, roles, sign-in, CSRF, the server-side guard and the audit log.

- `store`: accounts in the users store (SQLite beside the warehouse, `TPD_USERS_DB`; PostgreSQL with `TPD_USERS_URL`)
- `passwords`: scrypt hashes, generated one-time passwords, the policy
- `roles`: role → pages it may open, capabilities, unit scope
- `csrf`, `views`: the sign-in, sign-out and password forms
- `guard`: `install(app)` closes every route to anyone not signed in, pages and callbacks by role
- `audit`: append and read the audit log
- `current`: the current user, and `acting_as(user)` for code outside a web request

`dashboard/session.py` is what pages use: the current user's scope and capabilities.
"""
from __future__ import annotations


def install(app, users_db=None) -> None:
    """Protect the Dash app `app` (see `dashboard.auth.guard`)."""
    from dashboard.auth import guard
    guard.install(app, users_db)
