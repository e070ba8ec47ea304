"""What every query takes: the filters a person chose and the scope they may see.

`Filters` is the period (whole days, both ends included), an optional unit
(its whole subtree), scenic area and season. `Scope` is the user's reach:
the whole city, or one unit's subtree; the filters can narrow it, never
widen it, because the queries apply both restrictions in SQL
(`dashboard.queries.where`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from warehouse.record_types import OFF_PEAK, PEAK

SEASONS = (PEAK, OFF_PEAK)   # as the filter bar and the command line offer them


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    unit: str | None = None
    area: str | None = None
    season: str | None = None

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        if self.season is not None and self.season not in SEASONS:
            raise ValueError(f"unknown season {self.season!r}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Scope:
    """The units a user may see: None is the whole city, a unit code that unit's subtree.

    Only None means the city: an empty or non-text unit is refused here, so a
    unit user with a blank unit can never be read as "no restriction".
    """
    unit: str | None = None

    def __post_init__(self):
        if self.unit is not None and (not isinstance(self.unit, str) or not self.unit.strip()):
            raise ValueError(f"a scope's unit must be a unit code, not {self.unit!r}")

    @classmethod
    def city(cls) -> "Scope":
        return cls(None)
