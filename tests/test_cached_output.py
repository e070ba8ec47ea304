"""Callback outputs are cached per warehouse version, day and user scope, never across them."""
from __future__ import annotations

import os

import pytest

from dashboard.components import cached as cached_module
from dashboard.queries import db
from dashboard.refusals import NotSignedIn
from dashboard.session import acting_as
from tests.builders.accounts import make_user

pytestmark = pytest.mark.usefixtures("as_admin")  # callbacks need a signed-in user


@pytest.fixture(autouse=True)
def _restore_warehouse():
    """These tests point the query layer at throwaway warehouses; later tests get theirs back."""
    saved = db._state["warehouse"]
    yield
    db._state["warehouse"] = saved
    db.clear_cache()


def _counting(calls):
    @cached_module.cached_output
    def render(search):
        calls.append(search)
        return {"search": search, "n": len(calls)}
    return render


def test_a_repeated_view_is_answered_from_the_cache(tmp_path, monkeypatch):
    path = _warehouse(tmp_path)
    db.configure(path)
    calls = []
    render = _counting(calls)
    assert render("?period=last_week") == render("?period=last_week")
    assert calls == ["?period=last_week"]


def test_another_view_is_computed_afresh(tmp_path):
    db.configure(_warehouse(tmp_path))
    calls = []
    render = _counting(calls)
    render("?period=last_week")
    render("?period=this_month")
    assert calls == ["?period=last_week", "?period=this_month"]


def test_a_newly_published_warehouse_is_never_answered_from_the_old_cache(tmp_path):
    path = _warehouse(tmp_path)
    db.configure(path)
    calls = []
    render = _counting(calls)
    render("?period=last_week")
    replacement = tmp_path / "next.duckdb"
    _warehouse(tmp_path, replacement)
    os.replace(replacement, path)  # what a load's publish does
    render("?period=last_week")
    assert len(calls) == 2


def test_another_user_scope_never_reads_a_wider_answer(tmp_path):
    db.configure(_warehouse(tmp_path))
    calls = []
    render = _counting(calls)
    with acting_as(make_user("leader")):
        render("?period=last_week")
    with acting_as(make_user("unit", "YL0003")):
        render("?period=last_week")
    with acting_as(make_user("unit", "YL0004")):
        render("?period=last_week")
    assert len(calls) == 3


def test_another_role_with_the_same_scope_is_computed_afresh(tmp_path):
    db.configure(_warehouse(tmp_path))
    calls = []
    render = _counting(calls)
    with acting_as(make_user("leader")):
        render("?period=last_week")
    with acting_as(make_user("publicity")):
        render("?period=last_week")
    assert len(calls) == 2


def test_nobody_signed_in_gets_no_answer_not_even_a_cached_one(tmp_path):
    db.configure(_warehouse(tmp_path))
    calls = []
    render = _counting(calls)
    render("?period=last_week")
    with acting_as(None), pytest.raises(NotSignedIn):
        render("?period=last_week")
    assert len(calls) == 1


def test_tomorrow_a_preset_period_is_computed_afresh(tmp_path, monkeypatch):
    db.configure(_warehouse(tmp_path))
    calls = []
    render = _counting(calls)
    monkeypatch.setattr(cached_module, "today", lambda: __import__("datetime").date(2026, 11, 23))
    render("?period=last_week")
    monkeypatch.setattr(cached_module, "today", lambda: __import__("datetime").date(2026, 11, 30))
    render("?period=last_week")
    assert len(calls) == 2


def _warehouse(tmp_path, path=None):
    import duckdb

    path = path or tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table meta (key varchar, value varchar)")
    con.execute("insert into meta values ('made', $v)", {"v": str(path)})
    con.close()
    return path


def test_callback_answers_are_kept_in_their_own_cache_not_the_query_cache(tmp_path):
    db.configure(_warehouse(tmp_path))
    render = _counting([])
    render("?period=last_week")
    assert len(cached_module.ANSWERS) == 1 and len(db.QUERIES) == 0


def test_an_export_chart_is_kept_in_the_export_chart_cache(tmp_path):
    import datetime as dt
    from types import SimpleNamespace

    from dashboard.exports import charts
    from dashboard.model.filters import Scope
    from dashboard.state import parse_view

    db.configure(_warehouse(tmp_path))
    builds = []
    spec = SimpleNamespace(chart_id="incidents.trend", build=lambda view, scope: builds.append(view) or {"n": 1})
    view = parse_view({"period": "last_week"}, today=dt.date(2026, 11, 23))
    assert charts.chart_figure(spec, view, Scope.city()) == charts.chart_figure(spec, view, Scope.city())
    assert len(builds) == 1
    assert len(charts.EXPORT_CHARTS) == 1 and len(cached_module.ANSWERS) == 0 and len(db.QUERIES) == 0


def test_each_purpose_has_its_own_named_cache():
    from dashboard.briefing import compose
    from dashboard.exports import charts

    caches = {db.QUERIES, cached_module.ANSWERS, charts.EXPORT_CHARTS, compose.BRIEFINGS}
    assert len(caches) == 4
    assert {c.name for c in caches} == {"query results", "callback answers", "export charts", "briefings"}
    assert all(c in db.VersionedCache.every for c in caches)
