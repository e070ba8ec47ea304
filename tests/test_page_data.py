"""The Data page: load log, per-file results, quarantine with PII masked, freshness.

Most tests read the session's demo warehouse. Statuses other than committed,
PII in quarantine and a refused batch need a clerk's history of their own:
`clerk_db` loads a few small files with known problems, a refused batch and
an interrupted attempt into a warehouse of this module, and `on_clerk_db`
points the query layer at it for one test (and back at the demo after).
Loads run at wall-clock time, so periods here are built around the real today.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl

import pandas as pd
import pytest
from dash import no_update

from tests.conftest import REFERENCE_AREAS, REFERENCE_UNITS, rec, write_records
from tests.dashboard_fixtures import demo_db  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("as_admin")  # callbacks need a signed-in user

PHONE = "13912345678"
VOTER = "wx-secret-voter-77"


def _around_now() -> str:
    day = dt.date.today()
    return f"?period=custom&start={day - dt.timedelta(days=1)}&end={day + dt.timedelta(days=1)}"


def _filters():
    from dashboard.model.filters import Filters
    day = dt.date.today()
    return Filters(day - dt.timedelta(days=1), day + dt.timedelta(days=1))


@pytest.fixture(scope="module")
def clerk_db(tmp_path_factory):
    from etl.errors import BatchRefused
    from etl.loader import load_batch
    from warehouse.connection import journal_append

    root = tmp_path_factory.mktemp("clerk")
    db_path = root / "w.duckdb"
    inbox = root / "inbox"
    inbox.mkdir()
    # An attempt killed before it finished: the next committed load logs it as interrupted.
    journal_append(db_path, {"batch_id": "19990101T000000-dead01", "user": "clerk", "host": "pc",
                             "files": ["a.csv"], "event": "started", "at": dt.datetime.now()})
    # A refused batch leaves only a journal entry; the next load logs it too.
    with pytest.raises(BatchRefused):
        load_batch(db_path, [write_records(inbox / "unknown_stuff.csv", "units", REFERENCE_UNITS)], user="clerk")
    bad_survey = rec("surveys", response_id="Q02", channel="微博", comment=f"请回电 {PHONE}", phone=PHONE)
    votes = inbox / "votes_2021.csv"
    votes.write_text("vote_id,nomination_id,voted_at,channel,voter_key\n"
                     f'V09,N01,"2021-06-02 09:00,微信,{VOTER}\n', encoding="utf-8")
    load_batch(db_path, [
        write_records(inbox / "units.csv", "units", REFERENCE_UNITS),
        write_records(inbox / "scenic_areas.csv", "scenic_areas", REFERENCE_AREAS),
        write_records(inbox / "officers.csv", "officers", [rec("officers", phone=PHONE, gender="X")]),
        write_records(inbox / "surveys_2021.csv", "surveys", [rec("surveys"), bad_survey]),
        votes,
    ], user="clerk")
    return db_path


@pytest.fixture
def on_clerk_db(clerk_db, demo_db):  # noqa: F811
    from dashboard.queries import db
    db.configure(clerk_db)
    yield clerk_db
    db.configure(demo_db)


@pytest.fixture(scope="module")
def page(demo_db):  # noqa: F811
    from dashboard.app import create_app
    create_app(demo_db)
    from dashboard.pages import data as module
    return module


# ---- queries ----------------------------------------------------------------------------------

def test_freshness_lists_every_record_type_in_load_order(demo_db):  # noqa: F811
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    from warehouse.record_types import RECORD_TYPES
    df = q.freshness(Scope.city(), dt.date(2026, 11, 23))
    assert list(df["record_type"]) == [rt.name for rt in RECORD_TYPES]
    units = df.set_index("record_type").loc["units"]
    assert units["kind"] == "reference" and units["n_rows"] > 0 and pd.isna(units["latest"])


def test_freshness_counts_agree_with_the_catalog(demo_db):  # noqa: F811
    from dashboard.model.filters import Filters, Scope
    from dashboard.queries import data as q
    from dashboard.queries.kpis import metric_values
    from dashboard.queries.reference import latest_record_day
    df = q.freshness(Scope.city(), dt.date(2026, 11, 23)).set_index("record_type")
    everything = Filters(dt.date(2000, 1, 1), dt.date(2026, 11, 23))
    total = metric_values(everything, Scope.city(), ["incidents.total"])["incidents.total"].value
    assert df.loc["incidents", "n_rows"] == total
    assert df.loc["incidents", "latest"].date() == latest_record_day()


def test_freshness_turns_flow_types_amber_then_red_and_never_colours_stock(demo_db):  # noqa: F811
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    latest = q.freshness(Scope.city(), dt.date(2026, 11, 23)).set_index("record_type").loc["incidents", "latest"]
    amber = q.freshness(Scope.city(), latest.date() + dt.timedelta(days=q.STALE_AMBER_DAYS + 1)).set_index("record_type")
    red = q.freshness(Scope.city(), latest.date() + dt.timedelta(days=q.STALE_RED_DAYS + 1)).set_index("record_type")
    assert amber.loc["incidents", "status"] == "amber" and red.loc["incidents", "status"] == "red"
    assert red.loc[["units", "posts", "officers", "teams", "nominations"], "status"].isna().all()


def test_load_log_is_newest_first_with_every_status(on_clerk_db):
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    df = q.load_log(_filters(), Scope.city())
    assert set(df["status"]) == {"committed", "refused", "interrupted"}
    assert list(df["started_at"]) == sorted(df["started_at"], reverse=True)


def test_load_log_message_comes_in_chinese_and_in_english(on_clerk_db):
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    row = q.load_log(_filters(), Scope.city()).set_index("status").loc["interrupted"]
    assert row["message_zh"] == "加载中断（进程被终止）" and row["message_en"] == "load interrupted (process killed)"


@pytest.mark.parametrize("lang, message", [("zh", "加载中断（进程被终止）"), ("en", "load interrupted (process killed)")])
def test_the_load_log_table_shows_the_message_in_the_ui_language(page, on_clerk_db, lang, message):
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    rows = page.log_rows(q.load_log(_filters(), Scope.city()), None, lang)
    assert [r["message"] for r in rows if r["status"] == "interrupted"] == [message]


def test_files_balance_and_add_up_to_the_load_totals(demo_db):  # noqa: F811
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    files = q.load_files(_filters(), Scope.city())
    totals = q.load_totals(_filters(), Scope.city())
    assert files["balanced"].all()
    assert files["rows"].sum() == totals["rows"] and files["quarantined"].sum() == totals["quarantined"]


def test_quarantine_total_equals_the_quarantined_rows_of_the_load_log(demo_db):  # noqa: F811
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    total = q.quarantine_total(_filters(), Scope.city())
    assert total > 0 and total == q.load_totals(_filters(), Scope.city())["quarantined"]


def test_period_selects_batches_by_their_start_time(demo_db):  # noqa: F811
    from dashboard.model.filters import Filters, Scope
    from dashboard.queries import data as q
    old = Filters(dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    assert q.load_log(old, Scope.city()).empty and q.quarantine_total(old, Scope.city()) == 0


def test_quarantine_rows_filter_by_file_and_reason(demo_db):  # noqa: F811
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    reasons = q.quarantine_reasons(_filters(), Scope.city())
    top = reasons.iloc[0]
    rows = q.quarantine_rows(_filters(), Scope.city(), reason=top["reason"])
    assert set(rows["reason"]) == {top["reason"]} and len(rows) == top["problems"]
    path = rows["file_path"].iloc[0]
    narrowed = q.quarantine_rows(_filters(), Scope.city(), file=path, reason=top["reason"])
    assert set(narrowed["file_path"]) == {path} and len(narrowed) <= len(rows)


def test_pii_in_quarantine_is_masked(on_clerk_db):
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    df = q.quarantine_rows(_filters(), Scope.city(), masked="已脱敏")
    text = " ".join(map(str, df.to_numpy().ravel()))
    assert PHONE not in text and VOTER not in text
    malformed = df[df["reason"] == "malformed"]
    assert list(malformed["raw_value"]) == ["已脱敏"]
    survey = df[df["record_type"] == "surveys"].iloc[0]
    assert '"phone":"已脱敏"' in survey["raw_record"] and "139****5678" in survey["raw_record"]


def test_a_unit_scope_sees_no_bookkeeping(on_clerk_db):
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    unit = Scope("P01")
    assert q.load_log(_filters(), unit).empty and q.quarantine_rows(_filters(), unit).empty
    assert q.freshness(unit, dt.date.today()).empty and q.batch_ids(unit) == set()


# ---- figures ----------------------------------------------------------------------------------

def test_reason_figure_has_a_labelled_bar_per_reason_in_its_fixed_colour(demo_db):  # noqa: F811
    from dashboard.figures.data import quarantine_reasons_figure
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    from dashboard.theme import color_of
    reasons = q.quarantine_reasons(_filters(), Scope.city())
    fig = quarantine_reasons_figure(reasons, q.quarantine_total(_filters(), Scope.city()), "en")
    bar = fig.data[0]
    assert len(bar.y) == len(reasons) and list(bar.marker.color) == [color_of(r) for r in reasons["reason"]]
    assert list(bar.text) == [f"{n:,}" for n in reasons["n_rows"]] and "rows quarantined" in fig.layout.title.text


def test_reason_figure_without_rows_says_so(demo_db):  # noqa: F811
    from dashboard.figures.data import quarantine_reasons_figure
    fig = quarantine_reasons_figure(pd.DataFrame(columns=["reason", "n_rows", "problems"]), 0, "zh")
    assert not fig.data and fig.layout.annotations[0].text == "没有被隔离的行"


# ---- callbacks --------------------------------------------------------------------------------

def test_render_log_labels_statuses_and_marks_the_selected_batch(page, on_clerk_db):
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    batch = q.load_log(_filters(), Scope.city()).query("status == 'refused'")["batch_id"].iloc[0]
    _, rows, _ = page.render_log(_around_now() + f"&q={batch}&lang=en")
    selected = [r for r in rows if r["selected"]]
    assert [r["batch_id"] for r in selected] == [batch] and selected[0]["status_label"] == "Refused"


def test_clicking_a_batch_puts_it_in_the_url(page, demo_db):  # noqa: F811
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    batch = sorted(q.batch_ids(Scope.city()))[0]
    assert page.select_batch({"rowId": batch}, "?lang=en") == f"?lang=en&q={batch}"
    assert page.select_batch({"rowId": batch}, "?period=this_month&lang=en") == \
        f"?period=this_month&lang=en&q={batch}"


def test_clicking_an_unknown_batch_is_refused(page, demo_db):  # noqa: F811
    assert page.select_batch({"rowId": "'; drop table load_log; --"}, "?") is no_update
    assert page.select_batch(None, "?") is no_update


def test_an_unknown_batch_posted_in_the_view_is_refused(page, demo_db):  # noqa: F811
    from dashboard.refusals import InvalidInput
    with pytest.raises(InvalidInput, match="q=20990101T000000-nothere"):
        page.render_files(_around_now() + "&q=20990101T000000-nothere")
    _, rows, title, info = page.render_files(_around_now())
    assert title == "本期各批次的文件结果" and info is None and rows


def test_files_of_a_refused_batch_say_nothing_was_loaded(page, on_clerk_db):
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    batch = q.load_log(_filters(), Scope.city()).query("status == 'refused'")["batch_id"].iloc[0]
    _, rows, title, info = page.render_files(f"?q={batch}")
    assert rows == [] and batch in title and "没有导入任何文件" in str(info)


def test_quarantine_rows_ignore_a_posted_file_or_reason_the_view_does_not_offer(page, demo_db):  # noqa: F811
    _, all_rows, _ = page.render_quarantine_rows(_around_now(), None, None)
    _, rows, _ = page.render_quarantine_rows(_around_now(), "/etc/passwd", "nonsense")
    assert len(rows) == len(all_rows) > 0


def test_a_reason_bar_click_sets_the_reason_filter(page, demo_db):  # noqa: F811
    assert page.reason_from_chart({"points": [{"customdata": ["duplicate", 3]}]}) == "duplicate"
    assert page.reason_from_chart({"points": [{"customdata": ["<script>", 3]}]}) is no_update


def test_layout_says_the_unit_and_area_filters_do_not_apply(page, demo_db):  # noqa: F811
    from dashboard.model.filters import Scope
    from dashboard.queries import reference
    unit = reference.units(Scope.city())["unit_code"].iloc[-1]
    text = str(page.layout(unit=unit, lang="en"))
    assert "do not apply" in text and "Filters ignored here" in text


def test_the_unit_filter_does_not_change_the_load_log(page, demo_db):  # noqa: F811
    from dashboard.model.filters import Scope
    from dashboard.queries import reference
    unit = reference.units(Scope.city())["unit_code"].iloc[-1]
    assert page.render_log(_around_now() + f"&unit={unit}")[1] == page.render_log(_around_now())[1]


# ---- the page's own default period --------------------------------------------------------------

def test_the_default_period_holds_the_latest_batches_even_when_today_is_pinned_before_them(demo_db):  # noqa: F811
    """Loads are stamped by the wall clock; today is pinned to 2026-11-23: the window reaches the load."""
    from dashboard.clock import today
    from dashboard.model.filters import Filters, Scope
    from dashboard.queries import data as q
    start, end = q.recent_window(Scope.city(), today())
    assert start <= today() - dt.timedelta(days=q.RECENT_DAYS - 1) and end >= dt.date.today()
    assert not q.load_log(Filters(start, end), Scope.city()).empty


def test_the_default_period_reaches_back_to_the_latest_batches(on_clerk_db):
    """A month without loads (the 1st of the next month, say) still shows the last ones."""
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    later = dt.date.today() + dt.timedelta(days=400)
    start, end = q.recent_window(Scope.city(), later)
    assert start <= dt.date.today() and end == later


def test_without_a_period_in_the_url_the_page_shows_the_latest_batches_not_this_month(page, demo_db):  # noqa: F811
    """Today is pinned to 2026-11-23, the session's load ran by the wall clock: whatever month that
    is, the page without a period lists it."""
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    _, rows, totals = page.render_log("?")
    assert {r["batch_id"] for r in rows} == q.batch_ids(Scope.city()) and rows
    assert "本期共" in str(totals)
    assert page.render_quarantine_rows("?", None, None)[1]


def test_the_layout_without_a_period_says_it_shows_the_latest_batches(page, demo_db):  # noqa: F811
    from dash import dcc
    from dashboard.clock import today
    from dashboard.model.filters import Scope
    from dashboard.queries import data as q
    layout = page.layout(lang="en")
    assert "at least the latest" in str(layout)
    store = next(c for c in layout._traverse() if isinstance(c, dcc.Store) and c.id == page.VIEW)
    start, end = q.recent_window(Scope.city(), today())
    assert dict(parse_qsl(store.data.lstrip("?"))) == {"period": "custom", "start": str(start), "end": str(end),
                                                       "lang": "en"}
    assert "at least the latest" not in str(page.layout(period="this_month", lang="en"))


def test_a_period_set_in_the_url_is_the_pages_period(page, demo_db):  # noqa: F811
    view = page._view("?period=custom&start=2020-01-01&end=2020-01-31", _city())
    assert (view.start, view.end) == (dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    assert page.render_log("?period=custom&start=2020-01-01&end=2020-01-31")[1] == []


def test_links_within_the_page_keep_the_default_period_out_of_the_url(page, demo_db):  # noqa: F811
    """So it does not follow the person to the other pages as a custom period."""
    scope = _city()
    default = page._view("?lang=en", scope)
    assert page.page_query(default, scope, q="B1") == "?lang=en&q=B1"
    chosen = page._view("?period=this_year", scope)
    assert page.page_query(chosen, scope, q="B1") == "?period=this_year&q=B1"


def test_quarantined_file_names_values_and_messages_wrap_instead_of_being_cut(page):
    columns = {c["field"]: c for c in page.quarantine_columns("zh")}
    for field in ("file", "raw_value", "message", "reason_label"):
        assert columns[field].get("wrapText") and columns[field].get("autoHeight"), field
    assert columns["file"]["minWidth"] >= 200


def _city():
    from dashboard.model.filters import Scope
    return Scope.city()
