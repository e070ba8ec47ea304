"""Accounts, passwords, the audit log and the command lines, without a web server.

Each test gets a users database of its own in tmp_path. Covered: scrypt
hashes and the password policy; adding, listing, disabling, resetting
users and their checks; sign-in with lock-out; the audit log refusing
UPDATE and DELETE; every kind of event landing in it (sign-ins, user
changes, exports with their filters, loads from the ETL command line);
the demo admin on first start and no default account on a real warehouse.
"""
from __future__ import annotations

import io
import json
import sqlite3
from contextlib import redirect_stderr, redirect_stdout

import pytest

from dashboard.auth import passwords, roles, store
from dashboard.refusals import NotSignedIn
from dashboard.session import acting_as, current_scope, may
from tests.builders.accounts import make_user
from tests.builders.files import reference_batch

PASSWORD = "Correct-horse-42"


@pytest.fixture
def udb(tmp_path):
    path = tmp_path / "users.sqlite3"
    store.configure(path)
    yield path
    store.configure(None)


def events(db, target=None) -> list[str]:
    con = sqlite3.connect(db)
    try:
        sql = "select event from audit_log" + (" where target = ?" if target else "") + " order by id"
        return [e for (e,) in con.execute(sql, (target,) if target else ())]
    finally:
        con.close()


def entries(db, event) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("select * from audit_log where event = ? order by id", (event,))]
    finally:
        con.close()


# ---- passwords ----------------------------------------------------------------------------------

def test_a_password_verifies_against_its_own_hash_only():
    hashed = passwords.hash_password(PASSWORD)
    assert hashed.startswith("scrypt$") and PASSWORD not in hashed
    assert passwords.verify_password(PASSWORD, hashed)
    assert not passwords.verify_password(PASSWORD + "x", hashed)
    assert hashed != passwords.hash_password(PASSWORD)  # salted
    assert not passwords.verify_password(PASSWORD, "plain-text")
    assert not passwords.verify_password(PASSWORD, "scrypt$99999999999$8$1$AA==$AA==")


@pytest.mark.parametrize("bad", ["short", "aaaaaaaaaaaa", "my-wang-password"])
def test_weak_passwords_are_refused(bad):
    assert passwords.policy_problem(bad, "wang") is not None


def test_generated_passwords_pass_the_policy():
    assert all(passwords.policy_problem(passwords.generate_password()) is None for _ in range(20))


# ---- users --------------------------------------------------------------------------------------

def test_add_list_disable_enable_and_reset(udb):
    user = store.add("Wang", "leader", password=PASSWORD, display_name="王", actor="tests")
    assert user.username == "wang" and user.must_change and user.scope.unit is None
    assert [u["username"] for u in store.list_users()] == ["wang"]
    assert "password_hash" not in store.list_users()[0]
    store.set_disabled("wang", True, actor="tests")
    assert store.get("wang").disabled and store.get("wang").session_epoch == 1
    store.set_disabled("wang", False, actor="tests")
    store.reset_password("wang", "Another-pass-43", actor="tests")
    assert store.get("wang").session_epoch == 3 and store.get("wang").must_change
    assert events(udb, "wang") == ["user.added", "user.disabled", "user.enabled", "user.password_reset"]


@pytest.mark.parametrize("name,role,unit", [
    ("x", "leader", None),                  # name too short
    ("bad name", "leader", None),
    ("wang", "superuser", None),            # unknown role
    ("wang", "unit", None),                 # unit role without a unit
    ("wang", "leader", "YL0003"),           # a unit for a city-wide role
    ("wang", "unit", "NOPE"),               # a unit the warehouse does not have
])
def test_an_invalid_user_is_refused(udb, name, role, unit):
    with pytest.raises(store.UserError):
        store.add(name, role, password=PASSWORD, unit_code=unit, actor="tests", known_units={"YL0003"})
    assert store.count() == 0


def test_a_user_name_is_added_once(udb):
    store.add("wang", "leader", password=PASSWORD, actor="tests")
    with pytest.raises(store.UserError):
        store.add("WANG", "opinion", password=PASSWORD, actor="tests")


def test_a_unit_user_sees_their_unit_and_only_publicity_lacks_record_tables(udb):
    lee = store.add("lee", "unit", password=PASSWORD, unit_code="YL0003", actor="tests")
    assert lee.scope.unit == "YL0003"
    assert [r for r in roles.NAMES if not roles.may(r, "records")] == ["publicity"]
    assert [r for r in roles.NAMES if roles.may_open(r, "data")] == ["admin"]
    with acting_as(lee):
        assert current_scope().unit == "YL0003" and may("records") and not may("admin")


def test_nobody_signed_in_has_no_scope():
    with acting_as(None), pytest.raises(NotSignedIn):
        current_scope()


# ---- sign-in ------------------------------------------------------------------------------------

def test_sign_in_and_its_audit_trail(udb):
    store.add("wang", "leader", password=PASSWORD, must_change=False, actor="tests")
    assert store.authenticate("wang", "wrong-password", ip="10.0.0.9") == (None, "failed")
    assert store.authenticate("nobody", PASSWORD, ip="10.0.0.9") == (None, "failed")
    user, outcome = store.authenticate(" Wang ", PASSWORD, ip="10.0.0.9")
    assert outcome == "ok" and user.username == "wang"
    failed = entries(udb, "signin.failed")
    assert [(e["target"], json.loads(e["detail"])["reason"], e["ip"]) for e in failed] == [
        ("wang", "password", "10.0.0.9"), ("nobody", "unknown user", "10.0.0.9")]
    assert entries(udb, "signin.ok")[0]["actor"] == "wang"
    assert PASSWORD not in json.dumps(entries(udb, "signin.failed"))


def test_a_disabled_user_cannot_sign_in(udb):
    store.add("wang", "leader", password=PASSWORD, must_change=False, actor="tests")
    store.set_disabled("wang", True, actor="tests")
    assert store.authenticate("wang", PASSWORD) == (None, "failed")


def test_lock_out_after_repeated_failures_until_a_reset(udb):
    store.add("wang", "leader", password=PASSWORD, must_change=False, actor="tests")
    for _ in range(store.MAX_FAILURES):
        assert store.authenticate("wang", "wrong-password")[1] == "failed"
    assert store.authenticate("wang", PASSWORD)[1] == "locked"
    store.reset_password("wang", "New-password-44", actor="admin", must_change=False)
    assert store.authenticate("wang", "New-password-44")[1] == "ok"


def test_changing_ones_password_needs_the_old_one_and_ends_other_sessions(udb):
    store.add("wang", "leader", password=PASSWORD, actor="tests")
    with pytest.raises(store.UserError):
        store.change_password("wang", "not-the-password", "New-password-44")
    epoch = store.change_password("wang", PASSWORD, "New-password-44")
    user = store.get("wang")
    assert epoch == user.session_epoch == 1 and not user.must_change
    assert events(udb, "wang")[-2:] == ["password.change_failed", "password.changed"]


# ---- the audit log ------------------------------------------------------------------------------

def test_the_audit_log_is_append_only(udb):
    store.add("wang", "leader", password=PASSWORD, actor="tests")
    con = sqlite3.connect(udb)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("update audit_log set actor = 'someone else'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("delete from audit_log")
        assert con.execute("select count(*) from audit_log").fetchone()[0] == 1
    finally:
        con.close()


def test_the_users_database_is_private_to_its_owner(udb):
    store.count()
    assert udb.stat().st_mode & 0o077 == 0


def test_an_export_is_recorded_with_who_what_and_which_filters(udb):
    from dashboard.exports.record import exported
    from dashboard.state import View
    import datetime as dt
    view = View("custom", dt.date(2026, 10, 1), dt.date(2026, 10, 31), unit="YL0003", season="旺季")
    with acting_as(make_user("unit", "YL0003", name="lee")):
        exported("chart", "incidents-category", view, fmt="png", preset="wechat")
    entry = entries(udb, "export")[0]
    detail = json.loads(entry["detail"])
    assert entry["actor"] == "lee" and entry["target"] == "chart:incidents-category"
    assert detail["filters"] == view.query() and "unit=YL0003" in detail["filters"]
    assert detail["scope"] == "YL0003" and detail["role"] == "unit" and detail["fmt"] == "png"


@pytest.mark.parametrize("role,what,allowed", [
    ("publicity", "incidents-category", True),
    ("publicity", "incidents", True),                  # a pack of the page's charts
    ("publicity", "incidents-records", False),         # record-level tables
    ("publicity", "mediation-records", False),
    ("publicity", "satisfaction-comments", False),
    ("publicity", "data-quarantine-grid", False),      # a page the role may not open
    ("opinion", "satisfaction-comments", True),
    ("opinion", "incidents-category", False),
    ("leader", "incidents-records", True),
    ("leader", "briefing-weekly", True),               # the briefing is an analytic page
    ("opinion", "briefing-weekly", False),             # opinion staff get overview, surveys, nominations
    ("admin", "briefing-weekly", True),
    ("admin", "data-quarantine-grid", True),
])
def test_an_export_is_only_what_the_role_sees(udb, role, what, allowed):
    from dashboard.exports.record import exported
    from dashboard.refusals import Forbidden
    with acting_as(make_user(role)):
        if allowed:
            exported("table", what, "?period=this_year")
        else:
            with pytest.raises(Forbidden):
                exported("table", what, "?period=this_year")
    assert [e["target"] for e in entries(udb, "export" if allowed else "export.refused")] == [f"table:{what}"]


def test_an_export_by_nobody_is_refused_and_not_recorded(udb):
    from dashboard.exports.record import exported
    store.count()
    with acting_as(None), pytest.raises(NotSignedIn):
        exported("table", "incidents-records", None)
    assert entries(udb, "export") == []


def test_a_load_from_the_etl_command_line_is_recorded(tmp_path, monkeypatch):
    from etl.cli import main
    db = tmp_path / "w.duckdb"
    users = tmp_path / "audit.sqlite3"
    monkeypatch.setenv("TPD_USERS_DB", str(users))
    files = reference_batch(tmp_path / "inbox")
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert main(["load", "--db", str(db), "--user", "clerk-zhang", *map(str, files)]) == 0
        assert main(["load", "--db", str(db), "--user", "clerk-zhang", str(tmp_path / "inbox" / "nothing.csv")]) == 2
    loaded, refused = entries(users, "load"), entries(users, "load.refused")
    assert loaded[0]["actor"] == "clerk-zhang" and loaded[0]["target"]
    assert json.loads(loaded[0]["detail"])["loaded"] > 0
    assert refused[0]["actor"] == "clerk-zhang" and json.loads(refused[0]["detail"])["status"] == "refused"


# ---- command lines ------------------------------------------------------------------------------

def _users_cli(*args, stdin: str | None = None, monkeypatch=None):
    from dashboard.users import main
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_the_users_command_line(tmp_path, monkeypatch):
    db = tmp_path / "users.sqlite3"
    base = ("--db", str(tmp_path / "none.duckdb"), "--users-db", str(db))
    code, out, _ = _users_cli(*base, "add", "wang", "--role", "leader", "--name", "王")
    one_time = out.split("one-time password for wang: ")[1].split()[0]
    assert code == 0 and passwords.policy_problem(one_time) is None
    assert store.authenticate("wang", one_time, db=db)[0].must_change
    code, out, _ = _users_cli(*base, "add", "lee", "--role", "unit", "--unit", "YL0003", "--password-stdin",
                              "--no-change", stdin="Unit-password-45\n", monkeypatch=monkeypatch)
    assert code == 0 and "Unit-password-45" not in out
    code, out, _ = _users_cli(*base, "list", "--json")
    listed = {u["username"]: u for u in json.loads(out)}
    assert listed["lee"]["unit_code"] == "YL0003" and not listed["lee"]["must_change"]
    assert _users_cli(*base, "disable", "lee")[0] == 0 and store.get("lee", db).disabled
    code, out, _ = _users_cli(*base, "reset-password", "lee")
    assert code == 0 and "one-time password for lee" in out
    code, _, err = _users_cli(*base, "add", "zhao", "--role", "unit")
    assert code == 2 and "--unit" in err
    code, _, err = _users_cli(*base, "disable", "nobody")
    assert code == 2 and "no user nobody" in err
    actors = {e["actor"] for e in entries(db, "user.added")}
    assert len(actors) == 1 and actors.pop().startswith("cli:")


def test_a_demo_warehouse_gets_a_one_time_admin_and_a_real_one_no_default_account(tmp_path, demo_db):
    import shutil
    import duckdb
    from dashboard.__main__ import ensure_users

    err = io.StringIO()
    with redirect_stderr(err):
        assert ensure_users(demo_db, tmp_path / "demo-users.sqlite3")
    admin = store.get("admin", tmp_path / "demo-users.sqlite3")
    assert admin.role == "admin" and admin.must_change
    one_time = err.getvalue().split("one-time password: ")[1].split()[0]
    assert store.authenticate("admin", one_time, db=tmp_path / "demo-users.sqlite3")[1] == "ok"

    real = tmp_path / "real.duckdb"
    shutil.copyfile(demo_db, real)
    con = duckdb.connect(str(real))
    con.execute("delete from meta where key = 'demo'")
    con.close()
    with redirect_stderr(io.StringIO()) as said:
        assert not ensure_users(real, tmp_path / "real-users.sqlite3")
    assert store.count(tmp_path / "real-users.sqlite3") == 0
    assert "dashboard.users" in said.getvalue()
