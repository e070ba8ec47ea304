"""Callback answers shared by the worker processes (dashboard.shared_answers).

Through the Flask test client, as the browser posts them: a shareable callback's
answer is kept in the file cache beside the warehouse, so the same request is
answered from it even when this process's own caches are empty (as in another
worker); the key holds the role, the scope, the day and the warehouse version;
refusals and callbacks that are not pure (the shell names the user) are never kept.
"""
from __future__ import annotations

import json

import pytest

from dashboard.queries import db
from dashboard.shared_answers import answer_key, cache_dir
from tests.builders.accounts import dash_test_client

KPIS = {"output": "overview-kpis.children", "outputs": {"id": "overview-kpis", "property": "children"},
        "inputs": [{"id": "overview-view", "property": "data", "value": "?period=last_week"}],
        "changedPropIds": ["overview-view.data"], "state": []}


@pytest.fixture(scope="module")
def app(demo_db):
    from dashboard.app import create_app
    return create_app(demo_db)


def _post(client, body):
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def _stored(demo_db) -> int:
    return sum(1 for p in cache_dir(demo_db).iterdir() if not p.name.startswith("__wz"))


def test_an_answer_is_kept_for_the_other_workers_and_answered_without_computing(app, demo_db, monkeypatch):
    client = dash_test_client(app)
    body = dict(KPIS, inputs=[{"id": "overview-view", "property": "data", "value": "?period=this_quarter"}])
    first = _post(client, body)
    assert first.status_code == 200
    db.clear_cache()   # this process forgets: what answers now is what another worker would read
    from dashboard.components import bind
    monkeypatch.setattr(bind, "kpi_figures", lambda *a, **k: pytest.fail("computed again"))
    again = _post(client, body)
    assert again.status_code == 200 and again.data == first.data


def test_a_role_that_may_see_more_or_another_scope_gets_its_own_answer(app, demo_db):
    from dashboard.auth.roles import answer_class
    from dashboard.model.filters import Scope
    from dashboard.queries import reference
    branch = reference.drill_children(None, Scope.city())[0]
    version, day = db.version(), "2026-11-23"
    keys = {answer_key(KPIS, version, day, answer_class(role), unit)
            for role, unit in (("leader", None), ("publicity", None), ("admin", None), ("unit", branch))}
    assert len(keys) == 4
    leader = answer_key(KPIS, version, day, answer_class("leader"), None)
    assert answer_key(KPIS, version, "2026-11-24", answer_class("leader"), None) != leader   # 上周 means other days tomorrow
    assert answer_key(KPIS, "another-version", day, answer_class("leader"), None) != leader
    unit_answer = _post(dash_test_client(app, "unit", branch), KPIS)
    city_answer = _post(dash_test_client(app, "leader"), KPIS)
    assert unit_answer.status_code == city_answer.status_code == 200
    assert unit_answer.data != city_answer.data


def test_roles_that_may_see_the_same_share_answers(app, demo_db, monkeypatch):
    """Leadership and public opinion both see the city with its records: one computes, the other reads."""
    from dashboard.components import bind
    body = dict(KPIS, inputs=[{"id": "overview-view", "property": "data", "value": "?period=this_year"}])
    first = _post(dash_test_client(app, "leader"), body)
    db.clear_cache()
    monkeypatch.setattr(bind, "kpi_figures", lambda *a, **k: pytest.fail("computed again"))
    again = _post(dash_test_client(app, "opinion"), body)
    assert first.status_code == again.status_code == 200 and again.data == first.data


def test_a_refusal_is_never_kept(app, demo_db):
    client = dash_test_client(app)
    before = _stored(demo_db)
    bad = dict(KPIS, inputs=[{"id": "overview-view", "property": "data", "value": "?period=never"}])
    assert _post(client, bad).status_code == 400
    assert _stored(demo_db) == before


def test_no_request_leaves_an_answer_locked(app, demo_db):
    """Answered or refused, a request lands its flight: the next one for the same answer waits for nobody."""
    import time
    client = dash_test_client(app)
    inflight = cache_dir(demo_db).with_name(cache_dir(demo_db).name + ".inflight")
    bad = dict(KPIS, inputs=[{"id": "overview-view", "property": "data", "value": "?period=someday"}])
    good = dict(KPIS, inputs=[{"id": "overview-view", "property": "data", "value": "?period=this_week"}])
    for body, status in ((bad, 400), (bad, 400), (good, 200)):
        t0 = time.monotonic()
        assert _post(client, body).status_code == status
        assert time.monotonic() - t0 < 10
    assert list(inflight.iterdir()) == []


def test_a_callback_that_is_not_a_pure_view_is_never_shared(app, demo_db):
    from dashboard.components import shell
    from dashboard.shared_answers import MARK
    assert not getattr(shell.update_shell, MARK, False), "the shell names the signed-in user"
    branch, client = _a_branch(), dash_test_client(app)
    _post(client, KPIS)   # Dash fills the app's callback map at its first request
    output, entry = next((k, v) for k, v in app.callback_map.items()
                         if getattr(v.get("callback"), "__name__", None) == "drill"
                         and "overview-units" in json.dumps(v["inputs"]))
    assert not getattr(entry["callback"], MARK, False)
    target, prop = output.rsplit(".", 1)
    body = {"output": output, "outputs": {"id": target, "property": prop},
            "inputs": [{"id": "overview-units", "property": "cellClicked", "value": {"rowId": branch}},
                       {"id": "overview-areas", "property": "cellClicked", "value": None}],
            "changedPropIds": ["overview-units.cellClicked"],
            "state": [{"id": "overview-view", "property": "data", "value": "?period=last_week"}]}
    before = _stored(demo_db)
    answer = _post(client, body)
    assert answer.status_code == 200 and branch in answer.get_data(as_text=True)
    assert _stored(demo_db) == before


def _a_branch() -> str:
    from dashboard.model.filters import Scope
    from dashboard.queries import reference
    return reference.drill_children(None, Scope.city())[0]


def test_no_shared_answers_when_switched_off(demo_db, monkeypatch):
    monkeypatch.setenv("TPD_SHARED_CACHE_DIR", "off")
    assert cache_dir(demo_db) is None


def test_the_same_view_asked_by_many_at_once_is_computed_once(app, demo_db, monkeypatch):
    import threading
    import time

    from dashboard.components import bind
    computed = []
    real = bind.kpi_figures

    def slow_kpis(*args, **kwargs):
        computed.append(1)
        time.sleep(0.5)              # long enough for the others to arrive while it is computed
        return real(*args, **kwargs)

    monkeypatch.setattr(bind, "kpi_figures", slow_kpis)
    db.clear_cache()
    # A view no other test of the session asks for: the shared store outlives this module.
    view = "?period=custom&start=2026-09-03&end=2026-09-17"
    body = dict(KPIS, inputs=[{"id": "overview-view", "property": "data", "value": view}])
    clients = [dash_test_client(app, role) for role in ("leader", "leader", "leader", "leader")]
    answers = [None] * len(clients)

    def ask(i):
        answers[i] = _post(clients[i], body)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(a.status_code == 200 for a in answers)
    assert len({a.data for a in answers}) == 1
    assert len(computed) == 1


def test_no_shared_callback_reads_who_is_asking_beyond_scope_and_capabilities(app, demo_db):
    """Answers are shared by scope and capabilities (roles.answer_class): a callback that read the
    role's name or the user would hand one user's answer to another. A tripwire on their source."""
    import inspect

    from dashboard.shared_answers import MARK
    _post(dash_test_client(app), KPIS)       # Dash gathers the pages' callbacks into its map at the first request
    shared = [e["callback"] for e in app.callback_map.values() if getattr(e.get("callback"), MARK, False)]
    assert len(shared) > 30
    for fn in shared:
        source = inspect.getsource(inspect.unwrap(fn))
        for word in ("current_role", "current_user", ".role", "may_open", "roles.label", "display_name", "username"):
            assert word not in source, f"{fn.__qualname__} reads {word}"


def test_an_answer_made_by_other_code_is_never_served(app, demo_db, monkeypatch):
    from dashboard import shared_answers
    before = answer_key(KPIS, db.version(), "2026-11-23", "leadership", None)
    monkeypatch.setattr(shared_answers, "CODE", "an-upgraded-release")
    assert answer_key(KPIS, db.version(), "2026-11-23", "leadership", None) != before


def test_the_code_fingerprint_changes_with_any_source_file_and_only_then(tmp_path):
    from dashboard.shared_answers import _code_fingerprint
    package = tmp_path / "dashboard"
    package.mkdir()
    (package / "figures.py").write_text("BAR_WIDTH = 0.6\n")
    (package / "targets.toml").write_text("same_day = 0.95\n")
    before = _code_fingerprint([package])
    assert _code_fingerprint([package]) == before
    (package / "targets.toml").write_text("same_day = 0.90\n")
    assert _code_fingerprint([package]) != before
