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
from dash import dcc, html, no_update

from dashboard.components.bind import kpis_of
from dashboard.components.declare import Chart, Drill, Grid, Kpis, Text
from dashboard.components.filter_bar import dropdown_labels
from dashboard.components.grid import number_format
from dashboard.components.kpi import plain_card
from dashboard.components.page_kit import Page
from dashboard.exports.tables import Table
from dashboard.figures import nominations as figs
from dashboard.format import fmt_value
from dashboard.queries import nominations as q
from dashboard.queries.calendar import peak_bands
from dashboard.model.catalog import BY_ID
from dashboard.model.filters import Filters, Scope
from dashboard.state import View
from dashboard.text import t, value_label
from dashboard.theme import color_of
from warehouse.record_types import OUTCOMES, SELECTED, SHORTLISTED

dash.register_page(__name__, path="/nominations", name="nav.nominations", order=5,
                   title="最美旅游警察 · 旅游警务数据看板")

PAGE = "nominations"
CAMPAIGN, KPIS, RANKING, NOMINEES = (f"{PAGE}-{x}" for x in ("campaign", "kpis", "ranking", "nominees"))
TIME, TIME_TITLE, DETAIL = f"{PAGE}-time", f"{PAGE}-time-title", f"{PAGE}-detail"
CHANNEL, CHANNEL_TITLE, UNITS = f"{PAGE}-channel", f"{PAGE}-channel-title", f"{PAGE}-units"
TIME_MIN_HEIGHT = 300   # the votes per day chart is level with the ranking beside it, at least this tall
GRID_MAX = 440          # the nominee grid's height at most
CARD = "tpd-nom-card"   # no h-100: a Graph is height 100% of its parent, which must not stretch
CAMPAIGN_ARG = ("campaign",)
NOMINEE_ARGS = ("campaign", "nominee")      # the nominee whose votes are shown: `q=` in the URL


def allowed(scope: Scope) -> dict:
    """Page-level URL params: the campaigns in the warehouse, the nominees the scope may see."""
    return {"campaign": set(q.campaign_names()), "q": q.nominee_ids(scope)}


def nominee_row(filters: Filters, scope: Scope, campaign: str | None, person: str | None) -> dict | None:
    """The selected nominee's ranking row, if they are a nominee of this campaign in this view."""
    if not person or not campaign:
        return None
    df = q.ranking(filters, scope, campaign)
    found = df[df.person_id == person]
    return None if found.empty else found.iloc[0].to_dict()


def _row(ask) -> dict | None:
    return nominee_row(ask.filters, ask.scope, ask.get("campaign"), ask.get("nominee"))


def _describe(view: View, scope: Scope) -> list[str]:
    """The campaign, and the nominee whose votes are shown, if one is."""
    ask = P.ask(view, scope)
    campaign, row = ask.get("campaign"), _row(ask)
    parts = [t("nominations.campaign", view.lang) + ("：" if view.lang == "zh" else ": ") + campaign] if campaign else []
    if row:
        parts.append(f"{row['name']}（{row['unit_name']}）" if view.lang == "zh" else f"{row['name']} ({row['unit_name']})")
    return parts


P = Page(__name__, PAGE, default_period="this_year", allowed=allowed, describe=_describe,
         choices=lambda view, scope: {"campaign": view.get("campaign") or q.latest_campaign(), "nominee": view.get("q")})


def page_view(search: str | None, scope: Scope) -> tuple[View, str | None]:
    ask = P.ask(P.view_of(search, scope), scope)
    return ask.view, ask.get("campaign")


def kpi_card(metric_id, figures, ask, card_id) -> dbc.Card | None:
    """"Selected" while the campaign's outcomes are pending: said in words, with nothing to compare."""
    if metric_id == "nominations.selected" and q.outcomes_pending(ask.get("campaign")):
        m = BY_ID[metric_id]
        return plain_card(m.zh if ask.lang == "zh" else m.en, t("nominations.pending", ask.lang),
                          t("nominations.pending_foot", ask.lang), card_id, "tpd-nom-pending")
    return None


def kpi_tail(figures, ask) -> list:
    """The repeat share, and which campaign the cards compare with."""
    lang, campaign = ask.lang, ask.get("campaign")
    share = q.repeat_share({m: f.now for m, f in figures.items()})
    foot = (t("nominations.repeat_share_foot", lang, n=f"{int(share.n):,}") if share.n
            else t("nominations.repeat_share_none", lang))
    prev = q.previous_campaign(campaign) if campaign else None
    note = t("nominations.compare_note", lang, prev=prev) if prev else t("nominations.compare_note_first", lang)
    return [dbc.Col(plain_card(t("nominations.repeat_share", lang), fmt_value("rate", share.value, lang), foot,
                               f"{PAGE}-kpi-share"), xs=12, md=4, xl=True),
            dbc.Col(html.Div(note, className="tpd-hint mb-0"), xs=12)]


def nominee_columns(lang: str) -> list[dict]:
    def col(field, key, **more):
        return {"field": field, "headerName": t(f"nominations.col.{key}", lang), **more}
    count_fmt = number_format(",")
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


def grid_height(rows: int) -> int:
    """The nominee grid as tall as its rows (a campaign may have two nominees in view), at most GRID_MAX."""
    return max(150, min(GRID_MAX, 60 + 42 * rows))


def time_figure(df, ask):
    """Votes per day; the axis covers the campaign's voting days within the period, not a year of empty days."""
    view, campaign = ask.view, ask.get("campaign")
    span = q.voting_span(campaign) if campaign else None
    start = max(view.start, span[0]) if span else view.start
    end = min(view.end, span[1]) if span else view.end
    if end < start:
        start, end = view.start, view.end
    ranked = q.ranking(ask.filters, ask.scope, campaign)
    level = max(TIME_MIN_HEIGHT, figs.ranking_height(int((ranked["valid"] > 0).sum())))
    fig = figs.votes_over_time_figure(df, peak_bands(Filters(start, end), ask.scope), start, end, ask.lang,
                                      height=level if not _row(ask) else level - 60)
    return fig.update_layout(height=320) if df.empty else fig


def _person(filters, scope, campaign, nominee) -> str | None:
    return (nominee_row(filters, scope, campaign, nominee) or {}).get("person_id")


def time_title(ask) -> str:
    row = _row(ask)
    return t("nominations.votes_of", ask.lang, name=row["name"]) if row else t("nominations.votes_over_time", ask.lang)


def channel_title(ask) -> str:
    row = _row(ask)
    return t("nominations.channel_of", ask.lang, name=row["name"]) if row else t("nominations.by_channel", ask.lang)


def time_detail(ask):
    row = _row(ask)
    return row and dbc.Alert([
        html.Span(t("nominations.viewing", ask.lang, name=row["name"], unit=row["unit_name"],
                    valid=f"{row['valid']:,}", repeat=f"{row['repeat']:,}") + " "),
        dcc.Link(t("nominations.show_all", ask.lang), href=ask.view.query(q=None), className="ms-1"),
        html.Div(row["reason"] or "", className="text-muted mt-1"),
    ], color="light", className="py-1 px-2 small mb-1")


def nominees_table(ask) -> Table:
    df = q.ranking(ask.filters, ask.scope, ask.get("campaign"))
    return Table(nominee_columns(ask.lang), nominee_rows(df, ask.lang))


RANKING_CHART = Chart(RANKING, "nominations.ranking", q.ranking, args=CAMPAIGN_ARG,
                      figure=lambda df, ask: figs.ranking_figure(df, ask.lang, highlight=ask.view.get("q")))
TIME_CHART = Chart(TIME, "nominations.votes_over_time", title=time_title, figure=time_figure, args=NOMINEE_ARGS,
                   data=lambda f, s, campaign, nominee: q.votes_by_day(f, s, campaign, _person(f, s, campaign, nominee)))
CHANNEL_CHART = Chart(CHANNEL, "nominations.by_channel", title=channel_title, args=NOMINEE_ARGS,
                      figure=lambda df, ask: figs.channel_figure(df, ask.lang),
                      data=lambda f, s, campaign, nominee: q.votes_by_channel(f, s, campaign,
                                                                             _person(f, s, campaign, nominee)))
UNITS_CHART = Chart(UNITS, "nominations.by_unit", q.nominations_by_unit, args=CAMPAIGN_ARG,
                    figure=lambda df, ask: figs.by_unit_figure(df, ask.lang))
NOMINEES_GRID = Grid(NOMINEES, "nominations.all_nominees", nominees_table, height=GRID_MAX, row_id="nomination_id")

render_kpis = P.render(Kpis(KPIS, kpis_of(q.campaign_kpis), q.HEADLINE, args=CAMPAIGN_ARG, card=kpi_card, tail=kpi_tail))
render_ranking = P.render(RANKING_CHART, NOMINEES_GRID, Text(NOMINEES, lambda ask: {
    "height": f"{grid_height(len(nominees_table(ask).rows))}px", "width": "100%"}, prop="style"))
render_time = P.render(TIME_CHART, Text(TIME_TITLE, time_title), Text(DETAIL, time_detail))
render_channel = P.render(CHANNEL_CHART, Text(CHANNEL_TITLE, channel_title))
render_units = P.render(UNITS_CHART)


def campaign_note(ask) -> list:
    lang, view, campaign = ask.lang, ask.view, ask.get("campaign")
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
    ask = P.layout_ask(kwargs)
    lang, view, campaign = ask.lang, ask.view, ask.get("campaign")
    options = [{"label": c, "value": c} for c in reversed(q.campaign_names())]
    return P.frame(
        ask,
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col(html.Label(t("nominations.campaign", lang), htmlFor=CAMPAIGN, className="fw-semibold mb-0"),
                    width="auto"),
            dbc.Col(dcc.Dropdown(id=CAMPAIGN, options=options, value=campaign, clearable=False, searchable=False,
                                 className="tpd-dropdown", labels=dropdown_labels(lang)), xs=12, md=3),
            dbc.Col(html.Div([html.Div(campaign_note(ask)), html.Div(t("nominations.rule", lang), className="text-muted")],
                             className="small"), xs=12, md=True),
        ], className="g-2 align-items-center"), className="py-2"), className="mb-2"),
        html.H2(t("nominations.flows_heading", lang, start=view.start.isoformat(), end=view.end.isoformat()),
                className="tpd-nom-section"),
        dcc.Loading(dbc.Row(id=KPIS, className="g-2 mb-2"), type="dot", delay_show=300),
        html.H2(t("nominations.campaign_heading", lang, campaign=campaign or "", end=view.end.isoformat(),
                  start=view.start.isoformat()), className="tpd-nom-section"),
        dbc.Row([
            dbc.Col(P.card(RANKING_CHART, ask, hint=t("nominations.ranking_hint", lang), cls=CARD), lg=6),
            dbc.Col(P.card(TIME_CHART, ask, html.Div(id=DETAIL), title_id=TIME_TITLE, cls=CARD), lg=6),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col(P.card(CHANNEL_CHART, ask, title_id=CHANNEL_TITLE, cls=CARD), lg=5),
            dbc.Col(P.card(UNITS_CHART, ask, hint=t("nominations.by_unit_hint", lang, end=view.end.isoformat()), cls=CARD),
                    lg=7),
        ], className="g-2 mb-2"),
        P.card(NOMINEES_GRID, ask, hint=t("nominations.ranking_hint", lang), cls=""),
    )


@P.to_url((CAMPAIGN, "value"))
def pick_campaign(campaign, search):
    """A new campaign keeps the period if it overlaps the campaign, else shows the whole campaign."""
    ask = P.ask_from(search)
    view = ask.view
    if not campaign or campaign == ask.get("campaign") or campaign not in q.campaign_names():
        return no_update
    first, last = q.campaign_span(campaign)
    if first <= view.end and last >= view.start:
        return view.query(campaign=campaign, q=None)
    return view.query(campaign=campaign, q=None, period="custom", start=first.isoformat(), end=last.isoformat())


def to_nominee(nomination, ask):
    """Show a nominee's votes (`q=person_id`); a second click clears it. The nomination must be one
    of this view's campaign nominees, else nothing changes."""
    df = q.ranking(ask.filters, ask.scope, ask.get("campaign"))
    found = df[df.nomination_id == nomination]
    if not found.empty:
        person = found.person_id.iloc[0]
        return ask.view.query(q=None if person == ask.get("nominee") else person)


def bar_nomination(click) -> str | None:
    """A nominee's bar: its y is the nomination id."""
    value = (((click or {}).get("points") or [{}])[0] or {}).get("y")
    return value if isinstance(value, str) and value else None


def to_unit(unit, ask):
    if unit != ask.view.unit and unit in q.by_unit_groups(ask.filters, ask.scope):
        return ask.view.query(unit=unit, area=None, q=None)


pick_nominee_bar = P.drill(Drill(RANKING, to_nominee, value=bar_nomination), name="pick_nominee_bar")
pick_nominee_row = P.drill(Drill(NOMINEES, to_nominee, prop="cellClicked"), name="pick_nominee_row")
drill_unit = P.drill(Drill(UNITS, to_unit), name="drill_unit")
