"""The archive's download route: `/briefing/archive/<id>` hands out a kept 周报 as it was sent.

Only to a signed-in user whose role may download the briefing and whose scope
holds the issue's (else 404, the same answer as for an id that does not exist,
so ids reveal nothing); every download is audited as an export.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from flask import Blueprint, Response, send_file

from dashboard.auth.store import users_store
from dashboard.delivery import archive
from dashboard.delivery.issue import week_view
from dashboard.exports.record import check_rights, exported
from dashboard.session import current_scope
from dashboard.text import t

bp = Blueprint("briefing_archive", __name__)
MIME = {"pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@bp.get("/briefing/archive/<int:entry_id>")
def archived(entry_id: int):
    check_rights("archive", "briefing", f"archive={entry_id}")
    entry = users_store().archive_entry(entry_id)
    path = archive.file_of(entry) if entry is not None and archive.may_see(entry, current_scope()) else None
    if path is None:
        return Response(f"{t('archive.not_found', 'zh')}\n{t('archive.not_found', 'en')}\n", status=404,
                        mimetype="text/plain", headers={"Cache-Control": "no-store"})
    view = week_view(entry.unit_code, entry.area_code, dt.date.fromisoformat(entry.period_start),
                     dt.date.fromisoformat(entry.period_end), entry.lang)
    exported("archive", "briefing", view, archive_id=entry.id, format=entry.format)
    response = send_file(path, mimetype=MIME[entry.format], as_attachment=True, download_name=path.name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = (f"attachment; filename=\"briefing.{entry.format}\"; "
                                               f"filename*=UTF-8''{quote(path.name)}")
    return response


def register(server) -> None:
    if "briefing_archive" not in server.blueprints:
        server.register_blueprint(bp)
