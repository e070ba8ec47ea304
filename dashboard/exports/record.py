"""The one place every export passes through: each download is written to the audit log.

Every download the server produces (a chart image, a publicity pack, a table
file) calls `exported(kind, what, view)` right before it is sent. The entry
names the signed-in user, what was exported and the view's filters (its
query string) and the user's scope; with the request's address. Anything
else the caller knows (format, preset, size, file name …) may be passed as
keywords and is kept in the entry too.

It is also the last check of what may be downloaded: `what` names a page's
chart or table (`incidents-category`, `mediation-records`) or a page (a pack
of its charts), and a user gets only what their role shows them: a page
they may open, a record-level table only with the `records` capability.
Anything else raises `Forbidden` (answered 403) and is audited as refused.
The routes ask the same question first (`check_rights`), before a query
runs or a browser draws: a refusal costs nothing.

Nobody signed in: `NotSignedIn` (an export is never anonymous). If the entry
cannot be written the exception propagates, so call this before sending the
file: an export that is not recorded is not sent.
(Plotly's own camera button saves the chart in the browser; that download
never reaches the server and is not recorded.)
"""
from __future__ import annotations

import logging

from dashboard.auth import audit, roles
from dashboard.refusals import Forbidden
from dashboard.session import require_user

log = logging.getLogger("tpd.exports")


def _filters(view) -> str | None:
    if view is None:
        return None
    if hasattr(view, "query"):
        return view.query()
    return str(view)[:2000]


def check_rights(kind: str, what: str, view=None, **details) -> dict:
    """Refuse (`Forbidden`, audited) unless the signed-in user's role may export `what`; the audit
    entry's detail otherwise. `view` is the View, or the request's query string before it is read."""
    user = require_user()
    detail = {"kind": kind, "what": what, "filters": _filters(view), "role": user.role,
              "scope": user.scope.unit or "city", **{k: v for k, v in details.items() if v is not None}}
    if not roles.may_export(user.role, str(what)):
        audit.record("export.refused", target=f"{kind}:{what}"[:200], detail=detail)
        refusal = Forbidden("您的角色不能导出此内容", "your role may not export this")
        refusal.audited = True
        raise refusal
    return detail


def exported(kind: str, what: str, view, **details) -> None:
    """kind: chart, pack or table; what: the chart, page or grid id; view: the View exported."""
    user = require_user()
    detail = check_rights(kind, what, view, **details)
    filters = detail["filters"]
    audit.record("export", target=f"{kind}:{what}"[:200], detail=detail)
    log.info("export user=%s kind=%s what=%s view=%s", user.username, kind, what, filters)
