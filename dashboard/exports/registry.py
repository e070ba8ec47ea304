"""Where pages declare what can be exported: their charts and tables, with the builders they use.

A page creates one `PageExports` with the function that turns a query string
into its View (the same validation its callbacks use) and decorates its
chart and table builders:

    EXPORTS = page_exports(PAGE, lambda search, scope: view_from_store(search, scope, ...))

    @EXPORTS.chart(CATEGORY, "incidents.by_category")
    def category_chart(view, scope) -> go.Figure: ...

    @EXPORTS.table(RECORDS, "incidents.records")
    def records_table(view, scope) -> Table: ...

The page's callbacks call the same builders, so an export is the chart or
table the person sees, rebuilt on the server for the view in the URL. Ids
are the component ids, unique across pages. `describe` gives the page's own
active choices (a category, a campaign …) for the subtitle of an export.
A chart that shows other days than the period (a 12-week trend ending with
the selected week) declares them, so its export's subtitle states the days
drawn, not the week chosen:

    @EXPORTS.chart(TREND, "overview.trend", span=weeks_to_end(12))
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from dashboard.model.filters import Scope
from dashboard.model.periods import trailing_weeks
from dashboard.state import View
from dashboard.text import t

ViewOf = Callable[[str | None, Scope], View]


@dataclass(frozen=True)
class ChartSpec:
    page: str
    chart_id: str
    title_key: str
    build: Callable                                   # (view, scope) -> go.Figure
    title: Callable | None = None                     # (view, scope) -> str, when it depends on the view
    note: Callable | None = None                      # (view, scope) -> str | None: a line under the filters
    span: Callable | None = None                      # (view, scope) -> (start, end) the chart shows, if not the period

    def title_of(self, view: View, scope: Scope) -> str:
        return self.title(view, scope) if self.title else t(self.title_key, view.lang)

    def span_of(self, view: View, scope: Scope) -> tuple[dt.date, dt.date] | None:
        return self.span(view, scope) if self.span else None


def weeks_to_end(weeks: int) -> Callable:
    """A chart's `span`: the `weeks` calendar weeks ending with the period's week (a 12-week trend)."""
    def span(view: View, scope: Scope) -> tuple[dt.date, dt.date]:
        return trailing_weeks(view.filters, weeks).start, view.end
    return span


def from_start_of(span_of_filters: Callable) -> Callable:
    """A chart's `span` from the span its query reads (`span_of_filters(filters)` -> Filters)."""
    def span(view: View, scope: Scope) -> tuple[dt.date, dt.date]:
        return span_of_filters(view.filters).start, view.end
    return span


@dataclass(frozen=True)
class TableSpec:
    page: str
    grid_id: str
    title_key: str
    build: Callable                                   # (view, scope, **params) -> Table
    params: tuple[str, ...] = ()                      # extra query arguments the builder validates itself
    title: Callable | None = None
    note: Callable | None = None                      # (view, scope) -> str | None: a line under the filters

    def title_of(self, view: View, scope: Scope) -> str:
        return self.title(view, scope) if self.title else t(self.title_key, view.lang)


@dataclass
class PageExports:
    page: str
    view_of: ViewOf
    describe: Callable | None = None                  # (view, scope) -> list[str]
    view_filters: bool = True                         # False: unit, area and season do not apply on the page
    charts: dict[str, ChartSpec] = field(default_factory=dict)
    tables: dict[str, TableSpec] = field(default_factory=dict)

    def chart(self, chart_id: str, title_key: str, *, title=None, note=None, span=None):
        def register(build):
            spec = ChartSpec(self.page, chart_id, title_key, build, title, note, span)
            self.charts[chart_id] = spec
            CHARTS[chart_id] = spec
            return build
        return register

    def table(self, grid_id: str, title_key: str, *, params: tuple[str, ...] = (), title=None, note=None):
        def register(build):
            spec = TableSpec(self.page, grid_id, title_key, build, params, title, note)
            self.tables[grid_id] = spec
            TABLES[grid_id] = spec
            return build
        return register

    def filters_of(self, view: View, scope: Scope) -> list[str]:
        return list(self.describe(view, scope)) if self.describe else []


PAGES: dict[str, PageExports] = {}
CHARTS: dict[str, ChartSpec] = {}
TABLES: dict[str, TableSpec] = {}


def page_exports(page: str, view_of: ViewOf, describe: Callable | None = None,
                 view_filters: bool = True) -> PageExports:
    """The page's export declarations (a module imported twice keeps one entry per id)."""
    entry = PageExports(page, view_of, describe, view_filters)
    PAGES[page] = entry
    return entry
