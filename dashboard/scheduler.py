"""The scheduler: `python -m dashboard.scheduler` issues the 周报 and alerts of every subscription.

    TPD_DB=… [TPD_USERS_URL=…] python -m dashboard.scheduler [--once] [--interval 60]

Every `--interval` seconds (APScheduler, China time) it takes the lease
`scheduler` in the users store and, holding it, sends the 周报 that are due and
not sent (`dashboard.delivery.jobs.run_briefings`) and, once an hour, the
alerts (`run_alerts`). With several nodes each may run a scheduler: only the
lease holder works, the lease runs out `LEASE_SECONDS` after its holder last
renewed it (a node that stops is replaced within that), and each message is
claimed in the store before it is sent, so even two working at once, or a
restart mid-run, send nothing twice. `--once` runs one round and exits
(cron, tests). Times are China time whatever the server's zone.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import socket
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from dashboard.auth import store as users
from dashboard.clock import CHINA, china_now
from dashboard.delivery import jobs, settings
from warehouse.users_store import UsersStore

log = logging.getLogger("dashboard.scheduler")
LEASE = "scheduler"
LEASE_SECONDS = 180


class Scheduler:
    """One scheduler: `run_pending()` is one round (what APScheduler calls each interval)."""

    def __init__(self, store: UsersStore, *, clock: Callable[[], dt.datetime] = china_now,
                 holder: str | None = None, lease_seconds: int = LEASE_SECONDS, archive: Path | None = None):
        self.store, self.clock, self.lease_seconds = store, clock, lease_seconds
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.archive = archive
        self._alerts_hour: dt.datetime | None = None

    def run_pending(self) -> jobs.Outcome | None:
        """One round; None when another scheduler holds the lease."""
        if not self.store.acquire_lease(LEASE, self.holder, self.lease_seconds):
            log.debug("the lease is held by another scheduler: %s", self.store.lease_holder(LEASE))
            return None
        now = self.clock()
        outcome = jobs.run_briefings(self.store, now, self.archive, alive=self.renew)
        hour = now.replace(minute=0, second=0, microsecond=0)
        if self._alerts_hour != hour:
            outcome += jobs.run_alerts(self.store, now, alive=self.renew)
            self._alerts_hour = hour
        if outcome.sent or outcome.failed:
            log.info("round at %s: %d sent, %d failed", now, len(outcome.sent), len(outcome.failed))
        return outcome

    def renew(self) -> bool:
        """Still the holder? (the lease renewed): asked before each subscription of a long round."""
        return self.store.acquire_lease(LEASE, self.holder, self.lease_seconds)

    def stop(self) -> None:
        self.store.release_lease(LEASE, self.holder)


def _round(scheduler: Scheduler) -> None:
    try:
        scheduler.run_pending()
    except Exception:  # noqa: BLE001  (the next round tries again; the log has the trace)
        log.exception("the scheduler's round failed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.scheduler",
                                     description="订阅周报与预警的调度进程 / sends subscribed briefings and alerts")
    parser.add_argument("--db", type=Path, default=None, help="warehouse (default TPD_DB)")
    parser.add_argument("--users-db", default=None, help="users store: SQLite file or postgresql:// URL")
    parser.add_argument("--once", action="store_true", help="run one round and exit")
    parser.add_argument("--interval", type=int, default=60, help="seconds between rounds (default 60)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.Formatter.converter = lambda *_: dt.datetime.now(CHINA).timetuple()   # the log in China time too
    logging.getLogger("apscheduler").setLevel(logging.WARNING)                    # not two lines a minute
    from dashboard.queries import db
    from warehouse.config import default_db_path, default_users_db_path
    warehouse = args.db or default_db_path()
    if not warehouse.exists():
        print(f"数据仓库文件不存在：{warehouse} / warehouse not found: {warehouse}", file=sys.stderr)
        return 2
    db.configure(warehouse)
    users.configure(args.users_db or default_users_db_path(warehouse))
    scheduler = Scheduler(users.users_store(), archive=settings.archive_dir(warehouse))
    if args.once:
        outcome = scheduler.run_pending()
        scheduler.stop()
        if outcome is None:
            print("另一个调度进程持有租约 / another scheduler holds the lease", file=sys.stderr)
            return 0
        print(f"sent {len(outcome.sent)}, failed {len(outcome.failed)}")
        return 1 if outcome.failed else 0

    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger
    runner = BlockingScheduler(timezone=CHINA)
    runner.add_job(_round, IntervalTrigger(seconds=args.interval, timezone=CHINA), args=[scheduler],
                   id="deliveries", max_instances=1, coalesce=True, next_run_time=dt.datetime.now(CHINA))

    def _stop(signum, frame):
        runner.shutdown(wait=False)
    signal.signal(signal.SIGTERM, _stop)
    log.info("scheduler %s started (every %d s, lease %d s)", scheduler.holder, args.interval, LEASE_SECONDS)
    try:
        runner.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        scheduler.stop()
        log.info("scheduler %s stopped", scheduler.holder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
