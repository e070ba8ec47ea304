"""`python -m dashboard.users` on PostgreSQL, and `copy-to-postgres`: a SQLite users database goes over
with nothing lost (counts per table and a sample of rows compared), a non-empty target is refused
unless `--merge`, and every refusal says why in Chinese and English."""
from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import psycopg
import pytest

from dashboard.auth import sessions, store
from dashboard.users import main
from warehouse.users_store import AuditQuery, Event, SqliteUsersStore, forget_store, open_store

PASSWORD = "Correct-horse-42"
BEFORE_ALEMBIC = Path(__file__).parent / "samples" / "users-v2-before-alembic.sqlite3"


def users_cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def sqlite_users(tmp_path):
    """A SQLite users database with some history: the file from before Alembic, then more."""
    path = tmp_path / "users.sqlite3"
    shutil.copy(BEFORE_ALEMBIC, path)
    store.configure(path)
    store.add("wang", "leader", password=PASSWORD, display_name="王局", must_change=False, actor="tests")
    token = sessions.start(store.get("wang"))
    old = open_store(path)
    for n in range(30):
        old.append_audit(Event("export", actor="wang", target=f"chart-{n}", detail={"城市": "宜良", "n": n}))
    store.configure(None)
    yield path, token
    forget_store(path)


def counts(url) -> dict[str, int]:
    with psycopg.connect(url) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("users", "sessions", "audit_log", "settings")}


def test_the_users_command_line_works_on_postgresql(postgres_url, tmp_path):
    base = ("--db", str(tmp_path / "none.duckdb"), "--users-db", postgres_url)
    code, out, _ = users_cli(*base, "add", "wang", "--role", "leader", "--name", "王")
    assert code == 0 and "one-time password for wang" in out
    code, out, _ = users_cli(*base, "list", "--json")
    assert [u["username"] for u in json.loads(out)] == ["wang"]
    assert users_cli(*base, "disable", "wang")[0] == 0 and store.get("wang", postgres_url).disabled
    code, out, _ = users_cli(*base, "audit", "--kind", "user")
    assert code == 0 and "user.added" in out and "user.disabled" in out


def test_copy_to_postgres_copies_every_row_and_checks_a_sample(sqlite_users, postgres_url):
    path, token = sqlite_users
    code, out, err = users_cli("--users-db", str(path), "copy-to-postgres", "--to", postgres_url)
    assert code == 0, err
    assert "checked: rows per table match" in out and "核对一致" in out
    source = SqliteUsersStore(path)
    try:
        target = open_store(postgres_url)
        assert target.accounts() == source.accounts()
        copied = target.audit_entries(AuditQuery(newest_first=False))
        assert copied[:-1] == source.audit_entries(AuditQuery(newest_first=False))   # ids, times, details
        assert copied[-1].event == "users.copied"                                   # the copy is audited there
        assert target.secret_key() == source.secret_key()
        assert counts(postgres_url) == {"users": 3, "sessions": 2, "audit_log": 36, "settings": 1}
    finally:
        source.close()
    store.configure(postgres_url)
    try:
        sessions._checked.clear()
        assert sessions.user_of_session(token).username == "wang"     # a signed-in browser stays signed in
        later = open_store(postgres_url).append_audit(Event("signin.ok", actor="wang"))
        assert later > copied[-1].id                                   # new entries follow the copied ones
    finally:
        store.configure(None)


def test_a_target_with_data_is_refused_unless_merge(sqlite_users, postgres_url, tmp_path):
    path, _ = sqlite_users
    store.add("zhao", "admin", password=PASSWORD, actor="tests", db=postgres_url)
    before = counts(postgres_url)
    code, _, err = users_cli("--users-db", str(path), "copy-to-postgres", "--to", postgres_url)
    assert code == 2 and "目标库已有数据" in err and "already holds data" in err and "--merge" in err
    assert counts(postgres_url) == before
    code, out, err = users_cli("--users-db", str(path), "copy-to-postgres", "--to", postgres_url, "--merge")
    assert code == 0, err
    after = counts(postgres_url)
    assert after["users"] == before["users"] + 3
    assert after["audit_log"] == before["audit_log"] + 35 + 1
    entries = open_store(postgres_url).audit_entries(AuditQuery(newest_first=False))
    assert entries[0].target == "zhao" and entries[-2].target == "chart-29"   # appended after, in order


def test_merging_keeps_an_account_the_target_already_has(sqlite_users, postgres_url):
    path, _ = sqlite_users
    store.add("wang", "admin", password=PASSWORD, display_name="另一个王", actor="tests", db=postgres_url)
    code, out, err = users_cli("--users-db", str(path), "copy-to-postgres", "--to", postgres_url, "--merge")
    assert code == 0, err
    assert "kept as the target had them: wang" in out
    assert store.get("wang", postgres_url).display_name == "另一个王"
    assert store.get("chen", postgres_url).display_name == "陈主任"


@pytest.mark.parametrize("args, said", [
    (("--to", "mysql://x/y"), "must be a postgresql:// URL"),
    (("--to", "postgresql://postgres@127.0.0.1:5432/x"), "no users database at"),
])
def test_a_bad_copy_is_refused_with_a_bilingual_reason(tmp_path, args, said):
    code, _, err = users_cli("--users-db", str(tmp_path / "missing.sqlite3"), "copy-to-postgres", *args)
    assert code == 2 and said in err and "未执行" in err


def test_the_copy_takes_subscriptions_their_deliveries_and_the_archives_records(sqlite_users, postgres_url):
    from warehouse.users_store import ArchiveEntry, Delivery, Subscription
    from warehouse.users_store.copy import copy_to_postgres
    path, _ = sqlite_users
    old = open_store(path)
    sub_id = old.add_subscription(Subscription("wang", "briefing", email="wang@police.example.cn", format="docx"),
                                  Event("subscription.added", actor="wang"))
    entry = old.add_archive(ArchiveEntry("city", None, None, "2026-11-16", "2026-11-22", "zh", "docx", "周报",
                                         "city/a.docx", "city/figures.json", 10, "ab" * 32, "2026-11-23T00:00:05Z"))
    claim = old.claim_delivery(Delivery("briefing", "city", "2026-11-16/2026-11-22#zh.docx", "mail",
                                        "wang@police.example.cn", "wang", "周报", sub_id), "2026-11-23T00:00:00Z", 5)
    old.finish_delivery(claim.id, "sent", Event("delivery.sent"), archive_id=entry.id)
    assert copy_to_postgres(path, postgres_url).ok
    target = open_store(postgres_url)
    [sub] = target.subscriptions("wang")
    [kept] = target.archive_entries()
    [sent] = target.deliveries()
    assert (sub.format, sub.email, kept.issued_at, kept.period_start) == ("docx", "wang@police.example.cn",
                                                                          "2026-11-23T00:00:05Z", "2026-11-16")
    assert (sent.state, sent.subscription_id, sent.archive_id) == ("sent", sub.id, kept.id)
    assert target.claim_delivery(Delivery("briefing", "city", "2026-11-16/2026-11-22#zh.docx", "mail",
                                          "wang@police.example.cn", "wang", "周报"), "2026-11-24T00:00:00Z", 5) is None
