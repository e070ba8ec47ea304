"""The 最美旅游警察 Nominations page: its queries, figures and callbacks on the demo warehouse."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, quote

import pytest
from dash import no_update

from dashboard.model.filters import Filters, Scope
from dashboard.privacy import mask_sql
from dashboard.queries import db
from dashboard.queries import nominations as q
from dashboard.queries.kpis import metric_values
from dashboard.refusals import InvalidInput
from tests.dashboard_fixtures import demo_db  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("as_admin")  # callbacks need a signed-in user

CITY = Scope.city()
WHOLE = Filters(dt.date(2024, 1, 1), dt.date(2026, 11, 23))
YEAR = Filters(dt.date(2026, 1, 1), dt.date(2026, 11, 23))


@pytest.fixture(scope="module")
def page(demo_db):  # noqa: F811
    from dashboard.app import create_app

    create_app(demo_db)
    from dashboard.pages import nominations as module
    return module


@pytest.fixture(scope="module")
def latest(demo_db):  # noqa: F811
    return q.latest_campaign()


def args(search: str) -> dict:
    return {k: v[0] for k, v in parse_qs(search.lstrip("?")).items()}


def a_unit_with_nominees(campaign: str) -> str:
    df = q.nominations_by_unit(WHOLE, CITY, campaign)
    return df[df.key.notna()].key.iloc[0]


# --- queries -------------------------------------------------------------------------------

def test_campaigns_are_listed_oldest_first_and_the_latest_is_the_default(demo_db):  # noqa: F811
    df = q.campaigns()
    assert list(df.columns[:3]) == ["campaign", "first_day", "last_day"]
    assert list(df.first_day) == sorted(df.first_day)
    assert q.latest_campaign() == df.campaign.iloc[-1]
    assert q.previous_campaign(df.campaign.iloc[0]) is None


def test_campaign_figures_add_up_to_the_catalog(demo_db):  # noqa: F811
    catalog = metric_values(WHOLE, CITY, q.HEADLINE)
    per_campaign = [q.campaign_metrics(WHOLE, CITY, c) for c in q.campaign_names()]
    for mid in q.HEADLINE:
        assert sum(v[mid].value for v in per_campaign) == catalog[mid].value


def test_ranking_tally_equals_valid_and_repeat_votes(latest):
    kpis = q.campaign_metrics(YEAR, CITY, latest)
    df = q.ranking(YEAR, CITY, latest)
    assert df.valid.sum() == kpis["votes.valid"].value
    assert df.repeat.sum() == kpis["votes.repeat"].value


def test_ranking_orders_by_valid_votes_and_ties_share_a_rank(latest):
    df = q.ranking(YEAR, CITY, latest)
    ranked = df[df["rank"].notna()]
    assert list(ranked.valid) == sorted(ranked.valid, reverse=True)
    assert ranked["rank"].iloc[0] == 1
    for valid, group in ranked.groupby("valid"):
        assert group["rank"].nunique() == 1
        assert group["rank"].iloc[0] == 1 + (ranked.valid > valid).sum()


def test_ranking_shows_the_reason_through_the_mask(latest, monkeypatch):
    seen = []
    real = db.frame
    monkeypatch.setattr(db, "frame", lambda sql, params=None: seen.append(sql) or real(sql, params))
    q.ranking(Filters(YEAR.start, YEAR.end, season="旺季"), CITY, latest)
    assert any(mask_sql("r.reason") in s for s in seen)
    assert not any("voter_key" in s for s in seen)


def test_votes_by_day_and_by_channel_add_up_to_the_catalog(latest):
    kpis = q.campaign_metrics(YEAR, CITY, latest)
    days = q.votes_by_day(YEAR, CITY, latest)
    channels = q.votes_by_channel(YEAR, CITY, latest)
    assert days.valid.sum() == channels.valid.sum() == kpis["votes.valid"].value
    assert days.repeat.sum() == channels.repeat.sum() == kpis["votes.repeat"].value
    assert list(channels.channel.dropna()) == [c for c in ("微信", "网页", "现场") if c in set(channels.channel)]


def test_votes_of_one_nominee_are_theirs_alone(latest):
    top = q.ranking(YEAR, CITY, latest).iloc[0]
    days = q.votes_by_day(YEAR, CITY, latest, top.person_id)
    assert days.valid.sum() == top.valid and days.repeat.sum() == top["repeat"]


def test_nominations_by_unit_add_up_to_the_totals(latest):
    kpis = q.campaign_metrics(YEAR, CITY, latest)
    df = q.nominations_by_unit(YEAR, CITY, latest)
    assert df.nominees.sum() == kpis["nominations.total"].value
    assert df.selected.sum() == kpis["nominations.selected"].value
    assert df.valid.sum() == kpis["votes.valid"].value
    assert df.direct.sum() <= 1


NOVEMBER = Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 23))


def test_ranking_and_units_show_the_campaigns_nominees_to_the_period_end(latest):
    nominated_by_end = q.campaign_metrics(Filters(dt.date(2000, 1, 1), NOVEMBER.end), CITY, latest)
    ranking = q.ranking(NOVEMBER, CITY, latest)
    by_unit = q.nominations_by_unit(NOVEMBER, CITY, latest)
    assert len(ranking) == by_unit.nominees.sum() == nominated_by_end["nominations.total"].value > 0
    assert by_unit.valid.sum() == ranking.valid.sum() == q.campaign_metrics(NOVEMBER, CITY, latest)["votes.valid"].value


def test_outcomes_are_pending_until_a_nominee_of_the_campaign_has_one(latest):
    decided = [c for c in q.campaign_names() if not q.outcomes_pending(c)]
    assert q.outcomes_pending(latest) and decided       # the demo's running campaign, and earlier ones
    assert q.outcomes_pending(None) is False


def test_unit_filter_narrows_every_query(latest):
    unit = a_unit_with_nominees(latest)
    narrow = Filters(WHOLE.start, WHOLE.end, unit=unit)
    kpis = q.campaign_metrics(narrow, CITY, latest)
    ranking = q.ranking(narrow, CITY, latest)
    assert 0 < kpis["nominations.total"].value < q.campaign_metrics(WHOLE, CITY, latest)["nominations.total"].value
    assert len(ranking) == kpis["nominations.total"].value
    assert ranking.valid.sum() == kpis["votes.valid"].value == q.votes_by_day(narrow, CITY, latest).valid.sum()


def test_scope_limits_what_a_unit_user_sees(latest):
    unit = a_unit_with_nominees(latest)
    scoped = q.ranking(WHOLE, Scope(unit), latest)
    assert set(scoped.person_id) == set(q.ranking(Filters(WHOLE.start, WHOLE.end, unit=unit), CITY, latest).person_id)
    assert q.nominee_ids(Scope(unit)) < q.nominee_ids(CITY)


def test_repeat_share_is_repeat_over_all_votes_with_its_n(latest):
    kpis = q.campaign_metrics(YEAR, CITY, latest)
    share = q.repeat_share(kpis)
    n = kpis["votes.valid"].value + kpis["votes.repeat"].value
    assert share.n == n and share.value == pytest.approx(kpis["votes.repeat"].value / n)
    empty = q.campaign_metrics(Filters(dt.date(2020, 1, 1), dt.date(2020, 1, 31)), CITY, latest)
    assert q.repeat_share(empty).value is None


# --- figures -------------------------------------------------------------------------------

def test_ranking_figure_shows_the_top_20_coloured_by_outcome(latest):
    from dashboard.figures.nominations import ranking_figure
    from dashboard.theme import color_of

    df = q.ranking(WHOLE, CITY, q.campaign_names()[0])
    fig = ranking_figure(df, "zh")
    assert sum(len(tr.x) for tr in fig.data) == min(20, (df.valid > 0).sum())
    for tr in fig.data:
        assert tr.marker.color == color_of(tr.name)
    assert "重复" in fig.data[0].text[0]


def test_figures_say_so_when_there_is_nothing(latest):
    from dashboard.figures import nominations as figs

    empty = Filters(dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    for fig in (figs.ranking_figure(q.ranking(empty, CITY, latest), "en"),
                figs.votes_over_time_figure(q.votes_by_day(empty, CITY, latest), [], empty.start, empty.end, "en"),
                figs.channel_figure(q.votes_by_channel(empty, CITY, latest), "en"),
                figs.by_unit_figure(q.nominations_by_unit(empty, CITY, latest), "en")):
        assert not fig.data and fig.layout.annotations[0].text.startswith("No records")


def test_votes_per_day_span_their_day_and_a_lone_day_is_a_bar_not_a_hairline(latest):
    from dashboard.figures import nominations as figs

    days = q.votes_by_day(YEAR, CITY, latest)
    many = figs.votes_over_time_figure(days, [], days.day.min().date(), days.day.max().date(), "zh")
    assert all(tr.xperiodalignment == "middle" and tr.width is None for tr in many.data)
    one_day = days.day.max().date()
    lone = figs.votes_over_time_figure(days.tail(1), [], one_day, one_day, "zh")
    assert all(tr.width == 0.7 * 24 * 3600 * 1000 for tr in lone.data)


def test_votes_figures_stack_valid_and_repeat_apart(latest):
    from dashboard.figures import nominations as figs

    days = figs.votes_over_time_figure(q.votes_by_day(YEAR, CITY, latest), [(dt.date(2026, 11, 1),
                                       dt.date(2026, 11, 3), "peak_deployment")], dt.date(2026, 11, 1), YEAR.end, "en")
    assert [tr.marker.color for tr in days.data] == [figs.VALID_COLOR, figs.REPEAT_COLOR]
    assert days.layout.barmode == "stack" and "not counted" in days.data[1].name
    assert days.layout.shapes  # the peak band
    channels = figs.channel_figure(q.votes_by_channel(YEAR, CITY, latest), "en")
    assert "WeChat" in channels.data[0].y and "n=" in channels.data[1].hovertemplate


def test_by_unit_figure_carries_unit_codes_for_the_drill(latest):
    from dashboard.figures.nominations import by_unit_figure

    df = q.nominations_by_unit(WHOLE, CITY, latest)
    fig = by_unit_figure(df, "zh")
    keys = [c[0] for c in fig.data[0].customdata]
    assert set(k for k in keys if k) == set(df.key.dropna())
    if df.direct.any():
        assert any(label.endswith("（本级）") for label in fig.data[0].y)


# --- callbacks -----------------------------------------------------------------------------

def test_kpis_render_four_catalog_cards_and_the_repeat_share(page):
    cards = page.render_kpis("?")
    ids = [c.children.id for c in cards[:5]]
    assert ids == [f"nominations-kpi-{i}" for i in range(4)] + ["nominations-kpi-share"]


def test_selected_card_says_pending_without_a_comparison_while_voting_runs(page):
    cards = page.render_kpis("?")
    selected = str(cards[1].children)
    assert "评选中" in selected and "环比" not in selected and "▼" not in selected


def test_page_names_the_period_flows_and_the_campaign_view(page, latest):
    text = str(page.layout(period="this_month"))
    assert "所选时间内（2026-11-01 至 2026-11-23）" in text and f"本届人选（{latest}，截至 2026-11-23" in text


def test_ranking_callback_fills_chart_and_grid(page, latest):
    fig, cols, rows, style = page.render_ranking("?")
    assert style["height"] == f"{page.grid_height(len(rows))}px"
    assert fig.data and rows and {"rank", "name", "valid", "repeat", "reason"} <= set(rows[0])
    assert sum(r["valid"] for r in rows) == q.campaign_metrics(YEAR, CITY, latest)["votes.valid"].value


def test_clicking_a_nominee_bar_shows_their_votes(page, latest):
    top = q.ranking(YEAR, CITY, latest).iloc[0]
    search = page.pick_nominee_bar({"points": [{"y": top.nomination_id}]}, "?")
    assert args(search)["q"] == top.person_id
    fig, title, detail = page.render_time(search)
    assert top["name"] in title and detail is not None
    assert sum(sum(tr.y) for tr in fig.data) == top.valid + top["repeat"]


def test_clicking_a_nominee_row_shows_their_votes_and_again_clears_it(page, latest):
    top = q.ranking(YEAR, CITY, latest).iloc[1]
    search = page.pick_nominee_row({"rowId": top.nomination_id, "colId": "name"}, "?")
    assert args(search)["q"] == top.person_id
    assert "q" not in args(page.pick_nominee_row({"rowId": top.nomination_id}, search))


def test_an_invented_nominee_is_refused(page):
    assert page.pick_nominee_bar({"points": [{"y": "ZM1999999"}]}, "?") is no_update
    assert page.pick_nominee_row({"rowId": ["not", "a", "string"]}, "?") is no_update
    with pytest.raises(InvalidInput, match="q=NOBODY"):
        page.render_time("?q=NOBODY")


def test_a_nominee_outside_the_drilled_unit_is_not_shown(page, latest):
    unit = a_unit_with_nominees(latest)
    outsider = q.ranking(YEAR, CITY, latest)
    outsider = outsider[~outsider.person_id.isin(q.ranking(Filters(YEAR.start, YEAR.end, unit=unit),
                                                           CITY, latest).person_id)].iloc[0]
    _, _, detail = page.render_time(f"?unit={unit}&q={outsider.person_id}")
    assert detail is None


def test_clicking_a_unit_drills_into_it(page, latest):
    unit = a_unit_with_nominees(latest)
    search = page.drill_unit({"points": [{"customdata": [unit, 1, 1, 0]}]}, "?")
    assert args(search) == {"period": "this_year", "unit": unit}


def test_a_unit_outside_the_chart_or_the_direct_row_is_refused(page):
    assert page.drill_unit({"points": [{"customdata": ["NOPE", 1, 1, 0]}]}, "?") is no_update
    assert page.drill_unit({"points": [{"customdata": ["", 1, 1, 0]}]}, "?") is no_update


def test_picking_a_campaign_outside_the_period_shows_the_whole_campaign(page, latest):
    older = q.campaign_names()[0]
    first, last = q.campaign_span(older)
    search = page.pick_campaign(older, "?")
    assert args(search) == {"period": "custom", "start": first.isoformat(), "end": last.isoformat(),
                            "campaign": older}
    assert page.pick_campaign("不存在的活动", "?") is no_update


def test_an_invalid_campaign_in_the_store_is_refused(page, latest):
    with pytest.raises(InvalidInput, match="campaign="):
        page.page_view(f"?campaign={quote('伪造活动')}", Scope.city())
    with pytest.raises(InvalidInput):
        page.render_ranking(f"?campaign={quote('伪造活动')}")
    view, campaign = page.page_view("?", Scope.city())
    assert campaign == latest and not view.invalid
