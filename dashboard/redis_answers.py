"""Shared answers and single-flight locks in Redis, for several nodes (`TPD_CACHE_URL=redis://…`).

The same interface as the file store (dashboard.answer_store), across machines:

- an answer is a string at `tpd:answer:<key>`, where the key
  (`shared_answers.answer_key`) hashes the warehouse version every replica of
  the publish shares, the day, the answer class, the scope, the callback and
  its inputs. Each expires after `TPD_CACHE_ANSWER_SECONDS` (default a day:
  the day is in the key, so no answer is asked for after its day).
- a lock is `tpd:flight:<key>`, set only if absent, holding the leader's token,
  with a time to live of `TPD_CACHE_LOCK_SECONDS` (default 30): a leader that
  dies (its worker killed, its node gone) frees it within that time, and a
  waiter then leads in its place. A leader removes only its own lock.
- a waiter polls for the answer or the lock's end, and after `wait_s`
  computes on its own, as with the file store.

Redis failing never fails a request: a read finds nothing, a write keeps
nothing, a lock is not taken (the request computes unled). After a failure the
store is left alone for `retry_s` seconds, so a Redis that is down costs the
requests nothing, and used again after that, when it is back.
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass

import redis

log = logging.getLogger("tpd.answers")

PREFIX = "tpd:"
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


@dataclass
class Flight:
    """What `take` decided: an answer another node kept, or this request leads (holding the lock
    `lock` with its `token` until `land`), or it computes on its own (neither)."""
    answer: bytes | None = None
    token: str | None = None
    lock: str | None = None


def _seconds(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


class RedisAnswers:
    kind = "redis"

    def __init__(self, client: redis.Redis, *, answer_s: float = 86400, lock_s: float = 30,
                 wait_s: float = 30, poll_s: float = 0.02, retry_s: float = 2):
        self.client = client
        self.answer_ms, self.lock_ms = int(answer_s * 1000), int(lock_s * 1000)
        self.wait_s, self.poll_s, self.retry_s = wait_s, poll_s, retry_s
        self._release = client.register_script(RELEASE)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str) -> "RedisAnswers":
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2,
                                      health_check_interval=30)
        return cls(client, answer_s=_seconds("TPD_CACHE_ANSWER_SECONDS", 86400),
                   lock_s=_seconds("TPD_CACHE_LOCK_SECONDS", 30))

    # -- Redis calls that never fail a request ------------------------------------------------

    def _call(self, what, fallback):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return what()
        except redis.RedisError as exc:
            with self._lock:
                if time.monotonic() >= self._down_until:
                    log.warning("Redis does not answer (%s): answering without the shared cache for %.0f s",
                                exc, self.retry_s)
                self._down_until = time.monotonic() + self.retry_s
            return fallback

    # -- the store interface --------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        return self._call(lambda: self.client.get(PREFIX + "answer:" + key), None)

    def keep(self, key: str, body: bytes) -> None:
        self._call(lambda: self.client.set(PREFIX + "answer:" + key, body, px=self.answer_ms), None)

    def take(self, key: str) -> Flight:
        lock, token = PREFIX + "flight:" + key, secrets.token_hex(16)
        if self._call(lambda: self.client.set(lock, token, nx=True, px=self.lock_ms), None):
            return Flight(token=token, lock=lock)
        deadline = time.monotonic() + self.wait_s
        while time.monotonic() < deadline and time.monotonic() >= self._down_until:
            time.sleep(self.poll_s)
            answer = self.get(key)
            if answer is not None:
                return Flight(answer=answer)
            held = self._call(lambda: self.client.exists(lock), None)
            if held == 0:                # landed without an answer, or its leader died: compute
                return Flight(answer=self.get(key))
        return Flight()                   # waited long enough, or Redis went away: compute unled

    def land(self, flight: Flight | None) -> None:
        if flight is not None and flight.token is not None:
            token, flight.token = flight.token, None
            self._call(lambda: self._release(keys=[flight.lock], args=[token]), None)

    def new_version(self, published: float) -> None:
        """Nothing to remove: older versions' answers are never asked again and expire."""

    def claim(self, name: str, seconds: float) -> bool:
        """`tpd:claim:<name>` set only if absent, for `seconds`. Redis down: not claimed (nothing
        computed could be kept for the others)."""
        token = f"{os.getpid()}-{secrets.token_hex(8)}"
        return bool(self._call(lambda: self.client.set(PREFIX + "claim:" + name, token, nx=True,
                                                       px=max(1, int(seconds * 1000))), None))

    def answers(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False
