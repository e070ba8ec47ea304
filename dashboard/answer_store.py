"""Where shared callback answers are kept, and who computes one while others wait.

`dashboard.shared_answers` decides what is shared and under which key; an
answer store keeps the answers and the single-flight locks. Two
implementations of the same small interface:

- `FileAnswers` (the default): a file cache beside the warehouse and flock
  locks (dashboard.inflight), shared by the worker processes of one machine.
- `RedisAnswers` (dashboard.redis_answers), when `TPD_CACHE_URL=redis://…` is
  set: answers and locks in Redis, shared by every node.

`open_answer_store(directory)` chooses: `TPD_CACHE_URL` first, else files in
`directory` (`shared_answers.cache_dir`: `TPD_SHARED_CACHE_DIR`, default
`<warehouse>.answers/`; None when it is `off`).
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Protocol

from cachelib import FileSystemCache

from dashboard.inflight import Flights, Taken


class Flight(Protocol):
    """What `take` decided; `answer` is what another request kept, or None when this one computes."""
    answer: bytes | None


class AnswerStore(Protocol):
    kind: str

    def get(self, key: str) -> bytes | None:
        """The answer kept under `key`, or None."""

    def keep(self, key: str, body: bytes) -> None:
        """Keep `body` under `key` for every worker (or node) sharing the store."""

    def take(self, key: str) -> Flight:
        """Lead the computation of `key`, or wait for its leader and return the answer it kept."""

    def land(self, flight: Flight | None) -> None:
        """The leader is done (its answer, if any, kept): the waiters may go on."""

    def new_version(self, published: float) -> None:
        """A newly published warehouse (its file's modification time) is met for the first time."""

    def answers(self) -> bool:
        """Whether the store answers now (for /healthz)."""

    def claim(self, name: str, seconds: float) -> bool:
        """True for the first caller of every worker and node sharing the store to claim `name`
        (within `seconds`; after that it may be claimed again): who warms a version (dashboard.warm)."""


def open_answer_store(directory: Path | None) -> AnswerStore | None:
    """The store the settings name, or None when answers are not shared."""
    if url := os.environ.get("TPD_CACHE_URL", ""):
        from dashboard.redis_answers import RedisAnswers
        return RedisAnswers.from_url(url)
    if directory is None:
        return None
    return FileAnswers(directory, int(os.environ.get("TPD_SHARED_CACHE_ENTRIES", "5000")))


class FileAnswers:
    """Answers in files beside the warehouse; beyond `entries` answers the oldest go first."""

    kind = "file"

    def __init__(self, directory: Path, entries: int):
        self.directory = Path(directory)
        self._cache = FileSystemCache(str(directory), threshold=entries, default_timeout=0, mode=0o600)
        self._flights = Flights(self.directory.with_name(self.directory.name + ".inflight"))

    def get(self, key: str) -> bytes | None:
        return self._cache.get(key)

    def keep(self, key: str, body: bytes) -> None:
        self._cache.set(key, body)

    def take(self, key: str) -> Taken:
        return self._flights.take(key, lambda: self._cache.get(key))

    def land(self, taken: Taken | None) -> None:
        Flights.land(taken)

    def new_version(self, published: float) -> None:
        """The answers written before the publish go: their keys can never be asked again.
        Answers of the new version are all newer than the file, so two workers doing this at
        once lose nothing of each other's."""
        try:
            self._flights.forget_older_than(published)
            for entry in os.scandir(self.directory):
                if entry.is_file() and entry.name != FileSystemCache._fs_count_file and entry.stat().st_mtime < published:
                    os.unlink(entry.path)
        except OSError:   # another worker removed it first, or the directory is not there yet
            pass

    def answers(self) -> bool:
        return self.directory.is_dir() and os.access(self.directory, os.W_OK | os.X_OK)

    def claim(self, name: str, seconds: float) -> bool:
        """A file created only if absent, beside the locks (older than `seconds`: claimed again)."""
        path = self._flights.directory / ("claim-" + hashlib.sha256(name.encode()).hexdigest())
        for _ in range(2):
            try:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                return True
            except FileExistsError:
                try:
                    if time.time() - path.stat().st_mtime < seconds:
                        return False
                    os.unlink(path)       # a claim whose time is up: the next loop claims it anew
                except OSError:
                    pass
            except OSError:               # the directory is not there: nobody can share the work
                return True
        return False

