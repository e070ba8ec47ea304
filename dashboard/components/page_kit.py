"""The glue every page shares, written once: views, cards, graphs, grids, callbacks, exports, drill-through.

A page makes one `Page` and hands it its declarations (dashboard.components.declare):

    P = Page(__name__, "incidents", default_period="this_month", allowed={"category": …})
    CATEGORY_CHART = Chart(…)
    render_breakdowns = P.render(CATEGORY_CHART, SOURCE_CHART, AREA_CHART, Text(AREA_NOTE, area_note))
    drill = P.drill(Drill(CATEGORY, to_category), Drill(AREA, to_area))

`render` registers each chart and grid for export (/download/…, built by the
same builder as the screen) and makes one cached callback that answers all
the outputs of its items from the page's view store; `drill` makes one
callback from clicks to the URL. `card` lays a declared chart or grid out as
a card with its title, export menu, hint and graph or grid. Every callback
reads its view through `ask_from`, the strict validation of
`view_from_store`. A grid that shows only the latest rows is declared
`capped`: its export gets every row, and `rows_line` words the line under
it (how many are shown, and what the exports hold).
"""
from __future__ import annotations

from typing import Callable

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.components.cached import cached_output
from dashboard.components.declare import Ask, Chart, Drill, Grid, Item, clicked
from dashboard.components.exports import card_head, chart_graph_config, chart_menu, table_menu
from dashboard.components.filter_bar import to_url
from dashboard.components.grid import grid
from dashboard.components.page import page_frame, record_level_only, view_from_store
from dashboard.components.view import view_from_args
from dashboard.exports.registry import page_exports
from dashboard.exports.tables import with_export_rows
from dashboard.model.filters import Scope
from dashboard.session import current_scope, record_level
from dashboard.state import View
from dashboard.text import t


class Page:
    def __init__(self, module: str, name: str, *, default_period: str, allowed: dict | Callable | None = None,
                 choices: Callable | None = None, describe: Callable | None = None,
                 view_of: Callable | None = None, view_filters: bool = True, pack: bool = True):
        """`allowed`: the page's own URL arguments and their values (or `(scope) -> dict`);
        `choices`: `(view, scope) -> dict`, the page's choices it derives (a default campaign);
        `view_of`: `(search, scope) -> View`, when the page reads its store otherwise."""
        self.module, self.name, self.default_period = module, name, default_period
        self.store = f"{name}-view"
        self._allowed, self._choices, self._view_of, self.pack = allowed, choices, view_of, pack
        self.exports = page_exports(name, self.view_of, describe=describe, view_filters=view_filters)

    # ---- the view --------------------------------------------------------------------------------

    def allowed(self, scope: Scope) -> dict | None:
        return self._allowed(scope) if callable(self._allowed) else self._allowed

    def view_of(self, search, scope: Scope) -> View:
        if self._view_of:
            return self._view_of(search, scope)
        return view_from_store(search, scope, self.default_period, self.allowed(scope))

    def ask(self, view: View, scope: Scope) -> Ask:
        return Ask(view, scope, self._choices(view, scope) if self._choices else {})

    def ask_from(self, search) -> Ask:
        """The Ask a callback was sent (its view validated strictly), for the signed-in user's scope."""
        scope = current_scope()
        return self.ask(self.view_of(search, scope), scope)

    def layout_ask(self, args: dict) -> Ask:
        """The Ask of a page's layout, from its URL's query arguments."""
        scope = current_scope()
        return self.ask(view_from_args(args, scope, self.default_period, self.allowed(scope)), scope)

    def frame(self, ask: Ask, *children) -> html.Div:
        return page_frame(self.store, ask.view, ask.scope, t(f"nav.{self.name}", ask.lang), *children,
                          pack=self.name if self.pack else None)

    # ---- layout ----------------------------------------------------------------------------------

    def graph(self, chart: Chart, ask: Ask, title: str | None = None) -> dcc.Graph:
        style = chart.style or ({"height": f"{chart.height}px"} if chart.height else None)
        return dcc.Graph(id=chart.id, config=chart_graph_config(title or t(chart.title_key, ask.lang), ask.view),
                         **({"style": style} if style else {}))

    def grid(self, item: Grid, ask: Ask):
        """The grid, empty until its callback fills it; `height=None`: as tall as its rows (with
        `domLayout: autoHeight`), for short tables of a fixed length."""
        g = grid(item.id, item.columns(ask.lang) if item.columns else [], [], ask.lang, height=item.height or 0,
                 row_id=item.row_id, **item.grid_options)
        if item.height is None:
            g.style = {"width": "100%"}
        return g

    def card(self, item: Chart | Grid, ask: Ask, *above, below=(), hint: str | None = None, tools=(),
             title=None, title_id: str | None = None, loading: bool = False, cls: str = "h-100",
             body_cls: str | None = None) -> dbc.Card:
        """A declared chart or grid in its card: title and export menu, hint, `above`, the graph or grid,
        `below`. `title` replaces the title (a component: a count beside it, say)."""
        lang = ask.lang
        menu = (chart_menu if isinstance(item, Chart) else table_menu)(item.id, ask.view) if item.export else None
        body = self.graph(item, ask) if isinstance(item, Chart) else self.grid(item, ask)
        if loading:
            body = dcc.Loading(body, type="dot", delay_show=300)
        card = dbc.Card(dbc.CardBody([
            card_head(title if title is not None else t(item.title_key, lang), *tools, menu, title_id=title_id),
            *([html.P(hint, className="tpd-hint")] if hint else []),
            *above, body, *below,
        ], **({"className": body_cls} if body_cls else {})), className=cls)
        return record_level_only(lang, card) if isinstance(item, Grid) and item.records else card

    def chip(self, ask: Ask, arg: str, text: str, clear: str) -> html.Div | None:
        """The page's choice `arg` (a category …), named by `text`, with a link that clears it."""
        if not ask.view.get(arg):
            return None
        return html.Div([
            html.Span(text, className=f"badge rounded-pill text-bg-primary me-2 tpd-chip tpd-{self.name}-chip"),
            dcc.Link(clear, href=ask.view.query(**{arg: None}), className="small", id=f"{self.name}-clear-{arg}"),
        ], className="mb-2")

    # ---- callbacks -------------------------------------------------------------------------------

    def declare(self, item: Item) -> None:
        """Register a chart or grid for export, built by its own builder for the view in the URL."""
        if not isinstance(item, Chart | Grid) or not item.export:
            return
        title, note = self.in_view(item.title), self.in_view(item.note)
        if isinstance(item, Chart):
            self.exports.chart(item.id, item.title_key, title=title, note=note, span=item.span)(
                lambda view, scope: item.build(self.ask(view, scope)))
        else:
            self.exports.table(item.id, item.title_key, params=item.params, title=title, note=note,
                               capped=item.capped)(
                lambda view, scope, **params: (item.export_table or item.table)(self.ask(view, scope), **params))

    def in_view(self, fn: Callable | None) -> Callable | None:
        """An export's `(view, scope) -> …` from a page's `(ask) -> …`."""
        return None if fn is None else lambda view, scope: fn(self.ask(view, scope))

    def render(self, *items: Item, cached: bool = True, inputs: dict[str, tuple[str, str]] | None = None) -> Callable:
        """One callback answering every output of `items` from the page's view; a record-level grid
        among them makes it refuse roles without `records`. `inputs`: controls outside the URL, by the
        choice they give (`fn(search, *values)`; the items read them as `ask.get(name)`)."""
        for item in items:
            self.declare(item)
        outputs = [Output(i, prop) for item in items for i, prop in item.outputs()]
        names = list(inputs or {})

        def answer(search, *controls):
            ask = self.ask_from(search)
            if names:
                ask = Ask(ask.view, ask.scope, {**ask.choices, **dict(zip(names, controls))})
            values = [v for item in items for v in item.answer(ask)]
            return values[0] if len(values) == 1 else tuple(values)

        _name(answer, self.module, "render_" + "_".join(item.id for item in items))
        fn = cached_output(answer) if cached else answer
        if any(isinstance(item, Grid) and item.records for item in items):
            fn = record_level(fn)
        return callback(*outputs, Input(self.store, "data"), *[Input(i, p) for i, p in (inputs or {}).values()])(fn)

    def to_url(self, *inputs: tuple[str, str], records: bool = False) -> Callable:
        """Decorate `fn(*values, search) -> query string | no_update`: a control that rewrites the URL."""
        def register(fn):
            fn = record_level(fn) if records else fn
            return to_url(*[Input(i, p) for i, p in inputs], State(self.store, "data"))(fn)
        return register

    def drill(self, *drills: Drill, name: str = "drill") -> Callable:
        """One callback from the declared clicks to the URL: `fn(*clicks, search)`; the click that
        fired gives its value, and its `to` the query string (None, or no value: nothing changes)."""
        by_source = {d.source: d for d in drills}

        def follow(*args):
            *clicks, search = args
            trigger = dash.ctx.triggered_id if len(drills) > 1 else drills[0].source
            d = by_source.get(trigger)
            if d is None:
                return no_update
            value = (d.value or clicked)(clicks[drills.index(d)])
            if value is None:
                return no_update
            query = d.to(value, self.ask_from(search))
            return no_update if query is None or query == "" else query

        _name(follow, self.module, name)
        return self.to_url(*[(d.source, d.prop) for d in drills])(follow)


def rows_line(ask: Ask, total: int, shown: int, key: str, all_key: str | None = None, **values) -> str:
    """A capped grid's count line: `key` (with `total` and `shown`) and what its exports hold when it
    shows fewer rows than the view has; otherwise `all_key` (or `key`) alone."""
    values = {"total": f"{total:,}", "shown": f"{shown:,}", **values}
    if total > shown:
        return with_export_rows(t(key, ask.lang, **values), ask.lang, total)
    return t(all_key or key, ask.lang, **values)


def _name(fn, module: str, name: str) -> None:
    """Name a generated callback after its page and outputs: cached answers are keyed by the name."""
    fn.__module__, fn.__name__, fn.__qualname__ = module, name, name
