"""Accounts: add, list, disable, enable, reset and change passwords, sign in — the rules, not the SQL.

The users store (warehouse.users_store) keeps the accounts and runs the
statements; this module applies the rules: user names, roles, the password
policy, hashing and the lock-out. Every change appends an audit entry in the
same transaction (the store does). Sign-in failures are counted from the
audit log itself: after `MAX_FAILURES` failed attempts for one user name
within `LOCK_MINUTES` (since its last success or reset), or
`MAX_IP_FAILURES` from one address, sign-in is locked for that name or
address until the window has passed, a correct password included.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from dashboard.auth import passwords, roles
from dashboard.model.filters import Scope
from warehouse.config import default_users_db_path
from warehouse.users_store import Account, Event, UsersStore, location, open_store, parse_utc, utc_text

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
LOCK_CLEARED_BY = ("signin.ok", "user.password_reset", "user.enabled")
LISTED = ("username", "display_name", "role", "unit_code", "must_change", "disabled", "created_at", "updated_at",
          "last_login_at")


def configure(db: Path | str | None) -> None:
    """Point this process at a users database (None: the default beside the warehouse)."""
    _state["path"] = location(db) if db is not None else None


def path() -> Path:
    return _state["path"] or default_users_db_path()


def users_store(db: Path | None = None) -> UsersStore:
    return open_store(db or path())


def user_of(account: Account | None) -> User | None:
    if account is None:
        return None
    return User(account.username, account.role, account.unit_code, account.display_name, account.must_change,
                account.disabled, account.session_epoch)


def normalise(username: str) -> str:
    return (username or "").strip().lower()


def get(username: str, db: Path | None = None) -> User | None:
    return user_of(users_store(db).account(normalise(username)))


def check(db: Path | None = None) -> None:
    """Raise unless the users store answers a new connection (the health check)."""
    users_store(db).check()


def count(db: Path | None = None) -> int:
    return users_store(db).count_accounts()


def list_users(db: Path | None = None) -> list[dict]:
    """Every user as the listing shows it (flags as 0/1), never the password hash."""
    return [{field: int(v) if isinstance(v := getattr(a, field), bool) else v for field in LISTED}
            for a in users_store(db).accounts()]


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


def _no_such_user(name: str) -> UserError:
    return UserError(f"没有用户 {name}", f"no user {name}")


def add(username: str, role: str, *, password: str, unit_code: str | None = None, display_name: str | None = None,
        must_change: bool = True, actor: str, known_units: set[str] | None = None, db: Path | None = None) -> User:
    name = normalise(username)
    if not USERNAME.match(name):
        raise UserError("用户名须为 2–32 个小写字母、数字或 _ . -，以字母或数字开头",
                        "a user name is 2–32 lower-case letters, digits or _ . -, starting with a letter or digit")
    _check_role(role, unit_code, known_units)
    if problem := passwords.policy_problem(password, name):
        raise UserError(*problem)
    account = Account(name, role, unit_code, display_name, passwords.hash_password(password), must_change)
    added = users_store(db).add_account(account, Event(
        "user.added", actor=actor, target=name, detail={"role": role, "unit": unit_code, "must_change": must_change}))
    if not added:
        raise UserError(f"用户 {name} 已存在", f"user {name} exists already")
    return get(name, db)


def set_disabled(username: str, disabled: bool, *, actor: str, db: Path | None = None) -> None:
    """Disable (every session of the user ends) or enable again."""
    name = normalise(username)
    event = Event("user.disabled" if disabled else "user.enabled", actor=actor, target=name)
    if not users_store(db).set_disabled(name, disabled, event):
        raise _no_such_user(name)


def reset_password(username: str, password: str, *, actor: str, must_change: bool = True,
                   db: Path | None = None) -> None:
    """An administrator sets a new (one-time) password; the user's sessions end, a lock-out lifts."""
    name = normalise(username)
    if problem := passwords.policy_problem(password, name):
        raise UserError(*problem)
    event = Event("user.password_reset", actor=actor, target=name, detail={"must_change": must_change})
    if users_store(db).set_password(name, passwords.hash_password(password), must_change, event) is None:
        raise _no_such_user(name)


def change_password(username: str, old: str, new: str, *, ip: str | None = None, keep_session: str | None = None,
                    db: Path | None = None) -> int:
    """The user changes their own password (old one required): their other sessions end, the one given
    as `keep_session` (the session id the change came from) goes on. Returns the new session epoch."""
    name = normalise(username)
    if problem := passwords.policy_problem(new, name):
        raise UserError(*problem)
    if old == new:
        raise UserError("新密码不能与旧密码相同", "the new password must differ from the old one")
    store = users_store(db)
    account = store.account(name)
    if account is None:
        raise _no_such_user(name)
    if not passwords.verify_password(old, account.password_hash):
        store.append_audit(Event("password.change_failed", actor=name, target=name, ip=ip))
        raise UserError("当前密码不正确", "the current password is not correct")
    return store.set_password(name, passwords.hash_password(new), False,
                              Event("password.changed", actor=name, target=name, ip=ip), keep_session=keep_session)


# ---- sign-in ------------------------------------------------------------------------------------

def _since(minutes: int) -> str:
    return utc_text(dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes))


def _locked(store: UsersStore, name: str, ip: str | None) -> bool:
    since = max(_since(LOCK_MINUTES), _just_after(store.latest_audit_at(name, LOCK_CLEARED_BY)))
    if store.count_audit("signin.failed", target=name, since=since) >= MAX_FAILURES:
        return True
    return bool(ip) and store.count_audit("signin.failed", ip=ip, since=_since(LOCK_MINUTES)) >= MAX_IP_FAILURES


def _just_after(at: str | None) -> str:
    """The first stored time after `at`: failures in the same second as a success or reset count as before it."""
    if not at:
        return ""
    return utc_text(parse_utc(at) + dt.timedelta(seconds=1))


def authenticate(username: str, password: str, *, ip: str | None = None,
                 db: Path | None = None) -> tuple[User | None, str]:
    """(user, "ok") on success; (None, "failed" | "locked") otherwise. Every attempt is audited."""
    name = normalise(username)[:64]
    password = password[:256]
    store = users_store(db)
    if _locked(store, name, ip):
        passwords.verify_password(password, passwords.dummy_hash())  # same cost either way
        store.append_audit(Event("signin.locked", target=name, ip=ip))
        return None, "locked"
    account = store.account(name)
    ok = passwords.verify_password(password, account.password_hash if account else passwords.dummy_hash())
    if not ok or account is None or account.disabled:
        reason = "disabled" if (ok and account is not None) else "password" if account is not None else "unknown user"
        store.append_audit(Event("signin.failed", target=name, ip=ip, detail={"reason": reason}))
        return None, "failed"
    return user_of(store.record_signin(name, Event("signin.ok", actor=name, target=name, ip=ip))), "ok"


def secret_key(db: Path | None = None) -> str:
    if env := os.environ.get("TPD_SECRET_KEY"):
        return env
    return users_store(db).secret_key()
