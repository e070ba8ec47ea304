"""Accounts in the users database: add, list, disable, enable, reset and change passwords, sign in.

Every change appends an audit entry in the same transaction. Sign-in
failures are counted from the audit log itself: after `MAX_FAILURES` failed
attempts for one user name within `LOCK_MINUTES` (since its last success or
reset), or `MAX_IP_FAILURES` from one address, sign-in is locked for that
name or address until the window has passed, a correct password included.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dashboard.auth import passwords, roles
from dashboard.model.filters import Scope
from warehouse import usersdb
from warehouse.config import default_users_db_path

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
MAX_FAILURES = 5
MAX_IP_FAILURES = 20
LOCK_MINUTES = 15


@dataclass(frozen=True)
class User:
    username: str
    role: str
    unit_code: str | None = None
    display_name: str | None = None
    must_change: bool = False
    disabled: bool = False
    session_epoch: int = 0

    @property
    def scope(self) -> Scope:
        if roles.get(self.role).unit_scoped:
            return Scope(self.unit_code)
        return Scope.city()


class UserError(ValueError):
    """A user-administration request that cannot be done, with a reason in Chinese and English."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


_state: dict = {"path": None}


def configure(db: Path | str | None) -> None:
    """Point this process at a users database (None: the default beside the warehouse)."""
    _state["path"] = Path(db) if db is not None else None


def path() -> Path:
    return _state["path"] or default_users_db_path()


@contextmanager
def connection(db: Path | None = None):
    con = usersdb.connect(db or path())
    try:
        yield con
    finally:
        con.close()


@contextmanager
def _transaction(con: sqlite3.Connection):
    con.execute("begin immediate")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def _user(row) -> User | None:
    if row is None:
        return None
    return User(row["username"], row["role"], row["unit_code"], row["display_name"], bool(row["must_change"]),
                bool(row["disabled"]), int(row["session_epoch"]))


def normalise(username: str) -> str:
    return (username or "").strip().lower()


def get(username: str, db: Path | None = None) -> User | None:
    with connection(db) as con:
        return _user(con.execute("select * from users where username = ?", (normalise(username),)).fetchone())


def count(db: Path | None = None) -> int:
    with connection(db) as con:
        return con.execute("select count(*) from users").fetchone()[0]


def list_users(db: Path | None = None) -> list[dict]:
    with connection(db) as con:
        rows = con.execute("select username, display_name, role, unit_code, must_change, disabled, created_at, "
                           "updated_at, last_login_at from users order by username").fetchall()
    return [dict(r) for r in rows]


def _check_role(role: str, unit_code: str | None, known_units: set[str] | None) -> None:
    if role not in roles.ROLES:
        raise UserError(f"未知角色：{role}（可选：{'、'.join(roles.NAMES)}）",
                        f"unknown role: {role} (one of {', '.join(roles.NAMES)})")
    if roles.get(role).unit_scoped and not unit_code:
        raise UserError("单位角色需要指定单位编码（--unit）", "the unit role needs a unit code (--unit)")
    if not roles.get(role).unit_scoped and unit_code:
        raise UserError(f"角色 {role} 不限于单位，不能指定 --unit", f"role {role} is not unit-scoped: no --unit")
    if unit_code and known_units is not None and unit_code not in known_units:
        raise UserError(f"数据仓库中没有单位编码 {unit_code}", f"the warehouse has no unit {unit_code}")


def add(username: str, role: str, *, password: str, unit_code: str | None = None, display_name: str | None = None,
        must_change: bool = True, actor: str, known_units: set[str] | None = None, db: Path | None = None) -> User:
    name = normalise(username)
    if not USERNAME.match(name):
        raise UserError("用户名须为 2–32 个小写字母、数字或 _ . -，以字母或数字开头",
                        "a user name is 2–32 lower-case letters, digits or _ . -, starting with a letter or digit")
    _check_role(role, unit_code, known_units)
    if problem := passwords.policy_problem(password, name):
        raise UserError(*problem)
    hashed = passwords.hash_password(password)
    now = usersdb.now_utc()
    with connection(db) as con, _transaction(con):
        if con.execute("select 1 from users where username = ?", (name,)).fetchone():
            raise UserError(f"用户 {name} 已存在", f"user {name} exists already")
        con.execute("insert into users (username, display_name, role, unit_code, password_hash, must_change, "
                    "created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                    (name, display_name, role, unit_code, hashed, int(must_change), now, now))
        usersdb.append_audit(con, "user.added", actor=actor, target=name,
                             detail={"role": role, "unit": unit_code, "must_change": must_change})
    return get(name, db)


def _existing(con, name: str) -> sqlite3.Row:
    row = con.execute("select * from users where username = ?", (name,)).fetchone()
    if row is None:
        raise UserError(f"没有用户 {name}", f"no user {name}")
    return row


def set_disabled(username: str, disabled: bool, *, actor: str, db: Path | None = None) -> None:
    name = normalise(username)
    with connection(db) as con, _transaction(con):
        _existing(con, name)
        con.execute("update users set disabled = ?, session_epoch = session_epoch + 1, updated_at = ? "
                    "where username = ?", (int(disabled), usersdb.now_utc(), name))
        usersdb.append_audit(con, "user.disabled" if disabled else "user.enabled", actor=actor, target=name)


def reset_password(username: str, password: str, *, actor: str, must_change: bool = True,
                   db: Path | None = None) -> None:
    """An administrator sets a new (one-time) password; the user's sessions end, a lock-out lifts."""
    name = normalise(username)
    if problem := passwords.policy_problem(password, name):
        raise UserError(*problem)
    hashed = passwords.hash_password(password)
    with connection(db) as con, _transaction(con):
        _existing(con, name)
        con.execute("update users set password_hash = ?, must_change = ?, session_epoch = session_epoch + 1, "
                    "updated_at = ? where username = ?", (hashed, int(must_change), usersdb.now_utc(), name))
        usersdb.append_audit(con, "user.password_reset", actor=actor, target=name, detail={"must_change": must_change})


def change_password(username: str, old: str, new: str, *, ip: str | None = None, db: Path | None = None) -> int:
    """The user changes their own password (old one required); returns the new session epoch."""
    name = normalise(username)
    if problem := passwords.policy_problem(new, name):
        raise UserError(*problem)
    if old == new:
        raise UserError("新密码不能与旧密码相同", "the new password must differ from the old one")
    with connection(db) as con:
        row = _existing(con, name)
        if not passwords.verify_password(old, row["password_hash"]):
            usersdb.append_audit(con, "password.change_failed", actor=name, target=name, ip=ip)
            raise UserError("当前密码不正确", "the current password is not correct")
        hashed = passwords.hash_password(new)
        with _transaction(con):
            con.execute("update users set password_hash = ?, must_change = 0, session_epoch = session_epoch + 1, "
                        "updated_at = ? where username = ?", (hashed, usersdb.now_utc(), name))
            usersdb.append_audit(con, "password.changed", actor=name, target=name, ip=ip)
        return int(con.execute("select session_epoch from users where username = ?", (name,)).fetchone()[0])


# ---- sign-in ------------------------------------------------------------------------------------

def _since(minutes: int) -> str:
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _locked(con, name: str, ip: str | None) -> bool:
    since = _since(LOCK_MINUTES)
    cleared = con.execute(
        "select max(at) from audit_log where target = ? and event in "
        "('signin.ok', 'user.password_reset', 'user.enabled')", (name,)).fetchone()[0] or ""
    failures = con.execute(
        "select count(*) from audit_log where event = 'signin.failed' and target = ? and at >= ? and at > ?",
        (name, since, cleared)).fetchone()[0]
    if failures >= MAX_FAILURES:
        return True
    if ip:
        from_ip = con.execute("select count(*) from audit_log where event = 'signin.failed' and ip = ? and at >= ?",
                              (ip, since)).fetchone()[0]
        return from_ip >= MAX_IP_FAILURES
    return False


def authenticate(username: str, password: str, *, ip: str | None = None,
                 db: Path | None = None) -> tuple[User | None, str]:
    """(user, "ok") on success; (None, "failed" | "locked") otherwise. Every attempt is audited."""
    name = normalise(username)[:64]
    password = password[:256]
    with connection(db) as con:
        if _locked(con, name, ip):
            passwords.verify_password(password, passwords.dummy_hash())  # same cost either way
            usersdb.append_audit(con, "signin.locked", target=name, ip=ip)
            return None, "locked"
        row = con.execute("select * from users where username = ?", (name,)).fetchone()
        ok = passwords.verify_password(password, row["password_hash"] if row else passwords.dummy_hash())
        if not ok or row is None or row["disabled"]:
            reason = "disabled" if (ok and row is not None) else "password" if row is not None else "unknown user"
            usersdb.append_audit(con, "signin.failed", target=name, ip=ip, detail={"reason": reason})
            return None, "failed"
        with _transaction(con):
            con.execute("update users set last_login_at = ? where username = ?", (usersdb.now_utc(), name))
            usersdb.append_audit(con, "signin.ok", actor=name, target=name, ip=ip)
        return _user(con.execute("select * from users where username = ?", (name,)).fetchone()), "ok"


def secret_key(db: Path | None = None) -> str:
    if env := os.environ.get("TPD_SECRET_KEY"):
        return env
    with connection(db) as con:
        return usersdb.secret_key(con)
