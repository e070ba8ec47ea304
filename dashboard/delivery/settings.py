"""The delivery settings, all from the environment (see README, "Subscriptions and the scheduler")."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from warehouse.config import default_db_path


@dataclass(frozen=True)
class Smtp:
    host: str | None
    port: int
    user: str | None
    password: str | None
    sender: str
    starttls: bool
    timeout: float = 30.0


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def smtp() -> Smtp:
    return Smtp(os.environ.get("TPD_SMTP_HOST") or None, int(os.environ.get("TPD_SMTP_PORT", "25")),
                os.environ.get("TPD_SMTP_USER") or None, os.environ.get("TPD_SMTP_PASSWORD") or None,
                os.environ.get("TPD_SMTP_FROM", "tpd-dashboard@localhost"), _flag("TPD_SMTP_STARTTLS"))


def webhook_url() -> str | None:
    """The internal messaging gateway's URL (a subscription's "gateway" channel)."""
    return os.environ.get("TPD_WEBHOOK_URL") or None


def public_url() -> str:
    """Where people open the dashboard: the links in mails and webhook messages start with it."""
    return os.environ.get("TPD_PUBLIC_URL", "http://127.0.0.1:8050").rstrip("/")


def archive_dir(warehouse: Path | None = None) -> Path:
    """`TPD_ARCHIVE_DIR`, else `<warehouse>.archive/` beside the warehouse (loads replace the
    warehouse file, never this directory)."""
    if env := os.environ.get("TPD_ARCHIVE_DIR"):
        return Path(env)
    db = Path(warehouse) if warehouse is not None else default_db_path()
    return db.parent / f"{db.name}.archive"


def max_attempts() -> int:
    return max(1, int(os.environ.get("TPD_DELIVERY_ATTEMPTS", "5")))


def first_retry_minutes() -> float:
    """The wait after the first failure; each further one waits twice as long."""
    return float(os.environ.get("TPD_DELIVERY_RETRY_MINUTES", "5"))
