"""Pure judgements on figures: Wilson intervals, change, whether it is notable, red/amber/green.

A "+200 %" on three incidents is noise. A change in a count is notable only
when the Poisson test 2·(√now − √before) lies beyond ±3 — or, on a base of
fewer than `small_base`, where that approximation overstates (1 → 7 gives
z = 3.3), when the exact test of the split now : before (binomial, ½) is as
unlikely as |z| > 3; on such a base the change is also stated in absolute
terms, never in per cent. A change in a rate is notable only when the 95 %
Wilson intervals of the two periods do not overlap. Targets live in
`targets.toml`; a rate on fewer than `min_survey_answers` records is not
judged against them ("few"). Whether a change is good or bad follows the
catalog's `higher_is_better`. A weekly figure departs from its own baseline
when it lies more than `baseline_z` standard deviations from the mean of the
12 weeks before it.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TARGETS_FILE = Path(__file__).parents[1] / "targets.toml"   # dashboard/targets.toml, beside exports.toml
POISSON_Z = 3.0
POISSON_P = math.erfc(POISSON_Z / math.sqrt(2))   # the two-sided level of |z| > 3
Z95 = 1.959963984540054


def wilson(rate: float | None, n: int | None, z: float = Z95) -> tuple[float | None, float | None]:
    """The Wilson score interval of a proportion."""
    if rate is None or not n:
        return None, None
    denom = 1 + z * z / n
    centre = (rate + z * z / (2 * n)) / denom
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


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


def small_base() -> int:
    return int(settings().get("alerts", {}).get("small_base", 10))


@dataclass(frozen=True)
class Change:
    delta: float | None          # absolute change (percentage points for rates)
    relative: float | None       # relative change of counts; None for rates and on a small base
    notable: bool | None         # None: no test applies


def poisson_z(now: float, before: float) -> float:
    return 2 * (math.sqrt(max(now, 0)) - math.sqrt(max(before, 0)))


def exact_count_p(now: int, before: int) -> float:
    """Two-sided p of `now` out of `now + before` under an even split (equal Poisson rates)."""
    k = now + before
    if k == 0:
        return 1.0
    tail = sum(math.comb(k, i) for i in range(min(now, before) + 1)) / 2 ** k
    return min(1.0, 2 * tail)


def count_change_notable(now: float, before: float) -> bool:
    if before < small_base() and float(now).is_integer() and float(before).is_integer():
        return exact_count_p(int(now), int(before)) < POISSON_P
    return abs(poisson_z(now, before)) > POISSON_Z


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
    if fmt in ("count", "yuan") and before < small_base():
        relative = None   # "+600 %" on 1 → 7 says more than the data
    else:
        relative = delta / before if before else None
    if fmt == "count":
        return Change(delta, relative, count_change_notable(now, before))
    return Change(delta, relative, None)


def verdict(higher_is_better: bool | None, delta: float | None) -> str | None:
    """"good" / "bad" for a change of a figure with a direction; None for neutral figures or no change."""
    if higher_is_better is None or not delta:
        return None
    return "good" if (delta > 0) == higher_is_better else "bad"


def rag(metric_id: str, value, n=None) -> str | None:
    """green / amber / red against the configured target; None when none is set;
    "few" when `n` is given and below `min_survey_answers` (too few records to judge)."""
    target = target_of(metric_id)
    if target is None or value is None:
        return None
    if n is not None and n < min_survey_answers():
        return "few"
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



def furthest_from(ratios: dict, reference: float | None, most: int = 3, factor: float = 1.5) -> list:
    """The keys whose ratio lies furthest from `reference` (on a log scale, so half and double are
    equally far): at most `most` of them, and only those at least `factor` times above or below it.
    A key without a ratio (no visitors) is never flagged; nothing is without a reference."""
    if not reference or reference <= 0:
        return []
    far = []
    for key, ratio in ratios.items():
        if ratio is None or ratio != ratio:         # None or NaN
            continue
        distance = math.inf if ratio <= 0 else abs(math.log(ratio / reference))
        if distance >= math.log(factor):
            far.append((distance, key))
    far.sort(key=lambda pair: (-pair[0], str(pair[1])))
    return [key for _, key in far[:most]]
