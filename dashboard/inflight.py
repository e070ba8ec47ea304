"""One computation per answer at a time, across every thread and worker process of the machine.

When a Monday meeting opens the overview, dozens of requests for the same
answer arrive within a second, before the first has been computed: each
would compute it again. `Flights.take(key, read)` lets the first request
lead (it computes, and its answer is kept by the caller) and makes the others
wait for it and read its answer instead. Leadership is an exclusive `flock`
on a file named for the key: the kernel releases it when the leader's file is
closed or its process dies, so a killed worker never strands the others.
A waiter gives up after `wait_s` and computes on its own: waiting is an
optimisation, never a condition of an answer.
"""
from __future__ import annotations

import fcntl
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass
class Taken:
    """What `Flights.take` decided: an answer another request computed, or this one computes,
    leading (holding `lock`, an open file, until `Flights.land`) or, when there was nothing to
    wait for or waiting failed, on its own."""
    answer: bytes | None = None
    lock: int | None = None
    path: Path | None = None


class Flights:
    def __init__(self, directory: Path, wait_s: float = 30.0, poll_s: float = 0.01):
        self.directory, self.wait_s, self.poll_s = Path(directory), wait_s, poll_s
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def take(self, key: str, read: Callable[[], bytes | None]) -> Taken:
        """Lead the computation of `key`, or wait for its leader and return what `read()` then finds.
        When the leader kept no answer (an error, a refusal), the waiters compute on their own,
        together rather than one after another."""
        path = self.directory / key
        try:
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError:              # the directory removed, no descriptors left: compute unled
            return Taken()
        leading = False
        try:
            if _try_lock(fd):
                leading = True
                return Taken(lock=fd, path=path)
            landed = self._wait_for_leader(fd)
        finally:
            if not leading:
                os.close(fd)
        return Taken(answer=read()) if landed else Taken()

    def _wait_for_leader(self, fd: int) -> bool:
        deadline = time.monotonic() + self.wait_s
        while time.monotonic() < deadline:
            time.sleep(self.poll_s)
            if _try_lock(fd):
                return True
        return False

    @staticmethod
    def land(taken: Taken | None) -> None:
        """The leader is done: its answer (if any) is kept, so the waiters may read it. The lock
        file goes (waiters still holding it open read the answer all the same)."""
        if taken is not None and taken.lock is not None:
            try:
                os.unlink(taken.path)
            except OSError:
                pass
            os.close(taken.lock)      # closing the file releases the lock
            taken.lock = None

    def forget_older_than(self, moment: float) -> None:
        """Remove lock files left from before `moment` (by a leader killed before it landed)."""
        try:
            for entry in os.scandir(self.directory):
                if entry.is_file() and entry.stat().st_mtime < moment:
                    os.unlink(entry.path)
        except OSError:
            pass


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
