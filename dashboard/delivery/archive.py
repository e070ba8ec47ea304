"""The 周报 archive as a user sees it: the issues of the scopes they may see, and their files.

The city's users see every kept issue; a unit user only those of their own
unit's subtree (an issue of the city, or of another unit, never), as the
dashboard's scope rule says (`dashboard.auth.roles`).
"""
from __future__ import annotations

from pathlib import Path

from dashboard.delivery import settings
from dashboard.model.filters import Scope
from dashboard.queries import db, reference
from warehouse.users_store import ArchiveEntry, UsersStore


def root() -> Path:
    return settings.archive_dir(db.warehouse().path)


def may_see(entry: ArchiveEntry, scope: Scope, units: set[str] | None = None, areas: set[str] | None = None) -> bool:
    if scope.unit is None:
        return True
    if entry.unit_code is None:
        return False
    units = units if units is not None else set(reference.units(scope).unit_code)
    areas = areas if areas is not None else set(reference.areas(scope).area_code)
    return entry.unit_code in units and (entry.area_code is None or entry.area_code in areas)


def visible(store: UsersStore, scope: Scope) -> list[ArchiveEntry]:
    """The kept issues `scope` may see, the newest week first."""
    entries = store.archive_entries()
    if scope.unit is None:
        return entries
    units, areas = set(reference.units(scope).unit_code), set(reference.areas(scope).area_code)
    return [e for e in entries if may_see(e, scope, units, areas)]


def file_of(entry: ArchiveEntry, base: Path | None = None) -> Path | None:
    """The kept file, when it is there and inside the archive."""
    base = (base or root()).resolve()
    path = (base / entry.path).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None
