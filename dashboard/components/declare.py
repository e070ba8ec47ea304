"""What a page declares: its charts, grids, KPI cards, lines of text and drill-throughs.

A declaration binds a data function to a builder under a component id, and
nothing else; `dashboard.components.page_kit.Page` turns declarations into
the card, the dcc.Graph or grid, the cached callback and the export:

    Chart(CATEGORY, "incidents.by_category", data=q.by_category, args=("category",),
          figure=lambda df, ask: figs.category_figure(df, ask.get("category"), ask.lang))

`data` is called as `data(filters, scope, **{name: ask.get(name) for name in args})`:
the View of the URL is turned into Filters once, here (`Ask.filters`), and a
query sees only Filters, the Scope and the page's own choices it names.
`figure` gets what `data` returned and the Ask (the language, the view, the
page's choices) and returns a go.Figure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import dash_bootstrap_components as dbc

from dashboard.components.kpi import kpi_card
from dashboard.exports.tables import Table
from dashboard.model.filters import Filters, Scope
from dashboard.model.periods import Comparison
from dashboard.state import View


@dataclass(frozen=True)
class Ask:
    """What one answer is for: the view in the URL, the user's scope and the page's own choices
    (`choices` holds those the page derives, such as a default campaign; the rest come from the URL)."""
    view: View
    scope: Scope
    choices: dict = field(default_factory=dict)

    @property
    def filters(self) -> Filters:
        return self.view.filters

    @property
    def against(self) -> Comparison:
        """The periods a KPI compares with: the period before and last year, each its own Filters."""
        return self.view.comparison

    @property
    def lang(self) -> str:
        return self.view.lang

    def get(self, key: str):
        return self.choices[key] if key in self.choices else self.view.get(key)

    def args(self, names: Sequence[str]) -> dict:
        return {name: self.get(name) for name in names}


def call_data(data: Callable, ask: Ask, args: Sequence[str]):
    """A data function's answer for this ask: Filters and Scope in, the page's named choices as keywords."""
    return data(ask.filters, ask.scope, **ask.args(args))


@dataclass(frozen=True)
class Chart:
    id: str
    title_key: str
    data: Callable                       # (filters, scope, **args) -> DataFrame (or what `figure` takes)
    figure: Callable                     # (data, ask) -> go.Figure
    args: tuple[str, ...] = ()           # the page's choices `data` takes, by name
    height: int | None = None            # a fixed height in px (a responsive graph in a row would shrink)
    fit: bool = False                    # the graph box follows the figure's own height (a `style` output)
    style: dict | None = None            # the graph's own CSS, instead of a fixed height
    export: bool = True
    title: Callable | None = None        # export: (ask) -> str, when the title depends on the view
    note: Callable | None = None         # export: (ask) -> str, a line under the filters
    span: Callable | None = None         # export: (view, scope) -> (start, end) drawn, if not the period

    def build(self, ask: Ask):
        return self.figure(call_data(self.data, ask, self.args), ask)

    def outputs(self) -> list[tuple[str, str]]:
        return [(self.id, "figure")] + ([(self.id, "style")] if self.fit else [])

    def answer(self, ask: Ask) -> list:
        fig = self.build(ask)
        if not self.fit:
            return [fig]
        return [fig, {"height": f"{fig.layout.height or self.height or 360}px"}]


@dataclass(frozen=True)
class Grid:
    id: str
    title_key: str
    table: Callable                      # (ask, **params) -> Table: columns and formatted rows
    export_table: Callable | None = None # (ask, **params) -> Table, when a file says more than the screen
    capped: bool = False                 # the screen shows the latest rows: the export's table is called
                                         # with `limit` (every row, up to the file's ceiling)
    columns: Callable | None = None      # (lang) -> columnDefs fixed in the layout; None: sent with the rows
    options: Callable | None = None      # (table, ask) -> dashGridOptions (a Patch, say, for pinned rows)
    height: int | str | None = 320       # px, any CSS height, or None: as tall as its rows
    row_id: str | None = None
    grid_options: dict = field(default_factory=dict)
    records: bool = False                # record-level: shown and answered only to roles with `records`
    export: bool = True
    params: tuple[str, ...] = ()         # export: extra query arguments the builder validates itself
    title: Callable | None = None        # export: (ask) -> str
    note: Callable | None = None         # export: (ask) -> str

    def outputs(self) -> list[tuple[str, str]]:
        cols = [] if self.columns else [(self.id, "columnDefs")]
        return cols + [(self.id, "rowData")] + ([(self.id, "dashGridOptions")] if self.options else [])

    def answer(self, ask: Ask) -> list:
        table: Table = self.table(ask, **ask.args(self.params))
        cols = [] if self.columns else [table.columns]
        return cols + [table.rows] + ([self.options(table, ask)] if self.options else [])


@dataclass(frozen=True)
class Text:
    """Any other property a callback fills from the ask: a note under a chart, a card's title."""
    id: str
    text: Callable                       # (ask) -> children (or the property's value)
    prop: str = "children"

    def outputs(self) -> list[tuple[str, str]]:
        return [(self.id, self.prop)]

    def answer(self, ask: Ask) -> list:
        return [self.text(ask)]


@dataclass(frozen=True)
class Kpis:
    """A row of KPI cards: figures now, the period before, last year and 12 weeks of history."""
    id: str
    data: Callable                       # bound through dashboard.components.bind: (ask, args) -> {metric: KpiFigures}
    metrics: Sequence[str]
    args: tuple[str, ...] = ()
    width: dict = field(default_factory=lambda: {"xs": 12, "md": 4, "xl": True})
    card: Callable | None = None         # (metric, figures, ask, card_id) -> a card of the page's own, or None
    tail: Callable | None = None         # (figures, ask) -> columns after the cards
    more: tuple[str, Callable] | None = None   # (id, (figures, ask) -> children): another output, same figures

    def outputs(self) -> list[tuple[str, str]]:
        return [(self.id, "children")] + ([(self.more[0], "children")] if self.more else [])

    def answer(self, ask: Ask) -> list:
        figures = self.data(ask, self.args)
        prefix = self.id.removesuffix("s")           # incidents-kpis -> incidents-kpi-0, -1 …
        cards = []
        for i, mid in enumerate(self.metrics):
            card_id = f"{prefix}-{i}"
            card = self.card(mid, figures, ask, card_id) if self.card else None
            card = card or kpi_card(mid, figures[mid], ask.lang, card_id, view=ask.view)
            cards.append(dbc.Col(card, **self.width))
        cards += self.tail(figures, ask) if self.tail else []
        return [cards] + ([self.more[1](figures, ask)] if self.more else [])


@dataclass(frozen=True)
class Drill:
    """A click that narrows the page: `to(value, ask)` gives the new query string, or None to stay."""
    source: str
    to: Callable
    prop: str = "clickData"              # "cellClicked" for a grid row (its row id is the value)
    value: Callable | None = None        # (click) -> value; default: a point's customdata, or a row's id


def clicked(click) -> Any:
    """The value a click carries: a point's first customdata, or a grid row's id; None if neither is text."""
    if not isinstance(click, dict):
        return None
    if "rowId" in click or "colId" in click:
        value = click.get("rowId")
    else:
        points = click.get("points") or []
        value = points[0].get("customdata") if points and isinstance(points[0], dict) else None
        if isinstance(value, list):
            value = value[0] if value else None
    return value if isinstance(value, str) and value else None


Item = Chart | Grid | Text | Kpis
