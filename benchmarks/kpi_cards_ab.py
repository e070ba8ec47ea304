"""The KPI cards' queries, old and new, interleaved in one process: CPU per uncached call.

Old: `metric_values_many` (one statement per source for the periods) beside the weekly breakdown's
own statement per source. New: `kpis.kpi_figures`, where a source is read once for its periods
and its 12 weeks (`metrics.periods_query(..., weeks)`). `time.process_time` counts DuckDB's
threads too; the query cache is cleared before each call. Also checks they give the same figures.
Run: .venv/bin/python benchmarks/kpi_cards_ab.py --db /work/bench/w10m.duckdb [--unit CODE] [--repeat 9]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CARDS = {"overview": ("dashboard.queries.overview", ("HEADLINE",)),
         "staffing": ("dashboard.queries.staffing", ("KPI_METRICS", "MORE_METRICS")),
         "incidents": ("dashboard.queries.incidents", ("KPIS",)),
         "mediation": ("dashboard.queries.mediation", ("CATALOG_HEADLINE",)),
         "satisfaction": ("dashboard.queries.satisfaction", ("KPI_METRICS",))}


def old_figures(filters, against, scope, metric_ids):
    from dashboard.model.periods import comparison_spans
    from dashboard.queries.breakdown import metric_frame_parts
    from dashboard.queries.kpis import metric_values_many

    f, prev, last, weeks = comparison_spans(filters, against)
    weekly_q, weekly_finish = metric_frame_parts(metric_ids, weeks, scope, "week")
    values, parts = metric_values_many([f, prev, last], scope, metric_ids, extra=weekly_q)
    return values, weekly_finish(parts)


def new_figures(filters, against, scope, metric_ids):
    from dashboard.model.periods import comparison_spans
    from dashboard.queries.kpis import _values_and_weeks

    f, prev, last, weeks = comparison_spans(filters, against)
    values, weekly, _ = _values_and_weeks([f, prev, last], weeks, scope, metric_ids)
    return values, weekly


def _load() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def with_phone(figures, phone_weeks: bool):
    """The overview's KPI cards and then its phone block's headline values (`metric_values_many`,
    with the cards' weeks when `phone_weeks`), the query cache shared as on a page."""
    def both(filters, against, scope, metric_ids):
        from dashboard.model.periods import comparison_spans
        from dashboard.queries.kpis import metric_values_many

        out = figures(filters, against, scope, metric_ids)
        f, prev, last, weeks = comparison_spans(filters, against)
        metric_values_many([f, prev, last], scope, metric_ids, weeks=weeks if phone_weeks else None)
        return out
    return both


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--unit")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--pages", default=",".join(["overview", "overview+phone", *list(CARDS)[1:]]))
    args = parser.parse_args()
    os.environ.setdefault("TPD_TODAY", "2026-11-23")
    import importlib

    import pandas as pd

    from dashboard.model.filters import Filters, Scope
    from dashboard.model.periods import comparison
    from dashboard.queries import db

    db.configure(args.db)
    db.warm_up()
    filters = Filters(dt.date(2025, 11, 23), dt.date(2026, 11, 22), args.unit)
    against, scope = comparison(filters, "custom"), Scope.city()
    print(f"{args.db.name}, unit {args.unit or 'city'}, load average {_load()}")
    for page in args.pages.split(","):
        module, names = CARDS[page.removesuffix("+phone")]
        mod = importlib.import_module(module)
        ids = [i for n in names for i in getattr(mod, n)]
        times = {"old": [], "new": []}
        for _ in range(args.repeat):
            got = {}
            pair = ((("old", with_phone(old_figures, False)), ("new", with_phone(new_figures, True)))
                    if page == "overview+phone" else (("old", old_figures), ("new", new_figures)))
            for name, fn in pair:
                db.clear_cache()
                start = time.process_time()
                got[name] = fn(filters, against, scope, ids)
                times[name].append((time.process_time() - start) * 1000)
            assert got["old"][0] == got["new"][0], page
            pd.testing.assert_frame_equal(got["old"][1], got["new"][1], check_exact=True)
        old, new = statistics.median(times["old"]), statistics.median(times["new"])
        print(f"{page:13s} CPU ms median of {args.repeat}: old {old:6.1f}  new {new:6.1f}  new/old {new / old:.2f}")
    print(f"load average after {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
