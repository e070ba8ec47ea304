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


def utc_after(seconds: float) -> str:
    return utc_text(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds))


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


@dataclass(frozen=True)
class Subscription:
    """A user's standing order: the 周报 of a scope on a weekly slot (China time), or its alerts."""
    username: str
    kind: str                       # "briefing" or "alerts"
    unit_code: str | None = None    # the scope: a unit's subtree, a scenic area, neither (the city)
    area_code: str | None = None
    weekday: int = 0                # 0 Monday … 6 Sunday, China time (briefings)
    hour: int = 8
    minute: int = 0
    format: str = "pdf"             # pdf / docx
    lang: str = "zh"                # zh / en
    email: str | None = None        # by mail to this address
    webhook_url: str | None = None  # by webhook to this URL ("default": the gateway of TPD_WEBHOOK_URL)
    active: bool = True
    id: int | None = None
    created_at: str = ""


@dataclass(frozen=True)
class Delivery:
    """One message to one recipient for one scope and period: unique, so nothing is sent twice.

    `state`: sending (claimed, before the send; a crash leaves it so, and it is not sent again),
    sent, failed (to be retried at `next_attempt_at`), abandoned (retries used up)."""
    kind: str                       # briefing / alert
    scope_key: str
    period_key: str                 # the week (2026-11-30/2026-12-06), or an alert's metric, state and period
    channel: str                    # mail / webhook
    recipient: str
    username: str
    title: str
    subscription_id: int | None = None
    state: str = "sending"
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: str | None = None
    archive_id: int | None = None
    id: int | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class ArchiveEntry:
    """A 周报 as issued: the file as sent and its figures (paths under the archive directory)."""
    scope_key: str
    unit_code: str | None
    area_code: str | None
    period_start: str               # ISO dates
    period_end: str
    lang: str
    format: str
    title: str
    path: str                       # relative to the archive directory
    figures_path: str
    size: int
    sha256: str
    issued_at: str = ""
    id: int | None = None


DELIVERY_STATES = ("sending", "sent", "failed", "abandoned")


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

    # ---- subscriptions, deliveries, the archive, leases ----------------------------------------------

    @abstractmethod
    def add_subscription(self, subscription: Subscription, event: Event) -> int:
        """Add a subscription and its audit entry; returns its id."""

    @abstractmethod
    def subscriptions(self, username: str | None = None, *, kind: str | None = None) -> list[Subscription]:
        """Active subscriptions (of one user, of one kind), oldest first."""

    @abstractmethod
    def end_subscription(self, subscription_id: int, username: str | None, event: Event) -> bool:
        """Make a subscription inactive (only the user's own, unless `username` is None) and audit it;
        False when there is no such active subscription."""

    @abstractmethod
    def claim_delivery(self, delivery: Delivery, now: str, max_attempts: int) -> Delivery | None:
        """Claim the right to send `delivery` now, in one transaction: a new one is written in state
        `sending`; one that failed and is due again (`next_attempt_at` <= `now`, fewer than
        `max_attempts` attempts) goes back to `sending`. None: sent, being sent, or not due — send
        nothing. The claimed record's `attempts` counts this attempt."""

    @abstractmethod
    def finish_delivery(self, delivery_id: int, state: str, event: Event, *, error: str | None = None,
                        next_attempt_at: str | None = None, archive_id: int | None = None) -> None:
        """Record how the attempt went (`sent`, `failed`, `abandoned`) and its audit entry."""

    @abstractmethod
    def deliveries(self, states: tuple[str, ...] = (), limit: int = 200) -> list[Delivery]:
        """Deliveries, newest first (in these states)."""

    @abstractmethod
    def add_archive(self, entry: ArchiveEntry) -> ArchiveEntry:
        """Keep an issued 周报; when one for the same scope, period, language and format is kept
        already, that one is returned and nothing is written."""

    @abstractmethod
    def archive_entry(self, entry_id: int) -> ArchiveEntry | None: ...

    @abstractmethod
    def archive_entries(self, limit: int = 500) -> list[ArchiveEntry]:
        """Every kept 周报, the newest period first."""

    @abstractmethod
    def find_archive(self, scope_key: str, period_start: str, period_end: str, lang: str,
                     format: str) -> ArchiveEntry | None: ...

    @abstractmethod
    def acquire_lease(self, name: str, holder: str, seconds: int) -> bool:
        """Hold the lease `name` for `seconds` from now: True when it was free, had expired, or is
        `holder`'s already (renewed); False while another holder's lease runs."""

    @abstractmethod
    def release_lease(self, name: str, holder: str) -> None: ...

    @abstractmethod
    def lease_holder(self, name: str) -> tuple[str, str] | None:
        """Who holds the lease and until when (UTC text), expired or not."""

    # ---- settings -----------------------------------------------------------------------------------

    @abstractmethod
    def secret_key(self) -> str:
        """The key that signs session cookies: one per store, made on first use."""

    @abstractmethod
    def close(self) -> None: ...
