"""The users store's contract, the same on both engines: every test runs on SQLite and on PostgreSQL.

Accounts, sessions (an end made through one store object is seen through another, as on two
nodes), lock-outs counted from the audit log, the audit log itself (append-only in the engine,
filtered by time, user and kind, ordered), the secret key; and the migrations: Alembic's head is
the one the stores expect, upgrading twice changes nothing, a SQLite file written before Alembic
is adopted with nothing lost.
"""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from dashboard.auth import passwords, sessions, store
from warehouse.users_store import (Account, AuditQuery, Event, SqliteUsersStore, forget_store, is_url, migrate,
                                   open_store)

PASSWORD = "Correct-horse-42"
BEFORE_ALEMBIC = Path(__file__).parent / "samples" / "users-v2-before-alembic.sqlite3"


def another_node(location):
    """A second, independent store object on the same database (what another web node holds)."""
    if is_url(location):
        from warehouse.users_store.postgres import PostgresUsersStore
        return PostgresUsersStore(location)
    return SqliteUsersStore(location)


def account(name: str, role: str = "leader", unit: str | None = None) -> Account:
    return Account(name, role, unit, f"姓名 {name}", passwords.hash_password(PASSWORD), must_change=False)


@pytest.fixture
def users(users_location):
    store.configure(users_location)
    yield open_store(users_location)
    store.configure(None)
    forget_store(users_location)


# ---- accounts -------------------------------------------------------------------------------------

def test_an_account_is_added_once_and_listed_by_name(users):
    assert users.add_account(account("wang"), Event("user.added", actor="tests", target="wang"))
    assert users.add_account(account("li", "unit", "YL0003"), Event("user.added", actor="tests", target="li"))
    assert not users.add_account(account("wang"), Event("user.added", actor="tests", target="wang"))
    assert [a.username for a in users.accounts()] == ["li", "wang"] and users.count_accounts() == 2
    li = users.account("li")
    assert (li.role, li.unit_code, li.display_name, li.must_change, li.disabled) == ("unit", "YL0003", "姓名 li",
                                                                                     False, False)
    assert [e.event for e in users.audit_entries(AuditQuery(newest_first=False))] == ["user.added", "user.added"]


def test_a_unit_account_needs_a_unit_and_only_it(users):
    with pytest.raises(Exception):
        users.add_account(account("li", "unit"), Event("user.added"))
    with pytest.raises(Exception):
        users.add_account(account("wang", "leader", "YL0003"), Event("user.added"))
    assert users.count_accounts() == 0 and users.audit_entries(AuditQuery()) == []


def test_a_password_change_moves_the_epoch_and_ends_every_session_but_the_kept_one(users):
    users.add_account(account("wang"), Event("user.added"))
    for sid in ("a", "b"):
        users.start_session(sid, "wang")
    assert users.set_password("wang", "new-hash", False, Event("password.changed"), keep_session="a") == 1
    assert users.session("a")[0].ended_at is None
    assert users.session("b")[0].ended_reason == "password"
    assert users.set_password("nobody", "h", False, Event("password.changed")) is None


def test_signing_in_sets_the_last_sign_in_and_is_audited(users):
    users.add_account(account("wang"), Event("user.added"))
    signed_in = users.record_signin("wang", Event("signin.ok", actor="wang", ip="10.0.0.9"))
    assert signed_in.last_login_at is not None
    assert users.count_audit("signin.ok", ip="10.0.0.9") == 1


# ---- sessions, as two nodes see them ----------------------------------------------------------------

def test_a_sign_out_on_one_node_is_seen_at_once_on_the_other(users, users_location):
    users.add_account(account("wang"), Event("user.added"))
    users.start_session("s1", "wang", "10.0.0.9")
    other = another_node(users_location)
    try:
        assert other.session("s1")[0].ended_at is None
        users.end_session("s1", "signout")
        session, _ = other.session("s1")
        assert (session.ended_reason, session.ip) == ("signout", "10.0.0.9")
    finally:
        other.close()


def test_a_disable_on_one_node_ends_the_users_sessions_on_the_other_and_only_theirs(users, users_location):
    users.add_account(account("wang"), Event("user.added"))
    users.add_account(account("li"), Event("user.added"))
    users.start_session("w", "wang")
    users.start_session("l", "li")
    other = another_node(users_location)
    try:
        assert other.set_disabled("wang", True, Event("user.disabled", target="wang"))
        session, wang = users.session("w")
        assert wang.disabled and wang.session_epoch == 1 and session.ended_reason == "disabled"
        assert users.session("l")[0].ended_at is None
        assert not other.set_disabled("nobody", True, Event("user.disabled"))
    finally:
        other.close()


def test_an_ended_session_stays_ended_and_old_ones_are_forgotten(users):
    users.add_account(account("wang"), Event("user.added"))
    users.start_session("s", "wang")
    users.end_session("s", "signout")
    users.end_session("s", "expired")
    users.touch_session("s")
    assert users.session("s")[0].ended_reason == "signout"
    assert users.end_sessions("wang", "disabled") == 0
    assert users.forget_sessions("2999-01-01T00:00:00Z") == 1 and users.session("s") is None


def test_dashboard_sessions_work_on_either_engine(users):
    wang = store.add("wang", "leader", password=PASSWORD, must_change=False, actor="tests")
    token = sessions.start(wang, "10.0.0.9")
    sessions._checked.clear()
    assert sessions.user_of_session(token) == wang
    sessions.end(token)
    sessions._checked.clear()
    assert sessions.user_of_session(token) is None


# ---- lock-outs, counted from the audit log ------------------------------------------------------------

def test_repeated_failures_lock_the_name_until_a_reset(users):
    store.add("wang", "leader", password=PASSWORD, must_change=False, actor="tests")
    for _ in range(store.MAX_FAILURES):
        assert store.authenticate("wang", "Wrong-horse-42")[1] == "failed"
    assert store.authenticate("wang", PASSWORD)[1] == "locked"
    store.reset_password("wang", PASSWORD, actor="tests", must_change=False)
    assert store.authenticate("wang", PASSWORD)[1] == "ok"


# ---- the audit log ------------------------------------------------------------------------------------

def test_audit_entries_come_back_in_order_with_their_detail(users):
    ids = [users.append_audit(Event(f"export.{n}", actor="wang", target="chart", detail={"城市": "宜良", "n": n},
                                    ip="10.0.0.9")) for n in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3
    oldest_first = users.audit_entries(AuditQuery(newest_first=False))
    assert [e.id for e in oldest_first] == ids
    assert oldest_first[0].detail == {"城市": "宜良", "n": 0} and oldest_first[0].ip == "10.0.0.9"
    assert [e.id for e in users.audit_entries(AuditQuery(limit=2))] == ids[:0:-1]


def test_audit_entries_are_filtered_by_time_user_and_kind(users):
    users.append_audit(Event("signin.ok", actor="wang"))
    users.append_audit(Event("user.disabled", actor="chen", target="wang"))
    users.append_audit(Event("signin.failed", actor="li"))
    users.append_audit(Event("signing", actor="li"))
    at = users.audit_entries(AuditQuery(limit=1))[0].at
    assert {e.event for e in users.audit_entries(AuditQuery(users=("wang",)))} == {"signin.ok", "user.disabled"}
    assert {e.event for e in users.audit_entries(AuditQuery(kinds=("signin",)))} == {"signin.ok", "signin.failed"}
    assert len(users.audit_entries(AuditQuery(since=at))) == 4
    assert users.audit_entries(AuditQuery(until=at)) == []
    assert users.count_audit("signin.failed", since=at) == 1 and users.count_audit("signin.failed", target="x") == 0
    assert users.latest_audit_at("wang", ("user.disabled", "user.enabled")) == at
    assert users.latest_audit_at("wang", ("user.enabled",)) is None


def raw_connection(location):
    if is_url(location):
        import psycopg
        return psycopg.connect(location, autocommit=True)
    return sqlite3.connect(location, isolation_level=None)


def test_the_audit_log_refuses_update_and_delete_in_the_engine_itself(users, users_location):
    users.append_audit(Event("export", actor="wang"))
    con = raw_connection(users_location)
    try:
        for statement in ("update audit_log set actor = 'someone else'", "delete from audit_log"):
            with pytest.raises(Exception, match="append-only"):
                con.execute(statement)
        if is_url(users_location):
            with pytest.raises(Exception, match="append-only"):
                con.execute("truncate audit_log")
    finally:
        con.close()
    assert [e.actor for e in users.audit_entries(AuditQuery())] == ["wang"]


def test_the_audit_log_is_indexed_by_time(users, users_location):
    con = raw_connection(users_location)
    try:
        if is_url(users_location):
            indexes = [r[0] for r in con.execute("select indexdef from pg_indexes where tablename = 'audit_log'")]
        else:
            indexes = [r[0] for r in con.execute("select sql from sqlite_master where type = 'index' "
                                                 "and tbl_name = 'audit_log'")]
    finally:
        con.close()
    assert any(i.replace('"', "").endswith("audit_log (at)") or "audit_log USING btree (at)" in i for i in indexes)


def test_the_secret_key_is_made_once_and_kept(users, users_location):
    key = users.secret_key()
    other = another_node(users_location)
    try:
        assert other.secret_key() == key and len(key) == 64
    finally:
        other.close()


def test_a_store_that_cannot_be_reached_fails_its_check(users_location, tmp_path):
    if is_url(users_location):
        gone = users_location.rsplit("/", 1)[0] + "/tpd_no_such_database"
        store_ = open_store(users_location)
        store_.url = gone
    else:
        store_ = open_store(users_location)
        users_location.unlink()
    with pytest.raises(Exception):
        store_.check()
    forget_store(users_location)


# ---- migrations ------------------------------------------------------------------------------------------

def test_alembic_head_is_the_revision_the_stores_expect():
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == migrate.HEAD


def test_a_new_store_is_at_the_head_and_upgrading_again_changes_nothing(users, users_location):
    users.add_account(account("wang"), Event("user.added"))
    assert migrate.revision(users_location) == migrate.HEAD
    assert migrate.upgrade(users_location) == migrate.HEAD
    assert users.count_accounts() == 1


def test_a_sqlite_file_written_before_alembic_is_adopted_with_nothing_lost(tmp_path):
    path = tmp_path / "users.sqlite3"
    shutil.copy(BEFORE_ALEMBIC, path)
    assert migrate.revision(path) is None
    users = SqliteUsersStore(path)
    try:
        assert migrate.revision(path) == migrate.HEAD
        assert [a.username for a in users.accounts()] == ["chen", "li"]
        assert [e.event for e in users.audit_entries(AuditQuery(newest_first=False))] == [
            "user.added", "user.added", "signin.ok", "signin.failed"]
        assert users.secret_key() == "41bcc5cd10bb737d7776a2b4d9164263907dd107fb70ce58cad4678cddf4d5e8"
        con = sqlite3.connect(path)
        try:
            [(sid, ip, ended)] = con.execute("select id, ip, ended_at from sessions").fetchall()
        finally:
            con.close()
        assert ip == "10.0.0.7" and ended is None and users.session(sid)[1].username == "chen"
    finally:
        users.close()
