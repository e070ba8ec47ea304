"""最美旅游警察 Nominations: one campaign's tallies, ranking and votes.

The campaign selector (`campaign=`, default the latest campaign) defines the
records. Two views, each under a heading that says which it is: the period's
flows (KPI cards: nominees by nomination date, selected, valid and repeat
votes by voting time, the repeat share; while the campaign's outcomes are
pending, "selected" says so instead of showing 0 and a fall), and the
campaign as of the period's last day (the ranking by valid votes, top 20 as
bars and every nominee in a grid, repeat votes shown apart and never in the
tally; nominees by unit). Votes per day with peak periods shaded and votes
by channel. Clicking a nominee (`q=person_id`) shows their votes; clicking a
unit drills the page into it.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard.components.cached import cached_output
from dashboard.components.exports import card_head, chart_graph_config, chart_menu, table_menu
from dashboard.components.filter_bar import URL, dropdown_labels
from dashboard.components.grid import grid
from dashboard.components.kpi import kpi_card
from dashboard.components.page import page_frame, view_from_store
from dashboard.components.view import view_from_args
from dashboard.exports.registry import page_exports
from dashboard.exports.tables import Table
from dashboard.figures import nominations as figs
from dashboard.format import fmt_value
from dashboard.model.catalog import BY_ID
from dashboard.model.filters import Filters, Scope
from dashboard.queries import nominations as q
from dashboard.queries.calendar import peak_bands
from dashboard.session import current_scope
from dashboard.state import View
from dashboard.text import t, value_label
from dashboard.theme import color_of
from warehouse.record_types import OUTCOMES, SELECTED, SHORTLISTED

dash.register_page(__name__, path="/nominations", name="nav.nominations", order=5,
                   title="最美旅游警察 · 旅游警务数据看板")

PAGE = "nominations"
VIEW = f"{PAGE}-view"
CAMPAIGN = f"{PAGE}-campaign"
KPIS = f"{PAGE}-kpis"
RANKING = f"{PAGE}-ranking"
NOMINEES = f"{PAGE}-nominees"
TIME = f"{PAGE}-time"
TIME_TITLE = f"{PAGE}-time-title"
DETAIL = f"{PAGE}-detail"
CHANNEL = f"{PAGE}-channel"
CHANNEL_TITLE = f"{PAGE}-channel-title"
UNITS = f"{PAGE}-units"
DEFAULT_PERIOD = "this_year"
TIME_MIN_HEIGHT = 300   # the votes per day chart is level with the ranking beside it, at least this tall
GRID_MAX = 440          # the nominee grid's height at most
CARD = "tpd-nom-card"   # no h-100: a Graph is height 100% of its parent, which must not stretch


def allowed(scope: Scope) -> dict:
    """Page-level URL params: the campaigns in the warehouse, the nominees the scope may see."""
    return {"campaign": set(q.campaign_names()), "q": q.nominee_ids(scope)}


def campaign_of(view: View) -> str | None:
    return view.get("campaign") or q.latest_campaign()


def page_view(search: str | None, scope: Scope) -> tuple[View, str | None]:
    view = view_from_store(search, scope, DEFAULT_PERIOD, allowed(scope))
    return view, campaign_of(view)


def nominee_row(view: View, scope: Scope, campaign: str | None, person: str | None) -> dict | None:
    """The selected nominee's ranking row, if they are a nominee of this campaign in this view."""
    if not person or not campaign:
        return None
    df = q.ranking(view.filters, scope, campaign)
    found = df[df.person_id == person]
    return None if found.empty else found.iloc[0].to_dict()


def _describe(view: View, scope: Scope) -> list[str]:
    """The campaign, and the nominee whose votes are shown, if one is."""
    campaign = campaign_of(view)
    sep = "：" if view.lang == "zh" else ": "
    parts = [t("nominations.campaign", view.lang) + sep + campaign] if campaign else []
    row = nominee_row(view, scope, campaign, view.get("q"))
    if row:
        parts.append(f"{row['name']}（{row['unit_name']}）" if view.lang == "zh" else f"{row['name']} ({row['unit_name']})")
    return parts


EXPORTS = page_exports(PAGE, lambda search, scope: view_from_store(search, scope, DEFAULT_PERIOD, allowed(scope)),
                       describe=_describe)


def campaign_note(view: View, campaign: str | None) -> list:
    lang = view.lang
    if campaign is None:
        return [html.Span(t("nominations.no_campaign", lang))]
    parts = []
    span = q.campaign_span(campaign)
    if span:
        first, last = span
        key = "nominations.campaign_open" if q.outcomes_pending(campaign) else "nominations.campaign_span"
        parts.append(html.Span(t(key, lang, first=first.isoformat(), last=last.isoformat()) + " "))
        if first < view.start or last > view.end:
            parts += [html.Strong(t("nominations.not_covered", lang) + " ", className="tpd-nom-warn"),
                      dcc.Link(t("nominations.whole_campaign", lang),
                               href=view.query(period="custom", start=first.isoformat(), end=last.isoformat()))]
    return parts


def layout(**kwargs):
    scope = current_scope()
    view = view_from_args(kwargs, scope, DEFAULT_PERIOD, allowed(scope))
    lang = view.lang
    campaign = campaign_of(view)
    options = [{"label": c, "value": c} for c in reversed(q.campaign_names())]
    return page_frame(
        VIEW, view, scope, t("nav.nominations", lang),
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col(html.Label(t("nominations.campaign", lang), htmlFor=CAMPAIGN, className="fw-semibold mb-0"),
                    width="auto"),
            dbc.Col(dcc.Dropdown(id=CAMPAIGN, options=options, value=campaign, clearable=False,
                                 searchable=False, className="tpd-dropdown", labels=dropdown_labels(lang)), xs=12, md=3),
            dbc.Col(html.Div([html.Div(campaign_note(view, campaign)),
                              html.Div(t("nominations.rule", lang), className="text-muted")],
                             className="small"), xs=12, md=True),
        ], className="g-2 align-items-center"), className="py-2"), className="mb-2"),
        html.H2(t("nominations.flows_heading", lang, start=view.start.isoformat(), end=view.end.isoformat()),
                className="tpd-nom-section"),
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        html.H2(t("nominations.campaign_heading", lang, campaign=campaign or "", end=view.end.isoformat(),
                  start=view.start.isoformat()), className="tpd-nom-section"),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                card_head(t("nominations.ranking", lang), chart_menu(RANKING, view)),
                html.P(t("nominations.ranking_hint", lang), className="tpd-hint"),
                dcc.Graph(id=RANKING, config=chart_graph_config(t("nominations.ranking", lang), view)),
            ]), className=CARD), lg=6),
            dbc.Col(dbc.Card(dbc.CardBody([
                card_head(t("nominations.votes_over_time", lang), chart_menu(TIME, view), title_id=TIME_TITLE),
                html.Div(id=DETAIL),
                dcc.Graph(id=TIME, config=chart_graph_config(t("nominations.votes_over_time", lang), view)),
            ]), className=CARD), lg=6),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                card_head(t("nominations.by_channel", lang), chart_menu(CHANNEL, view), title_id=CHANNEL_TITLE),
                dcc.Graph(id=CHANNEL, config=chart_graph_config(t("nominations.by_channel", lang), view)),
            ]), className=CARD), lg=5),
            dbc.Col(dbc.Card(dbc.CardBody([
                card_head(t("nominations.by_unit", lang), chart_menu(UNITS, view)),
                html.P(t("nominations.by_unit_hint", lang, end=view.end.isoformat()), className="tpd-hint"),
                dcc.Graph(id=UNITS, config=chart_graph_config(t("nominations.by_unit", lang), view)),
            ]), className=CARD), lg=7),
        ], className="g-2 mb-2"),
        dbc.Card(dbc.CardBody([
            card_head(t("nominations.all_nominees", lang), table_menu(NOMINEES, view)),
            html.P(t("nominations.ranking_hint", lang), className="tpd-hint"),
            grid(NOMINEES, [], [], lang, height=GRID_MAX, row_id="nomination_id"),
        ])),
        pack=PAGE,
    )


def pending_card(metric_id: str, lang: str, card_id: str) -> dbc.Card:
    """A catalog figure whose outcome is not decided yet: said in words, with nothing to compare."""
    m = BY_ID[metric_id]
    return dbc.Card(dbc.CardBody([
        html.Span(m.zh if lang == "zh" else m.en, className="tpd-kpi-label"),
        html.Div(html.Span(t("nominations.pending", lang), className="tpd-kpi-value tpd-nom-pending")),
        html.Div(t("nominations.pending_foot", lang), className="tpd-kpi-foot"),
    ]), className="tpd-kpi h-100 tpd-kpi-none", id=card_id)


def repeat_share_card(values: dict, lang: str, card_id: str) -> dbc.Card:
    share = q.repeat_share(values)
    foot = (t("nominations.repeat_share_foot", lang, n=f"{int(share.n):,}") if share.n
            else t("nominations.repeat_share_none", lang))
    return dbc.Card(dbc.CardBody([
        html.Span(t("nominations.repeat_share", lang), className="tpd-kpi-label"),
        html.Div(html.Span(fmt_value("rate", share.value, lang), className="tpd-kpi-value")),
        html.Div(foot, className="tpd-kpi-foot"),
    ]), className="tpd-kpi h-100 tpd-kpi-none", id=card_id)


@callback(Output(KPIS, "children"), Input(VIEW, "data"))
@cached_output
def render_kpis(search):
    scope = current_scope()
    view, campaign = page_view(search, scope)
    lang = view.lang
    figures = q.campaign_kpis(view.filters, view.comparison, scope, campaign)
    pending = q.outcomes_pending(campaign)
    cards = [dbc.Col(pending_card(mid, lang, f"{PAGE}-kpi-{i}") if pending and mid == "nominations.selected"
                     else kpi_card(mid, figures[mid], lang, f"{PAGE}-kpi-{i}", view=view), xs=6, md=4, xl=True)
             for i, mid in enumerate(q.HEADLINE)]
    cards.append(dbc.Col(repeat_share_card({m: f.now for m, f in figures.items()}, lang, f"{PAGE}-kpi-share"),
                         xs=6, md=4, xl=True))
    prev = q.previous_campaign(campaign) if campaign else None
    note = (t("nominations.compare_note", lang, prev=prev) if prev
            else t("nominations.compare_note_first", lang))
    return cards + [dbc.Col(html.Div(note, className="tpd-hint mb-0"), xs=12)]


def nominee_columns(lang: str) -> list[dict]:
    def col(field, key, **more):
        return {"field": field, "headerName": t(f"nominations.col.{key}", lang), **more}
    count_fmt = {"function": "params.value == null ? '—' : d3.format(',')(params.value)"}
    outcome_style = {"styleConditions": [
        {"condition": f"params.value == {value_label(o, lang)!r}",
         "style": {"color": color_of(o), "fontWeight": 600 if o in (SELECTED, SHORTLISTED) else 400}}
        for o in OUTCOMES]}
    return [
        col("rank", "rank", type="numericColumn", maxWidth=96, minWidth=86, pinned="left", valueFormatter=count_fmt),
        col("name", "name", pinned="left", minWidth=90, cellClass="tpd-drill-cell"),
        col("unit_name", "unit", minWidth=130),
        col("person_type", "person_type", minWidth=100),
        col("nominated_by", "nominated_by", minWidth=100 if lang == "zh" else 140),
        col("nominated_on", "nominated_on", minWidth=110 if lang == "zh" else 125),
        col("outcome", "outcome", minWidth=90, cellStyle=outcome_style),
        col("valid", "valid", type="numericColumn", valueFormatter=count_fmt, minWidth=90, sort="desc"),
        col("repeat", "repeat", type="numericColumn", valueFormatter=count_fmt, minWidth=110,
            cellStyle={"color": "#6b7785"}),
        col("reason", "reason", minWidth=260, tooltipField="reason", flex=2),
    ]


def nominee_rows(df, lang: str) -> list[dict]:
    return [{
        "nomination_id": r.nomination_id, "rank": r.rank, "name": r.name, "unit_name": r.unit_name,
        "person_type": value_label(r.person_type, lang), "nominated_by": value_label(r.nominated_by, lang),
        "nominated_on": str(r.nominated_on)[:10],
        "outcome": value_label(r.outcome, lang), "valid": int(r.valid), "repeat": int(r.repeat),
        "reason": r.reason,
    } for r in df.itertuples()]


@EXPORTS.chart(RANKING, "nominations.ranking")
def ranking_chart(view: View, scope: Scope):
    df = q.ranking(view.filters, scope, campaign_of(view))
    return figs.ranking_figure(df, view.lang, highlight=view.get("q"))


@EXPORTS.table(NOMINEES, "nominations.all_nominees")
def nominees_table(view: View, scope: Scope) -> Table:
    df = q.ranking(view.filters, scope, campaign_of(view))
    return Table(nominee_columns(view.lang), nominee_rows(df, view.lang))


def grid_height(rows: int) -> int:
    """The nominee grid as tall as its rows (a campaign may have two nominees in view), at most GRID_MAX."""
    return max(150, min(GRID_MAX, 60 + 42 * rows))


@callback(Output(RANKING, "figure"), Output(NOMINEES, "columnDefs"), Output(NOMINEES, "rowData"),
          Output(NOMINEES, "style"), Input(VIEW, "data"))
@cached_output
def render_ranking(search):
    scope = current_scope()
    view, _ = page_view(search, scope)
    table = nominees_table(view, scope)
    style = {"height": f"{grid_height(len(table.rows))}px", "width": "100%"}
    return ranking_chart(view, scope), table.columns, table.rows, style


def _time_title(view: View, scope: Scope) -> str:
    row = nominee_row(view, scope, campaign_of(view), view.get("q"))
    return t("nominations.votes_of", view.lang, name=row["name"]) if row else t("nominations.votes_over_time", view.lang)


@EXPORTS.chart(TIME, "nominations.votes_over_time", title=_time_title)
def time_chart(view: View, scope: Scope):
    campaign = campaign_of(view)
    lang = view.lang
    row = nominee_row(view, scope, campaign, view.get("q"))
    person = row["person_id"] if row else None
    df = q.votes_by_day(view.filters, scope, campaign, person)
    # The axis covers the campaign's voting days within the period, not a year of empty days.
    span = q.voting_span(campaign) if campaign else None
    start = max(view.start, span[0]) if span else view.start
    end = min(view.end, span[1]) if span else view.end
    if end < start:
        start, end = view.start, view.end
    bands = peak_bands(Filters(start, end), scope)
    ranked = q.ranking(view.filters, scope, campaign)
    level = max(TIME_MIN_HEIGHT, figs.ranking_height(int((ranked["valid"] > 0).sum())))
    fig = figs.votes_over_time_figure(df, bands, start, end, lang, height=level if not row else level - 60)
    if df.empty:
        fig.update_layout(height=320)
    return fig


@callback(Output(TIME, "figure"), Output(TIME_TITLE, "children"), Output(DETAIL, "children"),
          Input(VIEW, "data"))
@cached_output
def render_time(search):
    scope = current_scope()
    view, campaign = page_view(search, scope)
    lang = view.lang
    row = nominee_row(view, scope, campaign, view.get("q"))
    fig = time_chart(view, scope)
    if not row:
        return fig, t("nominations.votes_over_time", lang), None
    detail = dbc.Alert([
        html.Span(t("nominations.viewing", lang, name=row["name"], unit=row["unit_name"],
                    valid=f"{row['valid']:,}", repeat=f"{row['repeat']:,}") + " "),
        dcc.Link(t("nominations.show_all", lang), href=view.query(q=None), className="ms-1"),
        html.Div(row["reason"] or "", className="text-muted mt-1"),
    ], color="light", className="py-1 px-2 small mb-1")
    return fig, t("nominations.votes_of", lang, name=row["name"]), detail


def _channel_title(view: View, scope: Scope) -> str:
    row = nominee_row(view, scope, campaign_of(view), view.get("q"))
    return t("nominations.channel_of", view.lang, name=row["name"]) if row else t("nominations.by_channel", view.lang)


@EXPORTS.chart(CHANNEL, "nominations.by_channel", title=_channel_title)
def channel_chart(view: View, scope: Scope):
    campaign = campaign_of(view)
    row = nominee_row(view, scope, campaign, view.get("q"))
    df = q.votes_by_channel(view.filters, scope, campaign, row["person_id"] if row else None)
    return figs.channel_figure(df, view.lang)


@EXPORTS.chart(UNITS, "nominations.by_unit")
def units_chart(view: View, scope: Scope):
    return figs.by_unit_figure(q.nominations_by_unit(view.filters, scope, campaign_of(view)), view.lang)


@callback(Output(CHANNEL, "figure"), Output(CHANNEL_TITLE, "children"), Input(VIEW, "data"))
@cached_output
def render_channel(search):
    scope = current_scope()
    view, _ = page_view(search, scope)
    return channel_chart(view, scope), _channel_title(view, scope)


@callback(Output(UNITS, "figure"), Input(VIEW, "data"))
@cached_output
def render_units(search):
    scope = current_scope()
    view, _ = page_view(search, scope)
    return units_chart(view, scope)


@callback(Output(URL, "search", allow_duplicate=True), Input(CAMPAIGN, "value"), State(VIEW, "data"),
          prevent_initial_call=True)
def pick_campaign(campaign, search):
    """A new campaign keeps the period if it overlaps the campaign, else shows the whole campaign."""
    scope = current_scope()
    view, current = page_view(search, scope)
    if not campaign or campaign == current or campaign not in q.campaign_names():
        return no_update
    first, last = q.campaign_span(campaign)
    if first <= view.end and last >= view.start:
        return view.query(campaign=campaign, q=None)
    return view.query(campaign=campaign, q=None, period="custom", start=first.isoformat(), end=last.isoformat())


def nominee_query(nomination: str | None, search: str | None):
    """The query string that shows a nominee's votes (`q=person_id`); a second click clears it.
    The nomination must be one of this view's campaign nominees, else nothing changes."""
    if not nomination or not isinstance(nomination, str):
        return no_update
    scope = current_scope()
    view, campaign = page_view(search, scope)
    df = q.ranking(view.filters, scope, campaign)
    found = df[df.nomination_id == nomination]
    if found.empty:
        return no_update
    person = found.person_id.iloc[0]
    return view.query(q=None if person == view.get("q") else person)


@callback(Output(URL, "search", allow_duplicate=True), Input(RANKING, "clickData"), State(VIEW, "data"),
          prevent_initial_call=True)
def pick_nominee_bar(click, search):
    """A click on a nominee's bar (its y is the nomination id) shows their votes."""
    points = (click or {}).get("points") or [{}]
    return nominee_query(points[0].get("y"), search)


@callback(Output(URL, "search", allow_duplicate=True), Input(NOMINEES, "cellClicked"), State(VIEW, "data"),
          prevent_initial_call=True)
def pick_nominee_row(click, search):
    """A click on a nominee's row (its row id is the nomination id) shows their votes."""
    return nominee_query((click or {}).get("rowId"), search)


@callback(Output(URL, "search", allow_duplicate=True), Input(UNITS, "clickData"), State(VIEW, "data"),
          prevent_initial_call=True)
def drill_unit(click, search):
    """A click on a unit's bar narrows the whole page to that unit."""
    points = (click or {}).get("points") or [{}]
    custom = points[0].get("customdata") or [None]
    unit = custom[0] if isinstance(custom, list) else None
    scope = current_scope()
    view, _ = page_view(search, scope)
    if not unit or unit == view.unit or unit not in q.by_unit_groups(view.filters, scope):
        return no_update
    return view.query(unit=unit, area=None, q=None)
