"""A test-only fault hook: kill the loading (or replicating) process at a named point.

`TPD_CRASH_AT=<point>` makes the process SIGKILL itself when a load reaches
that point, so the crash tests (tests/test_reliability_crash.py) hit each
stage deterministically instead of racing a timer. Unset, as it always is in
production, `crash_point` does nothing but read one environment variable.

Points, in the order a load reaches them:
  copy       the published warehouse has been copied to the private file
  parse      the first file has been read and staged (nothing typed or merged)
  write      the first file's rows are merged into the copy (uncommitted)
  marts      the marts are refreshed for the days the batch touched (uncommitted)
  partitions (a partitioned warehouse) the months the batch wrote are written out to their
             new files and synced, the core's manifest names them (uncommitted)
  publish    the copy is committed, checkpointed and synced, not yet renamed
  published  the copy has been renamed over the published file (the load is
             committed) but the journal does not say so yet

`python -m etl rebuild` passes copy, publish and published too. And of a replication
(`python -m warehouse replicate`, not in CRASH_POINTS):
  replica-copied  the replica is written, checked and synced, not yet renamed
"""
from __future__ import annotations

import os
import signal

CRASH_POINTS = ("copy", "parse", "write", "marts", "publish", "published")
PARTITIONED_CRASH_POINTS = ("copy", "parse", "write", "marts", "partitions", "publish", "published")


def crash_point(name: str) -> None:
    """SIGKILL this process when TPD_CRASH_AT names `name` (tests only)."""
    if os.environ.get("TPD_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
