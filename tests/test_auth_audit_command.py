"""`python -m dashboard.users audit`: administrators read the audit log as CSV, filtered, through the store.

Entries here are written at chosen UTC times (the store's clock is set), so
that China days can be told from UTC days: 2026-12-01T15:30Z is 23:30 on
1 December in China, 2026-12-01T16:30Z already 00:30 on 2 December.
"""
from __future__ import annotations

import csv
import io
from contextlib import redirect_stderr, redirect_stdout

import pytest

from dashboard.auth import store
from dashboard.users import main

PASSWORD = "Correct-horse-42"
BOM = "\ufeff"
ENGINES = ("sqlite", "postgres")
NO_WAREHOUSE = "/nonexistent/none.duckdb"   # the audit command reads no warehouse


@pytest.fixture
def udb(users_location, monkeypatch):
    """These entries (UTC): 30 Nov 00:00 wang is added, 1 Dec 15:30 wang signs in, 16:30 a failed sign-in
    for lee from 10.0.0.7, 2 Dec 02:00 wang exports a chart; later ones at 3 Dec 01:00. Once in SQLite,
    once in PostgreSQL."""
    path = users_location
    clock = iter(["2026-11-30T00:00:00Z", "2026-11-30T00:00:00Z", "2026-12-01T15:30:00Z",
                  "2026-12-01T15:30:00Z", "2026-12-01T16:30:00Z", "2026-12-02T02:00:00Z"])
    for engine in ENGINES:
        monkeypatch.setattr(f"warehouse.users_store.{engine}.now_utc", lambda: next(clock))
    store.add("wang", "leader", password=PASSWORD, must_change=False, actor="cli:root@host", db=path)  # 2 times
    store.authenticate("wang", PASSWORD, ip="10.0.0.9", db=path)                                       # 2 times
    store.authenticate("lee", "wrong-password", ip="10.0.0.7", db=path)
    from warehouse.users_store import Event, open_store
    open_store(path).append_audit(Event("export", actor="wang", target="chart:incidents-trend",
                                        detail={"fmt": "png", "filters": "?period=last_week"}))
    for engine in ENGINES:
        monkeypatch.setattr(f"warehouse.users_store.{engine}.now_utc", lambda: "2026-12-03T01:00:00Z")
    return path


def audit(db, *args, out_file=None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--db", NO_WAREHOUSE, "--users-db", str(db), "audit", *args])
    return code, out.getvalue(), err.getvalue()


def rows_of(text: str) -> list[dict]:
    assert text.startswith(BOM)
    reader = csv.reader(io.StringIO(text[1:]))
    header = next(reader)
    keys = ["id", "at", "actor", "event", "target", "detail", "ip"]
    assert len(header) == len(keys) and "北京时间" in header[1]
    return [dict(zip(keys, row)) for row in reader]


def test_the_whole_log_comes_out_oldest_first_in_china_time(udb):
    code, out, _ = audit(udb)
    rows = rows_of(out)
    assert code == 0
    assert [(r["at"], r["event"]) for r in rows] == [
        ("2026-11-30 08:00:00", "user.added"), ("2026-12-01 23:30:00", "signin.ok"),
        ("2026-12-02 00:30:00", "signin.failed"), ("2026-12-02 10:00:00", "export")]
    assert rows[2]["target"] == "lee" and rows[2]["ip"] == "10.0.0.7"
    assert '"fmt": "png"' in rows[3]["detail"]


def test_filter_by_user_gives_what_they_did_and_what_was_done_to_them(udb):
    rows = rows_of(audit(udb, "--user", "Wang")[1])
    assert [r["event"] for r in rows] == ["user.added", "signin.ok", "export"]
    assert rows[0]["actor"] == "cli:root@host" and rows[0]["target"] == "wang"
    assert [r["event"] for r in rows_of(audit(udb, "--user", "lee")[1])] == ["signin.failed"]


def test_filter_by_kind_takes_an_event_or_every_event_of_a_kind(udb):
    assert [r["event"] for r in rows_of(audit(udb, "--kind", "signin")[1])] == ["signin.ok", "signin.failed"]
    assert [r["event"] for r in rows_of(audit(udb, "--kind", "signin.failed")[1])] == ["signin.failed"]
    assert [r["event"] for r in rows_of(audit(udb, "--kind", "user", "--kind", "export")[1])] == [
        "user.added", "export"]
    assert rows_of(audit(udb, "--kind", "sign")[1]) == []     # a kind is a whole word, not any prefix


def test_from_and_to_are_china_days_both_included(udb):
    assert [r["event"] for r in rows_of(audit(udb, "--from", "2026-12-02")[1])] == ["signin.failed", "export"]
    assert [r["event"] for r in rows_of(audit(udb, "--to", "2026-12-01")[1])] == ["user.added", "signin.ok"]
    assert [r["event"] for r in rows_of(audit(udb, "--from", "2026-12-01", "--to", "2026-12-01")[1])] == [
        "signin.ok"]


def test_from_and_to_take_a_china_time_to_the_second(udb):
    rows = rows_of(audit(udb, "--from", "2026-12-01 23:30", "--to", "2026-12-02 00:30:00")[1])
    assert [r["event"] for r in rows] == ["signin.ok", "signin.failed"]


def test_filters_combine(udb):
    rows = rows_of(audit(udb, "--user", "wang", "--kind", "signin", "--from", "2026-12-01")[1])
    assert [(r["event"], r["ip"]) for r in rows] == [("signin.ok", "10.0.0.9")]


def test_out_writes_a_utf8_file_with_a_bom_for_excel(udb, tmp_path):
    target = tmp_path / "audit.csv"
    code, out, err = audit(udb, "--kind", "export", "--out", str(target))
    assert code == 0 and out == "" and "1" in err and str(target) in err
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "操作人".encode() in data
    assert [r["target"] for r in rows_of(data.decode("utf-8"))] == ["chart:incidents-trend"]
    assert target.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("args,said", [
    (("--from", "2026-13-01"), "not a time"),
    (("--to", "yesterday"), "not a time"),
    (("--from", "2026-12-03", "--to", "2026-12-01"), "is after"),
    (("--from", "2026-12-01T08:00:00+08:00"), "without a zone"),
])
def test_a_bad_time_is_refused_with_a_bilingual_reason(udb, args, said):
    code, out, err = audit(udb, *args)
    assert code == 2 and out == "" and said in err and "未执行" in err


def test_reading_the_log_is_itself_audited(udb):
    audit(udb, "--user", "lee")
    rows = rows_of(audit(udb, "--kind", "audit")[1])
    assert [r["event"] for r in rows] == ["audit.read"]
    assert rows[0]["actor"].startswith("cli:") and '"users": ["lee"]' in rows[0]["detail"]


def test_a_cell_that_would_start_a_formula_is_quoted(udb):
    from warehouse.users_store import Event, open_store
    open_store(udb).append_audit(Event("signin.failed", target="=HYPERLINK(\"http://x\")", ip="10.0.0.8"))
    rows = rows_of(audit(udb, "--kind", "signin.failed")[1])
    assert rows[-1]["target"] == "'=HYPERLINK(\"http://x\")"
