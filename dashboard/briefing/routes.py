"""Flask routes of the briefing: the DOCX and PDF downloads and the print view.

    /download/briefing.docx?<the page's query string>
    /download/briefing.pdf?<the page's query string>
    /briefing/print?<the page's query string>

Each route rebuilds the briefing on the server from the view its URL
describes, validated against what the current user's scope may see (the
same `view_from_args` the pages use), and never from figures a client
sends. A link naming a unit or area the user may not see, or an invalid
period, is refused (400) rather than quietly widened, and audited. The
role's right to the briefing is checked before anything is composed; every
file handed out passes through `dashboard.exports.record.exported` first.
"""
from __future__ import annotations

import io
import logging
from urllib.parse import quote

from flask import Blueprint, Response, request, send_file

from dashboard.auth import audit
from dashboard.briefing import DEFAULT_PERIOD
from dashboard.briefing import docx as word
from dashboard.briefing import html as print_html
from dashboard.briefing import pdf
from dashboard.briefing.compose import cached_briefing
from dashboard.briefing.text import document
from dashboard.components.page import SCOPE_KEYS
from dashboard.components.view import view_from_args
from dashboard.exports.record import check_rights, exported
from dashboard.session import current_scope
from dashboard.state import View
from dashboard.text import t

log = logging.getLogger(__name__)
bp = Blueprint("briefing", __name__)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PREFIX = "/download"


def urls(view: View) -> dict[str, str]:
    """The briefing's download and print URLs for a view (what the page links to)."""
    query = view.query()
    return {"docx": f"{PREFIX}/briefing.docx{query}", "pdf": f"{PREFIX}/briefing.pdf{query}",
            "html": f"/briefing/print{query}", "page": f"/briefing{query}"}


def _plain(status: int, zh: str, en: str) -> Response:
    return Response(f"{zh}\n{en}\n", status=status, mimetype="text/plain", headers={"Cache-Control": "no-store"})


def _request_view(kind: str) -> tuple[View | None, Response | None]:
    """The briefing's view, once the role may export it (before anything is composed); a link
    naming a unit or area outside the user's scope is refused and audited."""
    check_rights(kind, "briefing", request.query_string.decode("utf-8", "replace"))
    view = view_from_args(request.args.to_dict(), current_scope(), DEFAULT_PERIOD)
    if view.invalid:
        what = "、".join(view.invalid)
        if any(item.startswith(SCOPE_KEYS) for item in view.invalid):
            audit.refused(f"invalid filters in the request, refused: {what}", 400)
        return None, _plain(400, t("briefing.invalid_link", "zh", what=what), t("briefing.invalid_link", "en", what=what))
    return view, None


def _document(view: View):
    return document(cached_briefing(view, current_scope()), view.lang)


def _attachment(data: bytes, mimetype: str, name: str) -> Response:
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name,
                         max_age=0)
    response.headers["Cache-Control"] = "no-store"
    # An ASCII fallback for old clients, the full name (Chinese) per RFC 6266 for the rest.
    ascii_name = "briefing." + name.rsplit(".", 1)[-1]
    response.headers["Content-Disposition"] = (f"attachment; filename=\"{ascii_name}\"; "
                                               f"filename*=UTF-8''{quote(name)}")
    return response


def _failed(exc: Exception, view: View | None) -> Response:
    log.exception("briefing failed for %s", view.query() if view else request.query_string)
    return _plain(500, t("briefing.error", "zh", msg=type(exc).__name__), t("briefing.error", "en", msg=type(exc).__name__))


@bp.get(f"{PREFIX}/briefing.docx")
def briefing_docx():
    view, refused = _request_view("docx")
    if refused:
        return refused
    try:
        doc = _document(view)
        data = word.docx_bytes(doc)
    except Exception as exc:  # noqa: BLE001  (the person gets a message, the log the trace)
        return _failed(exc, view)
    exported("docx", "briefing", view)
    return _attachment(data, DOCX_MIME, f"{doc.file_stem}.docx")


@bp.get(f"{PREFIX}/briefing.pdf")
def briefing_pdf():
    view, refused = _request_view("pdf")
    if refused:
        return refused
    try:
        doc = _document(view)
        data = pdf.pdf_bytes(print_html.page_html(doc))
    except pdf.PdfError as exc:
        log.error("briefing PDF failed: %s", exc)
        return _plain(503, t("briefing.pdf_failed", "zh", msg=exc.zh), t("briefing.pdf_failed", "en", msg=exc.en))
    except Exception as exc:  # noqa: BLE001
        return _failed(exc, view)
    exported("pdf", "briefing", view)
    return _attachment(data, "application/pdf", f"{doc.file_stem}.pdf")


@bp.get("/briefing/print")
def briefing_print():
    view, refused = _request_view("html")
    if refused:
        return refused
    try:
        doc = _document(view)
    except Exception as exc:  # noqa: BLE001
        return _failed(exc, view)
    links = urls(view)
    lang = view.lang
    toolbar = {t("briefing.download_docx", lang): links["docx"], t("briefing.download_pdf", lang): links["pdf"],
               t("briefing.back", lang): links["page"]}
    exported("html", "briefing", view)
    return Response(print_html.page_html(doc, toolbar), mimetype="text/html",
                    headers={"Cache-Control": "no-store"})


def register(server) -> None:
    """Add the briefing's routes to the Dash app's Flask server (once)."""
    if "briefing" not in server.blueprints:
        server.register_blueprint(bp)
