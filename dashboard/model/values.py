"""What the figure queries return: a metric's value with its base, and a KPI's comparisons."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # the metrics command line runs without pandas
    import pandas as pd


@dataclass(frozen=True)
class MetricValue:
    value: float | int | None
    n: int | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class KpiFigures:
    now: MetricValue
    previous: MetricValue
    last_year: MetricValue
    weekly: pd.DataFrame          # key (week start), value, n, partial (a week the period cuts short)
