"""The one place every export passes through: `exported(kind, what, view)`.

Every download route (briefing DOCX/PDF/print HTML, chart images, tables)
calls `exported` once, after it has rebuilt the file from the view on the
server and before it sends it. For now it writes one line to the
`tpd.exports` logger; the access-control work turns it into the audit log
(who, when, what, which view) without touching the routes.
"""
from __future__ import annotations

import logging

log = logging.getLogger("tpd.exports")


def exported(kind: str, what: str, view) -> None:
    """Record that `what` was exported as `kind` (a file format: docx, pdf, html, png …) for `view`."""
    query = view.query() if hasattr(view, "query") else str(view)
    log.info("export kind=%s what=%s view=%s", kind, what, query)
