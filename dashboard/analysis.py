"""Pure judgements on figures: change, whether it is notable, red/amber/green.

A "+200 %" on three incidents is noise. A change in a count is notable only
when the Poisson test 2·(√now − √before) lies beyond ±3; a change in a rate
only when the 95 % Wilson intervals of the two periods do not overlap.
Targets live in `targets.toml`. A weekly figure departs from its own
baseline when it lies more than `baseline_z` standard deviations from the
mean of the 12 weeks before it.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboard.queries.metrics import wilson

TARGETS_FILE = Path(__file__).with_name("targets.toml")
POISSON_Z = 3.0


@lru_cache(maxsize=1)
def settings() -> dict:
    with open(TARGETS_FILE, "rb") as fh:
        return tomllib.load(fh)


def target_of(metric_id: str) -> dict | None:
    return settings().get("metrics", {}).get(metric_id)


def min_survey_answers() -> int:
    return int(settings().get("alerts", {}).get("min_survey_answers", 30))


def baseline_z() -> float:
    return float(settings().get("alerts", {}).get("baseline_z", 3.0))


@dataclass(frozen=True)
class Change:
    delta: float | None          # absolute change (percentage points for rates)
    relative: float | None       # relative change of counts, None for rates
    notable: bool | None         # None: no test applies


def poisson_z(now: float, before: float) -> float:
    return 2 * (math.sqrt(max(now, 0)) - math.sqrt(max(before, 0)))


def intervals_overlap(a: tuple, b: tuple) -> bool:
    return not (a[1] < b[0] or b[1] < a[0])


def change(fmt: str, now, before, n_now=None, n_before=None) -> Change:
    if now is None or before is None:
        return Change(None, None, None)
    delta = now - before
    if fmt == "rate":
        if not n_now or not n_before:
            return Change(delta, None, None)
        notable = not intervals_overlap(wilson(now, n_now), wilson(before, n_before))
        return Change(delta, None, notable)
    relative = delta / before if before else None
    if fmt == "count":
        return Change(delta, relative, abs(poisson_z(now, before)) > POISSON_Z)
    return Change(delta, relative, None)


def rag(metric_id: str, value) -> str | None:
    """green / amber / red against the configured target; None when none is set."""
    target = target_of(metric_id)
    if target is None or value is None:
        return None
    lower = target.get("lower_is_better", False)
    good, warn = target["target"], target.get("amber", target["target"])
    if lower:
        return "green" if value <= good else "amber" if value <= warn else "red"
    return "green" if value >= good else "amber" if value >= warn else "red"


def departs_from_baseline(history: list[float], latest: float, z: float | None = None) -> float | None:
    """The z-score of `latest` against `history` when it departs, else None."""
    values = [v for v in history if v is not None and not math.isnan(v)]
    if len(values) < 6 or latest is None:
        return None
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    if sd == 0:
        return None
    score = (latest - mean) / sd
    return score if abs(score) > (z or baseline_z()) else None
