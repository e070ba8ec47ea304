"""The SQL the query layer runs: for tests that say how many statements, or which tables, an answer reads."""
from __future__ import annotations


def recorded_statements(monkeypatch) -> list[str]:
    """The SQL of every statement the query layer runs from here on (its cache cleared first)."""
    from dashboard.queries import db

    ran: list[str] = []
    original = db._run

    class Recorder:
        def __init__(self, cur):
            self._cur = cur

        def execute(self, sql, params=None):
            ran.append(sql)
            return self._cur.execute(sql, params or {})

        def __getattr__(self, name):
            return getattr(self._cur, name)

    monkeypatch.setattr(db, "_run", lambda fn: original(lambda cur: fn(Recorder(cur))))
    db.clear_cache()
    return ran
