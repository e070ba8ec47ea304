"""CSRF tokens: one per session, in every form and in the header of every callback request.

Forms (sign-in, sign-out, password change) carry the token in a hidden
field. Dash's renderer sends the value of the `_csrf_token` cookie as the
`X-CSRFToken` header with each callback request, so the guard sets that
cookie (readable by the page's script, SameSite=Strict) to the session's
token and requires the header to match: another site can neither read the
cookie nor set the header.
"""
from __future__ import annotations

import hmac
import re
import secrets

from flask import request, session

SESSION_KEY = "csrf"
COOKIE = "_csrf_token"        # dash-renderer's default csrf_token_name
HEADER = "X-CSRFToken"        # dash-renderer's default csrf_header_name
FIELD = "csrf_token"


def token() -> str:
    value = session.get(SESSION_KEY)
    if not isinstance(value, str) or len(value) < 32:
        value = secrets.token_urlsafe(32)
        session[SESSION_KEY] = value
    return value


def token_in_form(html: str) -> str:
    """The token a served form carries, for clients that sign in by script (tests, benchmarks)."""
    return re.search(rf'name="{FIELD}" value="([^"]+)"', html).group(1)


def _matches(sent) -> bool:
    expected = session.get(SESSION_KEY)
    return isinstance(sent, str) and isinstance(expected, str) and bool(expected) \
        and hmac.compare_digest(sent.encode(), expected.encode())


def form_ok() -> bool:
    return _matches(request.form.get(FIELD))


def header_ok() -> bool:
    return _matches(request.headers.get(HEADER))


def set_cookie(response, secure: bool) -> None:
    value = session.get(SESSION_KEY)
    if isinstance(value, str) and request.cookies.get(COOKIE) != value:
        response.set_cookie(COOKIE, value, httponly=False, samesite="Strict", secure=secure, path="/")
