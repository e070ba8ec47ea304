"""The one place every export passes through, so an audit log can hook in.

Each download the server produces — a chart image, a publicity pack, a table
file — calls `exported(kind, what, view, ...)` right before it is sent. For now
this writes one line to the `tpd.exports` logger; the access-control work adds
the user and writes an audit record here, and nowhere else.
(Plotly's own camera button saves the chart in the browser; that download
never reaches the server and is not recorded.)
"""
from __future__ import annotations

import logging

from dashboard.state import View

log = logging.getLogger("tpd.exports")


def exported(kind: str, what: str, view: View, *, fmt: str, preset: str | None = None,
             size: int | None = None, file_name: str | None = None) -> None:
    """kind: chart, pack or table; what: the chart, page or grid id; the view as its query string."""
    log.info("export kind=%s what=%s format=%s preset=%s bytes=%s file=%s view=%s",
             kind, what, fmt, preset or "-", size if size is not None else "-", file_name or "-", view.query())
