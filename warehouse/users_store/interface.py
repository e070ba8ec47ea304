"""What a users store keeps and answers: accounts, sessions, the audit log and the app's secret key.

`UsersStore` is the interface the dashboard's access control and the command
lines use; `warehouse.users_store.sqlite.SqliteUsersStore` is the embedded
implementation (one file beside the warehouse) and
`warehouse.users_store.postgres.PostgresUsersStore` the one for several web
nodes (`TPD_USERS_URL`); both implement the same methods with the same meaning
(tests/test_users_store.py runs the contract on both):

- every change to an account appends its audit entry in the same transaction;
- the audit log is append-only: nothing here updates or deletes an entry;
- a session is ended, never deleted while it may still be presented; an ended
  session stays ended;
- times are stored as UTC ISO 8601 text with seconds (`now_utc()`), so they
  compare as text.

The store applies no policy: password rules, lock-outs, roles and session
lifetimes are the dashboard's (dashboard.auth); it states facts and counts.
"""
from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

ROLE_NAMES = ("admin", "leader", "opinion", "publicity", "unit")   # the schema's check constraint


def now_utc() -> str:
    return utc_text(dt.datetime.now(dt.timezone.utc))


def utc_text(at: dt.datetime) -> str:
    """An aware datetime as the stored text (UTC, seconds)."""
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


class StoreUnavailable(RuntimeError):
    """The store's server does not answer now (PostgreSQL stopped or unreachable): nothing was read or
    written. The dashboard answers 503 and the request does nothing, so no audit entry is lost."""

    zh = "用户库暂时无法访问，请稍后再试"
    en = "the users store does not answer; please try again shortly"


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    unit_code: str | None
    display_name: str | None
    password_hash: str
    must_change: bool = True
    disabled: bool = False
    session_epoch: int = 0          # bumped by every password change, reset, disable and enable
    created_at: str = ""
    updated_at: str = ""
    last_login_at: str | None = None


@dataclass(frozen=True)
class Event:
    """An audit entry to append."""
    event: str                      # signin.ok, signin.failed, export, load, user.added ...
    actor: str | None = None        # user name; None for an anonymous request
    target: str | None = None       # what the event is about: a user name, a chart, a batch id
    detail: dict | None = None
    ip: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str                         # UTC text
    actor: str | None
    event: str
    target: str | None
    detail: dict = field(default_factory=dict)
    ip: str | None = None


@dataclass(frozen=True)
class AuditQuery:
    """Which audit entries: each given criterion must hold; `since` inclusive, `until` exclusive."""
    since: str | None = None
    until: str | None = None
    users: tuple[str, ...] = ()      # entries by (actor) or about (target) one of these users
    kinds: tuple[str, ...] = ()      # an event, or a kind of them: "signin" = signin.ok, signin.failed ...
    limit: int | None = None
    newest_first: bool = True


@dataclass(frozen=True)
class Session:
    id: str                         # the SHA-256 of the token the cookie carries, never the token
    username: str
    created_at: str
    last_seen_at: str
    ended_at: str | None = None
    ended_reason: str | None = None   # signout, disabled, password, expired
    ip: str | None = None


class UsersStore(ABC):
    """Accounts, sessions, the audit log and the secret key, behind one interface."""

    @abstractmethod
    def check(self) -> None:
        """Raise unless a new connection to the store can read it now (a health check: an
        open connection may still reach a file or server that new ones no longer can)."""

    # ---- accounts ---------------------------------------------------------------------------------

    @abstractmethod
    def account(self, username: str) -> Account | None: ...

    @abstractmethod
    def count_accounts(self) -> int: ...

    @abstractmethod
    def accounts(self) -> list[Account]:
        """Every account, by user name."""

    @abstractmethod
    def add_account(self, account: Account, event: Event) -> bool:
        """Add `account` and its audit entry; False (nothing written) when the name is taken."""

    @abstractmethod
    def set_disabled(self, username: str, disabled: bool, event: Event) -> bool:
        """Disable or enable; the epoch moves on and every session of the user ends. False: no such user."""

    @abstractmethod
    def set_password(self, username: str, password_hash: str, must_change: bool, event: Event, *,
                     keep_session: str | None = None) -> int | None:
        """A new password hash; the epoch moves on and the user's sessions end, but `keep_session`.
        Returns the new epoch, None when there is no such user."""

    @abstractmethod
    def record_signin(self, username: str, event: Event) -> Account:
        """The user signed in now: their last sign-in time and the audit entry."""

    # ---- the audit log ------------------------------------------------------------------------------

    @abstractmethod
    def append_audit(self, event: Event) -> int:
        """Append one entry; returns its id."""

    @abstractmethod
    def audit_entries(self, query: AuditQuery) -> list[AuditEntry]: ...

    @abstractmethod
    def count_audit(self, event: str, *, target: str | None = None, ip: str | None = None,
                    since: str | None = None) -> int:
        """Entries of `event` (about `target`, from `ip`) at or after `since`."""

    @abstractmethod
    def latest_audit_at(self, target: str, events: tuple[str, ...]) -> str | None:
        """The time of the latest of `events` about `target`."""

    # ---- sessions -----------------------------------------------------------------------------------

    @abstractmethod
    def start_session(self, session_id: str, username: str, ip: str | None = None) -> Session: ...

    @abstractmethod
    def session(self, session_id: str) -> tuple[Session, Account] | None:
        """The session and its user's account as they are now; None when either is gone."""

    @abstractmethod
    def touch_session(self, session_id: str) -> None:
        """Seen now."""

    @abstractmethod
    def end_session(self, session_id: str, reason: str) -> None: ...

    @abstractmethod
    def end_sessions(self, username: str, reason: str) -> int:
        """End every live session of the user; returns how many."""

    @abstractmethod
    def forget_sessions(self, last_seen_before: str) -> int:
        """Remove sessions not seen since `last_seen_before` (long past any lifetime)."""

    # ---- settings -----------------------------------------------------------------------------------

    @abstractmethod
    def secret_key(self) -> str:
        """The key that signs session cookies: one per store, made on first use."""

    @abstractmethod
    def close(self) -> None: ...
