"""Where the KPI figures' queries are bound to what a page asks: the one place that knows their signatures.

A page declares `Kpis(data=kpis_of(q.kpis), args=("category",))` or
`Kpis(data=catalog_kpis(metrics), …)`; the KPI component calls `data(ask, args)`,
and the query gets the view's Filters, the periods it compares with (each its
own Filters), the scope and the page's choices it names.
"""
from __future__ import annotations

from typing import Callable, Sequence

from dashboard.components.declare import Ask
from dashboard.queries.kpis import kpi_figures


def kpis_of(query: Callable) -> Callable:
    """A page's own KPI query, `query(filters, against, scope, *args)`, bound to an Ask."""
    def data(ask: Ask, args: Sequence[str]):
        return query(ask.filters, ask.against, ask.scope, *ask.args(args).values())
    return data


def catalog_kpis(metrics: Sequence[str]) -> Callable:
    """The catalog's own figures of `metrics`, bound to an Ask."""
    def data(ask: Ask, args: Sequence[str]):
        return kpi_figures(ask.filters, ask.against, ask.scope, list(metrics))
    return data
