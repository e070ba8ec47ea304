"""The 周报 of a scope and week, made once and kept: the file as sent and its figures.

`issue(store, unit, area, start, end, lang, fmt, now)` returns the archive entry
of that 周报, making it first when none is kept: the figures are composed by
`dashboard.briefing.compose` for the week (as seen by the scope itself: a unit's
subtree, or the city), worded by `briefing.text`, rendered by `briefing.pdf` or
`briefing.docx`, written under the archive directory
(`<scope>/<start>_<end>/<file>` and `figures.json` beside it, written to a
temporary name and renamed, so a half-written file is never kept) and recorded
in the users store. An issue kept already is never made again: what was sent
once is what the archive holds.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from dashboard.briefing import compose
from dashboard.briefing import docx as word
from dashboard.briefing import html as print_html
from dashboard.briefing import pdf
from dashboard.briefing.model import Briefing, Document, Paragraph
from dashboard.briefing.text import document
from dashboard.clock import CHINA
from dashboard.delivery import settings
from dashboard.delivery.plan import scope_key
from dashboard.model.filters import Scope
from dashboard.state import View
from warehouse.users_store import ArchiveEntry, UsersStore, utc_text



def week_view(unit: str | None, area: str | None, start: dt.date, end: dt.date, lang: str = "zh") -> View:
    return View("last_week", start, end, unit=unit, area=area, lang=lang)


def scope_of(unit: str | None) -> Scope:
    """Whose eyes a 周报 is made with: the unit's own (its subtree), else the city's."""
    return Scope(unit) if unit else Scope.city()


def figures_json(b: Briefing) -> str:
    def plain(value):
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return str(value)
    data = dataclasses.asdict(b)
    data["view"] = {"start": b.view.start, "end": b.view.end, "unit": b.view.unit, "area": b.view.area}
    return json.dumps(data, ensure_ascii=False, indent=1, default=plain)


def summary(doc: Document) -> str:
    """The first paragraph of the 周报's summary: what a mail or a message says in a few lines."""
    for block in doc.blocks:
        if isinstance(block, Paragraph) and block.style in ("body", "lead"):
            return block.text
    return doc.subtitle


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def render(doc: Document, fmt: str) -> bytes:
    if fmt == "docx":
        return word.docx_bytes(doc)
    return pdf.pdf_bytes(print_html.page_html(doc))


def issue(store: UsersStore, unit: str | None, area: str | None, start: dt.date, end: dt.date, lang: str, fmt: str,
          now: dt.datetime, root: Path | None = None) -> tuple[ArchiveEntry, Document]:
    """The kept 周报 (made now when none is) and its worded Document (for the mail's words)."""
    key = scope_key(unit, area)
    view = week_view(unit, area, start, end, lang)
    found = store.find_archive(key, start.isoformat(), end.isoformat(), lang, fmt)
    root = root or settings.archive_dir()
    if found is not None and (root / found.path).exists():
        b = compose.briefing(view.with_(lang="zh"), scope_of(unit), now=now)
        return found, document(dataclasses.replace(b, view=view), lang)
    b = compose.briefing(view.with_(lang="zh"), scope_of(unit), now=now)
    doc = document(dataclasses.replace(b, view=view), lang)
    data = render(doc, fmt)
    folder = Path(key.replace("=", "-").replace(";", "_")) / f"{start.isoformat()}_{end.isoformat()}"
    relative = folder / f"{doc.file_stem}.{fmt}"
    _write(root / relative, data)
    _write(root / folder / "figures.json", figures_json(b).encode("utf-8"))
    issued = utc_text(now.replace(tzinfo=CHINA))
    entry = ArchiveEntry(key, unit, area, start.isoformat(), end.isoformat(), lang, fmt, doc.title, str(relative),
                         str(folder / "figures.json"), len(data), hashlib.sha256(data).hexdigest(), issued)
    return store.add_archive(entry), doc
