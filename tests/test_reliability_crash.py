"""Crash safety: what a killed load leaves behind."""
from __future__ import annotations

from tests.conftest import load, rec, write_records
from warehouse.connection import journal_entries, journal_path


def test_a_journal_line_cut_by_a_kill_does_not_swallow_the_next_entry(ref_db, inbox):
    files = [write_records(inbox / "incidents.csv", "incidents", [rec("incidents")])]
    with open(journal_path(ref_db), "ab") as fh:
        fh.write(b'{"batch_id": "cut-short", "event": "sta')
    result = load(ref_db, *files)
    events = [(e["batch_id"], e["event"]) for e in journal_entries(ref_db)]
    assert events[-2:] == [(result.batch_id, "started"), (result.batch_id, "committed")]
