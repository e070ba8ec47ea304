"""Sessions kept in the users store, and a users database from before them, without a web server.

Every test with a users store runs on SQLite and on PostgreSQL. A session is a row in the store that the cookie's token names (by its
SHA-256); signing out, a disable, a password reset or change end it; so do
the idle and absolute lifetimes. A users database written before sessions
existed opens, is migrated in place, and keeps every account and entry.
"""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from dashboard.auth import sessions, store
from warehouse.users_store import is_url, migrate, sqlite_schema

PASSWORD = "Correct-horse-42"


@pytest.fixture
def udb(users_location):
    """The users store, once on SQLite and once on PostgreSQL."""
    store.configure(users_location)
    yield users_location
    store.configure(None)


@pytest.fixture
def wang(udb):
    return store.add("wang", "leader", password=PASSWORD, must_change=False, actor="tests")


def stored_sessions(db) -> list[dict]:
    if is_url(db):
        import psycopg
        from psycopg.rows import dict_row
        with psycopg.connect(db, row_factory=dict_row) as con:
            return con.execute("select * from sessions order by created_at, id").fetchall()
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("select * from sessions order by created_at, id")]
    finally:
        con.close()


def fresh(token: str) -> store.User | None:
    """Ask the store, not what this process remembers from the last second."""
    sessions._checked.clear()
    return sessions.user_of_session(token)


def test_a_session_names_its_user_and_the_store_keeps_only_the_tokens_hash(udb, wang):
    token = sessions.start(wang, "10.0.0.9")
    assert fresh(token) == wang
    [row] = stored_sessions(udb)
    assert row["id"] == sessions.session_id(token) != token and token not in str(row)
    assert row["username"] == "wang" and row["ip"] == "10.0.0.9" and row["ended_at"] is None


def test_signing_out_ends_the_session_at_once(udb, wang):
    token = sessions.start(wang)
    assert sessions.user_of_session(token) == wang
    sessions.end(token, "signout")
    assert sessions.user_of_session(token) is None           # this process: no second's grace
    assert stored_sessions(udb)[0]["ended_reason"] == "signout"


def test_an_unknown_or_malformed_token_names_nobody(udb, wang):
    sessions.start(wang)
    assert fresh("not-a-session") is None
    assert fresh(None) is None and fresh("") is None and fresh("x" * 500) is None


def test_a_disable_ends_every_session_of_the_user_and_only_theirs(udb, wang):
    other = store.add("lee", "leader", password=PASSWORD, must_change=False, actor="tests")
    mine, mine_too, theirs = sessions.start(wang), sessions.start(wang), sessions.start(other)
    store.set_disabled("wang", True, actor="tests")
    assert fresh(mine) is None and fresh(mine_too) is None and fresh(theirs) == other
    store.set_disabled("wang", False, actor="tests")
    assert fresh(mine) is None                                # an ended session stays ended


def test_a_disable_made_elsewhere_is_seen_within_a_second(udb, wang):
    token = sessions.start(wang)
    assert sessions.user_of_session(token) == wang
    store.set_disabled("wang", True, actor="tests")          # as `python -m dashboard.users disable` would
    assert sessions.CHECK_SECONDS <= 1
    deadline = dt.datetime.now() + dt.timedelta(seconds=sessions.CHECK_SECONDS + 0.2)
    while sessions.user_of_session(token) is not None:
        assert dt.datetime.now() < deadline


def test_a_password_reset_ends_the_sessions_and_a_change_keeps_only_the_one_it_came_from(udb, wang):
    reset_one = sessions.start(wang)
    store.reset_password("wang", "Reset-password-45", actor="admin", must_change=False)
    assert fresh(reset_one) is None
    here, elsewhere = sessions.start(wang), sessions.start(wang)
    store.change_password("wang", "Reset-password-45", "Changed-password-46", keep_session=sessions.session_id(here))
    assert fresh(here) == store.get("wang") and fresh(elsewhere) is None


def test_a_session_idle_past_its_limit_or_older_than_the_maximum_is_ended(udb, wang, monkeypatch):
    idle, old = sessions.start(wang), sessions.start(wang)
    now = dt.datetime.now(dt.timezone.utc)
    monkeypatch.setattr(sessions, "_now", lambda: now + dt.timedelta(hours=sessions.SESSION_HOURS, minutes=1))
    assert fresh(idle) is None
    monkeypatch.setattr(sessions, "SESSION_HOURS", sessions.SESSION_MAX_HOURS + 1)   # never idle, but too old
    monkeypatch.setattr(sessions, "_now", lambda: now + dt.timedelta(hours=sessions.SESSION_MAX_HOURS, minutes=1))
    assert fresh(old) is None
    assert [r["ended_reason"] for r in stored_sessions(udb)] == ["expired", "expired"]


def test_a_session_in_use_is_seen_and_stays_alive(udb, wang, monkeypatch):
    token = sessions.start(wang)
    now = dt.datetime.now(dt.timezone.utc)
    later = now + dt.timedelta(hours=sessions.SESSION_HOURS - 1)
    monkeypatch.setattr(sessions, "_now", lambda: later)
    for engine in ("sqlite", "postgres"):
        monkeypatch.setattr(f"warehouse.users_store.{engine}.now_utc", lambda: later.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert fresh(token) == wang                               # used: its time last seen moves on
    monkeypatch.setattr(sessions, "_now", lambda: later + dt.timedelta(hours=2))
    assert fresh(token) == wang                               # idle 2 h since then, not 9 h since sign-in


# ---- a users database from before sessions ---------------------------------------------------------

def users_db_from_before(path) -> None:
    """A users database as the dashboard wrote it before sessions were kept (schema without a version)."""
    con = sqlite3.connect(path)
    con.executescript(";\n".join(s for s in sqlite_schema.ACCOUNTS_AND_AUDIT if not s.startswith("pragma")) + ";")
    from dashboard.auth.passwords import hash_password
    con.execute("insert into users (username, display_name, role, unit_code, password_hash, must_change, "
                "session_epoch, created_at, updated_at) values ('old', '老王', 'leader', null, ?, 0, 4, "
                "'2026-01-05T01:00:00Z', '2026-01-05T01:00:00Z')", (hash_password(PASSWORD),))
    con.execute("insert into audit_log (at, actor, event, target) values "
                "('2026-01-05T01:00:00Z', 'cli:root@host', 'user.added', 'old')")
    con.execute("insert into settings values ('secret_key', 'the-old-key')")
    con.commit()
    assert con.execute("pragma user_version").fetchone()[0] == 0
    con.close()


def test_a_users_database_from_before_opens_and_is_migrated_in_place(tmp_path):
    path = tmp_path / "old-users.sqlite3"
    users_db_from_before(path)
    user, outcome = store.authenticate("old", PASSWORD, db=path)
    assert outcome == "ok" and user.display_name == "老王" and user.session_epoch == 4
    assert store.secret_key(path) == "the-old-key"          # signed cookies stay valid across the upgrade
    con = sqlite3.connect(path)
    try:
        assert con.execute("pragma user_version").fetchone()[0] == sqlite_schema.VERSION
        assert [r[0] for r in con.execute("select event from audit_log order by id")] == ["user.added", "signin.ok"]
        assert con.execute("select count(*) from sessions").fetchone()[0] == 0
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("delete from audit_log")
    finally:
        con.close()


def test_migrating_twice_changes_nothing(tmp_path):
    path = tmp_path / "old-users.sqlite3"
    users_db_from_before(path)
    assert migrate.upgrade(path) is None
    assert migrate.upgrade(path) == migrate.HEAD
    con = sqlite3.connect(path)
    try:
        assert con.execute("select count(*) from users").fetchone()[0] == 1
    finally:
        con.close()


def test_after_changing_a_one_time_password_the_next_request_sees_it_changed(udb):
    store.add("new", "leader", password=PASSWORD, must_change=True, actor="tests")
    token = sessions.start(store.get("new"))
    assert sessions.user_of_session(token).must_change
    store.change_password("new", PASSWORD, "Changed-password-46", keep_session=sessions.session_id(token))
    sessions.forget(token)
    assert not sessions.user_of_session(token).must_change     # no second's wait for this process
