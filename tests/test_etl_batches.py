"""Batches: atomic loads, upserts with history, references, PII, the load log and the command.

A batch is all files of one `etl load` call. Either all of it is published or,
on a refused file, an exception or a SIGKILL, the warehouse is exactly as it
was; readers keep answering from the published version meanwhile.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from decimal import Decimal

import duckdb
import pytest

import etl.loader
from etl.errors import BatchRefused
from etl.pii import salt_path
from warehouse.record_types import RECORD_TYPES
from tests.conftest import (ROOT, cli_load, cli_main, load, query, quarantined, rec, reference_batch,
                            table_rows, write_csv, write_records)
from warehouse.connection import Warehouse


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(db) -> dict:
    """Every table's rows, bookkeeping included, in a stable order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f"select * from {t}").fetchall())) for t in tables}
    finally:
        con.close()


def incidents(db):
    return query(db, "select incident_id, category from incidents order by 1")


def stray_files(db):
    return sorted(p.name for p in db.parent.iterdir() if ".loading-" in p.name)


# --- atomic batches -----------------------------------------------------------------------

def test_a_refused_file_refuses_the_batch_and_leaves_the_warehouse_unchanged(ref_db, inbox):
    before, before_rows = digest(ref_db), snapshot(ref_db)
    good = write_records(inbox / "incidents.csv", "incidents", [rec("incidents")])
    units = write_records(inbox / "units.csv", "units", [rec("units")])
    bad = write_csv(inbox / "services.csv", ["服务编号", "服务日期"], [["F01", "2021-05-03"]])
    with pytest.raises(BatchRefused):
        load(ref_db, good, units, bad)
    assert digest(ref_db) == before and snapshot(ref_db) == before_rows
    assert stray_files(ref_db) == []


def test_a_refused_first_batch_creates_no_warehouse(db, inbox):
    bad = write_csv(inbox / "units.csv", ["单位编码"], [["C01"]])
    assert cli_main(db, bad).returncode == 2
    assert not db.exists() and stray_files(db) == []


def test_a_crash_on_the_second_file_leaves_the_warehouse_as_it_was(ref_db, inbox, monkeypatch):
    before, before_rows = digest(ref_db), snapshot(ref_db)
    real_merge, calls = etl.loader.merge, []

    def failing_merge(con, rt, *args, **kw):
        calls.append(rt.name)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real_merge(con, rt, *args, **kw)

    monkeypatch.setattr(etl.loader, "merge", failing_merge)
    files = [write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]),
             write_records(inbox / "services.csv", "services", [rec("services")])]
    with pytest.raises(RuntimeError, match="disk on fire"):
        load(ref_db, *files)
    assert calls == ["incidents", "services"]
    assert digest(ref_db) == before and snapshot(ref_db) == before_rows
    assert stray_files(ref_db) == []

    monkeypatch.setattr(etl.loader, "merge", real_merge)
    result = load(ref_db, *files)
    assert [f.loaded for f in result.files] == [1, 1]
    assert query(ref_db, "select status, message from load_log where status = 'failed'") == [
        ("failed", "RuntimeError: disk on fire")]


KILLER = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    import etl.loader

    real_merge, calls = etl.loader.merge, []

    def merge(con, rt, *args, **kw):
        calls.append(rt.name)
        if len(calls) == 2:
            os.kill(os.getpid(), 9)  # SIGKILL: no cleanup, no except, no finally
        return real_merge(con, rt, *args, **kw)

    etl.loader.merge = merge
    etl.loader.load_batch({db!r}, {files!r})
""")


def test_a_sigkilled_load_leaves_the_warehouse_as_it_was_and_the_next_load_logs_it(ref_db, inbox):
    before, before_rows = digest(ref_db), snapshot(ref_db)
    files = [str(write_records(inbox / "incidents.csv", "incidents", [rec("incidents")])),
             str(write_records(inbox / "services.csv", "services", [rec("services")]))]
    script = KILLER.format(root=str(ROOT), db=str(ref_db), files=files)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert digest(ref_db) == before and snapshot(ref_db) == before_rows
    assert stray_files(ref_db)  # the killed copy is still there ...

    result = load(ref_db, *files)
    assert stray_files(ref_db) == []  # ... until the next writer removes it
    assert [f.loaded for f in result.files] == [1, 1]
    log = query(ref_db, "select status, files, message from load_log where status <> 'committed'")
    assert len(log) == 1 and log[0][0] == "interrupted" and log[0][1] == 2
    assert "interrupted" in log[0][2]


def test_a_refused_batch_shows_in_the_load_log_after_the_next_load(ref_db, inbox):
    bad = write_csv(inbox / "services.csv", ["服务编号"], [["F01"]])
    with pytest.raises(BatchRefused):
        load(ref_db, bad)
    load(ref_db, write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]))
    log = query(ref_db, "select status, message from load_log where status <> 'committed'")
    assert len(log) == 1 and log[0][0] == "refused" and "services.csv" in log[0][1]


# --- upserts --------------------------------------------------------------------------------

def test_reloading_the_same_files_changes_nothing(ref_db, inbox):
    files = [write_records(inbox / "incidents.csv", "incidents",
                           [rec("incidents"), rec("incidents", incident_id="J002", category="诈骗")]),
             write_records(inbox / "officers.csv", "officers", [rec("officers", phone="13800138000")]),
             write_records(inbox / "units.csv", "units", [rec("units")])]
    load(ref_db, *files)
    tables = [rt.name for rt in RECORD_TYPES]
    before = {t: table_rows(ref_db, t, "all") for t in tables}
    result = load(ref_db, *files)
    assert [(f.rows, f.loaded, f.updated, f.unchanged, f.quarantined) for f in result.files] == [
        (1, 0, 0, 1, 0), (1, 0, 0, 1, 0), (2, 0, 0, 2, 0)]
    assert {t: table_rows(ref_db, t, "all") for t in tables} == before
    assert query(ref_db, "select count(*) from history") == [(0,)]


def test_the_same_records_in_another_format_and_encoding_are_unchanged(ref_db, inbox):
    load(ref_db, write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]))
    again = write_records(inbox / "涉旅警情.xlsx", "incidents",
                          [rec("incidents", received_at="2021年5月3日 14:05", category=" 盗窃 ")])
    assert load(ref_db, again).files[0].unchanged == 1


def test_a_changed_row_is_updated_and_its_old_version_kept_in_history(ref_db, inbox):
    first = load(ref_db, write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]))
    second = load(ref_db, write_records(inbox / "incidents_fix.csv", "incidents",
                                        [rec("incidents", category="诈骗")]))
    assert (second.files[0].updated, second.files[0].loaded) == (1, 0)
    assert incidents(ref_db) == [("J001", "诈骗")]
    assert query(ref_db, "select _batch_id from incidents") == [(second.batch_id,)]
    history = query(ref_db, "select batch_id, record_type, record_key, old_record from history")
    assert len(history) == 1
    batch_id, record_type, key, old = history[0]
    assert (batch_id, record_type, key) == (second.batch_id, "incidents", "J001")
    assert json.loads(old)["category"] == "盗窃" and json.loads(old)["_batch_id"] == first.batch_id


def test_a_later_load_of_an_older_export_still_wins(ref_db, inbox):
    load(ref_db, write_records(inbox / "a.csv", "incidents", [rec("incidents", category="诈骗")]),
         record_type="incidents")
    load(ref_db, write_records(inbox / "b.csv", "incidents", [rec("incidents", category="盗窃")]),
         record_type="incidents")
    assert incidents(ref_db) == [("J001", "盗窃")]
    assert query(ref_db, "select count(*) from history") == [(1,)]


def test_a_row_is_never_deleted_by_a_file_that_lacks_it(ref_db, inbox):
    load(ref_db, write_records(inbox / "a.csv", "incidents", [rec("incidents")]), record_type="incidents")
    load(ref_db, write_records(inbox / "b.csv", "incidents", [rec("incidents", incident_id="J002")]),
         record_type="incidents")
    assert [r[0] for r in incidents(ref_db)] == ["J001", "J002"]


def test_composite_key_rows_update_in_place(ref_db, inbox):
    load(ref_db, write_records(inbox / "visitors.csv", "visitors", [rec("visitors", visitors="100")]))
    result = load(ref_db, write_records(inbox / "visitors_2.csv", "visitors",
                                        [rec("visitors", visit_date="2021/5/3", visitors="150"),
                                         rec("visitors", visit_date="2021/5/4", visitors="90")]))
    assert [(f.loaded, f.updated) for f in result.files] == [(1, 1)]
    assert query(ref_db, "select visit_date::varchar, visitors from visitors order by 1") == [
        ("2021-05-03", 150), ("2021-05-04", 90)]
    assert query(ref_db, "select record_key from history") == [("A01|2021-05-03",)]


# --- references -----------------------------------------------------------------------------

def test_references_resolve_against_the_warehouse(ref_db, inbox):
    result = load(ref_db, write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]))
    assert result.files[0].loaded == 1


def test_references_resolve_against_the_same_batch(db, inbox):
    refs = reference_batch(inbox)
    result = load(db, write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]), *refs)
    assert [(f.type, f.loaded, f.quarantined) for f in result.files] == [
        ("units", 3, 0), ("scenic_areas", 1, 0), ("incidents", 1, 0)]


def test_reference_types_load_first_whatever_the_file_order(db, inbox):
    files = [write_records(inbox / "votes.csv", "votes", [rec("votes")]),
             write_records(inbox / "nominations.csv", "nominations", [rec("nominations")]),
             write_records(inbox / "officers.csv", "officers", [rec("officers")]),
             write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]),
             *reversed(reference_batch(inbox))]
    result = load(db, *files)
    assert [f.type for f in result.files] == ["units", "scenic_areas", "officers", "incidents",
                                              "nominations", "votes"]
    assert all(f.quarantined == 0 for f in result.files)


def test_a_reference_quarantined_in_the_batch_does_not_resolve(db, inbox):
    units = reference_batch(inbox)[0]
    areas = write_records(inbox / "scenic_areas.csv", "scenic_areas", [rec("scenic_areas", area_code="A01", lon="999")])
    load(db, units, areas, write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]))
    assert [(e["record_type"], e["reason"]) for e in quarantined(db)] == [
        ("incidents", "unknown_reference"), ("scenic_areas", "out_of_range")]


# --- schema ---------------------------------------------------------------------------------

def test_a_warehouse_from_before_the_decimal_change_takes_the_new_types_on_its_next_load(ref_db, inbox):
    con = duckdb.connect(str(ref_db))
    for table, column in (("scenic_areas", "lon"), ("scenic_areas", "lat"), ("mediations", "compensation_yuan")):
        con.execute(f"alter table {table} alter column {column} set data type decimal(18,4)")
    con.close()
    load(ref_db, write_records(inbox / "scenic_areas.csv", "scenic_areas",
                               [rec("scenic_areas", lon="116.397128", lat="39.916527")]))
    assert dict(query(ref_db, "select column_name, data_type from duckdb_columns() "
                              "where column_name in ('lon', 'lat', 'compensation_yuan')")) == {
        "lon": "DECIMAL(18,6)", "lat": "DECIMAL(18,6)", "compensation_yuan": "DECIMAL(18,2)"}
    assert query(ref_db, "select area_code, lon, lat from scenic_areas order by 1") == [
        ("A01", Decimal("110.5"), Decimal("25.3")), ("A09", Decimal("116.397128"), Decimal("39.916527"))]


# --- PII ------------------------------------------------------------------------------------

PHONE = "13912345678"
PHONE_FORMS = ["13912345678", "139 1234 5678", "139-1234-5678", "+86 139 1234 5678", "８６-13912345678",
               "１３９１２３４５６７８", "(+86)139-1234-5678"]


def every_varchar_value(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute("select table_name, column_name from duckdb_columns() "
                              "where not internal and (data_type = 'VARCHAR' or data_type = 'VARCHAR[]')").fetchall()
        for table, column in columns:
            for (value,) in con.execute(f'select distinct "{column}"::varchar from "{table}"').fetchall():
                yield table, column, value
    finally:
        con.close()


def test_phones_and_voter_keys_are_stored_only_as_salted_hashes(ref_db, inbox):
    files = [
        write_records(inbox / "officers.csv", "officers", [
            rec("officers", phone=PHONE),
            rec("officers", person_id="110002", phone="13700001111", joined_on="不详")]),  # quarantined
        write_records(inbox / "surveys.csv", "surveys", [rec("surveys", phone="139-1234-5678")]),
        write_records(inbox / "nominations.csv", "nominations", [rec("nominations")]),
        write_records(inbox / "votes.csv", "votes", [
            rec("votes", voter_key="oWx-secret-openid"),
            rec("votes", vote_id="V02", voter_key="oWx-other-openid", voted_at="昨天")]),  # quarantined
    ]
    load(ref_db, *files)
    assert len(quarantined(ref_db)) == 2
    secrets = [PHONE, "13912345678", "1234-5678", "13700001111", "oWx-secret-openid", "oWx-other-openid"]
    leaks = [(t, c, s) for t, c, v in every_varchar_value(ref_db) for s in secrets if v and s in v]
    assert leaks == []
    raw = ref_db.read_bytes()
    assert not any(s.encode() in raw for s in secrets)
    (stored,) = query(ref_db, "select phone from officers")[0]
    assert len(stored) == 64 and all(ch in "0123456789abcdef" for ch in stored)
    assert stored != hashlib.sha256(PHONE.encode()).hexdigest()  # salted


def test_a_malformed_row_of_a_type_with_pii_is_quarantined_without_the_phone(ref_db, inbox):
    path = inbox / "officers.csv"
    path.write_text("人员编号,姓名,人员类别,所属单位编码,入队日期,联系电话\n"
                    "110001,张伟,专职旅游警察,P01,2020-01-01,13912345678\n"
                    "110002,王,芳,专职旅游警察,P01,2020-01-01,139 1234 5679\n", encoding="utf-8")
    result = load(ref_db, path)
    (error,) = quarantined(ref_db)
    assert (error["row_number"], error["reason"]) == (3, "malformed") and result.files[0].loaded == 1
    assert "110002" in error["raw_value"]
    assert "5679" not in error["raw_value"] and "13912345678" not in ref_db.read_bytes().decode("latin-1")


def test_a_quarantined_row_keeps_its_pii_only_as_the_hash(ref_db, inbox):
    path = write_records(inbox / "officers.csv", "officers", [rec("officers", phone=PHONE, joined_on="不详")])
    load(ref_db, path)
    (error,) = quarantined(ref_db)
    raw = json.loads(error["raw_record"])
    assert raw["joined_on"] == "不详" and raw["person_id"] == "110001"
    assert len(raw["phone"]) == 64 and PHONE not in error["raw_record"]


def test_the_salt_lives_outside_the_warehouse_readable_by_its_owner_only(ref_db):
    salt = salt_path(ref_db)
    assert salt.exists() and salt.parent == ref_db.parent
    assert oct(salt.stat().st_mode & 0o777) == "0o600"
    assert salt.read_text().strip().encode() not in ref_db.read_bytes()


def test_the_same_phone_in_different_formats_hashes_equal(ref_db, inbox):
    rows = [rec("surveys", response_id=f"Q{i}", phone=p) for i, p in enumerate(PHONE_FORMS)]
    rows.append(rec("surveys", response_id="Q-other", phone="13912345679"))
    load(ref_db, write_records(inbox / "surveys.csv", "surveys", rows))
    hashes = dict(query(ref_db, "select response_id, phone from surveys"))
    assert len({hashes[f"Q{i}"] for i in range(len(PHONE_FORMS))}) == 1
    assert hashes["Q-other"] != hashes["Q0"]


def test_the_same_voter_hashes_equal_across_loads_so_repeat_votes_match(ref_db, inbox):
    load(ref_db, write_records(inbox / "officers.csv", "officers", [rec("officers")]),
         write_records(inbox / "nominations.csv", "nominations", [rec("nominations")]),
         write_records(inbox / "votes.csv", "votes", [rec("votes", voter_key="voter-9")]))
    load(ref_db, write_records(inbox / "votes_2.csv", "votes",
                               [rec("votes", vote_id="V02", voter_key=" voter-9 ", voted_at="2021-06-02 10:00")]))
    assert query(ref_db, "select count(distinct voter_key) from votes") == [(1,)]
    assert query(ref_db, "select vote_id, is_valid from vote_facts order by 1") == [("V01", True), ("V02", False)]


def test_a_blank_phone_stays_null_not_a_hash_of_nothing(ref_db, inbox):
    load(ref_db, write_records(inbox / "officers.csv", "officers", [rec("officers", phone="-")]))
    assert query(ref_db, "select phone from officers") == [(None,)]


# --- the load log ---------------------------------------------------------------------------

def test_the_load_log_records_who_when_what_and_the_counts(ref_db, inbox):
    files = [write_records(inbox / "incidents.csv", "incidents",
                           [rec("incidents"), rec("incidents", incident_id="J2", unit_code="X")]),
             write_records(inbox / "services.csv", "services", [rec("services")])]
    result = load(ref_db, *files, user="clerk-li")
    log = query(ref_db, "select user_name, status, files, rows, loaded, updated, unchanged, quarantined, "
                        "started_at <= finished_at from load_log where batch_id = $b", {"b": result.batch_id})
    assert log == [("clerk-li", "committed", 2, 3, 2, 0, 0, 1, True)]


def test_load_files_hold_a_checksum_and_counts_per_file(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents", [rec("incidents")])
    result = load(ref_db, path)
    rows = query(ref_db, "select file_name, file_path, record_type, sha256, size_bytes, rows, loaded "
                         "from load_files where batch_id = $b", {"b": result.batch_id})
    assert rows == [(str(path), str(path.resolve()), "incidents", digest(path), path.stat().st_size, 1, 1)]


def test_every_batch_gets_its_own_id(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents", [rec("incidents")])
    ids = {load(ref_db, path).batch_id for _ in range(2)}
    assert len(ids) == 2
    assert query(ref_db, "select count(distinct batch_id) from load_log") == [(3,)]  # + the reference batch


# --- the command ------------------------------------------------------------------------------

def test_json_output_has_the_documented_shape(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents",
                         [rec("incidents"), rec("incidents", incident_id="J2", category="?")])
    proc = cli_load(ref_db, path)
    assert proc.returncode == 0, proc.stderr
    out = proc.json
    assert isinstance(out["batch_id"], str) and out["batch_id"]
    assert out["files"] == [{**out["files"][0], "file": str(path), "type": "incidents", "rows": 2,
                             "loaded": 1, "updated": 0, "unchanged": 0, "quarantined": 1}]
    assert all(isinstance(out["files"][0][k], int) for k in ("rows", "loaded", "updated", "unchanged", "quarantined"))
    assert query(ref_db, "select count(*) from load_log where batch_id = $b", {"b": out["batch_id"]}) == [(1,)]


def test_json_output_names_each_file_as_given(ref_db, inbox):
    write_records(inbox / "incidents.csv", "incidents", [rec("incidents")])
    proc = subprocess.run([sys.executable, "-m", "etl", "load", "--json", "--db", str(ref_db), "incidents.csv"],
                          cwd=inbox, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert [f["file"] for f in json.loads(proc.stdout)["files"]] == ["incidents.csv"]


def test_refused_batch_prints_an_error_object_and_exits_2(ref_db, inbox):
    bad = write_csv(inbox / "incidents.csv", ["警情编号"], [["J001"]])
    proc = cli_load(ref_db, bad)
    assert proc.returncode == 2
    assert isinstance(proc.json["error"], str) and "incidents.csv" in proc.json["error"]
    assert "batch_id" not in proc.json or proc.json.get("status") == "refused"


def test_a_refusal_names_the_file_as_given_and_the_batch_id_the_load_log_shows(ref_db, inbox):
    (inbox / "sub").mkdir()
    bad = write_csv(inbox / "sub" / "本月导出.csv", ["警情编号"], [["J001"]])  # no type in the name
    given = str(bad)  # the path as typed, not only the file's name
    proc = cli_main(ref_db, given)
    assert proc.returncode == 2
    assert proc.json["file"] == given and proc.json["status"] == "refused"
    assert isinstance(proc.json["batch_id"], str) and proc.json["batch_id"]
    load(ref_db, write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]))
    assert query(ref_db, "select status from load_log where batch_id = $b", {"b": proc.json["batch_id"]}) == [
        ("refused",)]


def test_text_summary_goes_to_standard_output_per_file(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents", [rec("incidents")])
    proc = subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(ref_db), str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "incidents.csv" in proc.stdout and "incidents" in proc.stdout


# --- readers during a load ------------------------------------------------------------------

def test_readers_keep_the_old_version_while_a_load_publishes_and_then_see_the_new(ref_db, inbox):
    warehouse = Warehouse(ref_db)
    old = warehouse.cursor()
    assert old.execute("select count(*) from incidents").fetchone() == (0,)
    load(ref_db, write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]))
    assert old.execute("select count(*) from incidents").fetchone() == (0,)  # still the old file
    new = warehouse.cursor()
    assert new.execute("select count(*) from incidents").fetchone() == (1,)


def test_a_reader_does_not_block_a_load(ref_db, inbox):
    reader = duckdb.connect(str(ref_db), read_only=True)
    try:
        result = load(ref_db, write_records(inbox / "incidents.csv", "incidents", [rec("incidents")]))
        assert result.files[0].loaded == 1
    finally:
        reader.close()
    assert Warehouse(ref_db).cursor().execute("select count(*) from incidents").fetchone() == (1,)
