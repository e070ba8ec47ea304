"""Quarantine: every row error is kept with its reason; nothing is dropped silently.

A quarantine row names the file, the row as a clerk sees it in Excel (header,
title rows and blank lines counted), the column, the raw value and a message
in Chinese and English. For every file: rows read = loaded + updated +
unchanged + quarantined.
"""
from __future__ import annotations

import re

import pytest

from etl.errors import BatchRefused
from tests.builders.files import load, quarantined, query, rec, write_csv, write_records, write_xlsx

CJK = re.compile(r"[\u4e00-\u9fff]")


def only_error(db, file_name=None):
    rows = quarantined(db, file_name)
    assert len(rows) == 1, rows
    return rows[0]


def balanced(result):
    return all(f.rows == f.loaded + f.updated + f.unchanged + f.quarantined for f in result.files)


# --- reasons -------------------------------------------------------------------------------

@pytest.mark.parametrize("rt,column", [
    ("incidents", "incident_id"), ("incidents", "received_at"), ("incidents", "category"),
    ("units", "unit_name"), ("votes", "voter_key"), ("visitors", "visit_date"),
])
def test_missing_required_value_is_quarantined(ref_db, inbox, rt, column):
    refs = []
    if rt == "votes":
        refs = [write_records(inbox / "officers.csv", "officers", [rec("officers")]),
                write_records(inbox / "nominations.csv", "nominations", [rec("nominations")])]
    path = write_records(inbox / f"{rt}.csv", rt, [rec(rt, **{column: "-"})])
    result = load(ref_db, *refs, path)
    error = only_error(ref_db, f"{rt}.csv")
    assert (error["row_number"], error["column_name"], error["raw_value"], error["reason"]) == (2, column, "-", "missing")
    assert result.files[-1].quarantined == 1 and balanced(result)


@pytest.mark.parametrize("rt,column,raw", [
    ("deployments", "police_count", "3.5"),
    ("mediations", "compensation_yuan", "约一千"),
    ("services", "service_date", "2021-13-01"),
    ("incidents", "received_at", "昨天下午"),
    ("posts", "standardized", "规范"),
    ("incidents", "category", "抢劫"),
])
def test_bad_value_of_each_type_is_quarantined(ref_db, inbox, rt, column, raw):
    path = write_records(inbox / f"{rt}.csv", rt, [rec(rt, **{column: raw})])
    result = load(ref_db, path)
    error = only_error(ref_db)
    assert (error["column_name"], error["raw_value"], error["reason"]) == (column, raw, "bad_value")
    assert raw in error["message_zh"] and raw in error["message_en"]
    assert result.files[0].loaded == 0 and balanced(result)


@pytest.mark.parametrize("rt,column,raw", [
    ("teams", "members", "-1"),
    ("scenic_areas", "lon", "200"),
    ("scenic_areas", "lat", "2.5"),
    ("surveys", "q_satisfaction", "6"),
    ("surveys", "q_safety", "0"),
    ("services", "quantity", "0"),
    ("mediations", "compensation_yuan", "-100"),
    ("visitors", "visitors", "-5"),
])
def test_value_out_of_range_is_quarantined(ref_db, inbox, rt, column, raw):
    path = write_records(inbox / f"{rt}.csv", rt, [rec(rt, **{column: raw})])
    load(ref_db, path)
    error = only_error(ref_db)
    assert (error["column_name"], error["raw_value"], error["reason"]) == (column, raw, "out_of_range")


def test_range_bounds_themselves_are_accepted(ref_db, inbox):
    rows = [rec("surveys", response_id="Q1", q_satisfaction="1", q_safety="5"),
            rec("surveys", response_id="Q2", q_satisfaction="5", q_safety="1")]
    result = load(ref_db, write_records(inbox / "surveys.csv", "surveys", rows))
    assert result.files[0].loaded == 2


@pytest.mark.parametrize("rt,changes,column", [
    ("deployments", dict(start_date="2021-05-05", end_date="2021-05-01"), "end_date"),
    ("posts", dict(opened_on="2021-05-03", closed_on="2021-05-02"), "closed_on"),
    ("officers", dict(joined_on="2021-05-03", left_on="2020-01-01"), "left_on"),
    ("teams", dict(founded_on="2021-05-03", dissolved_on="2021/5/1"), "dissolved_on"),
    ("incidents", dict(received_at="2021-05-03 14:05", arrived_at="2021-05-03 14:00", closed_at=""), "arrived_at"),
    ("incidents", dict(received_at="2021-05-03 14:05", closed_at="2021-05-03 09:00", arrived_at=""), "closed_at"),
    ("mediations", dict(opened_at="2021-05-03 10:00", closed_at="2021-05-02 10:00"), "closed_at"),
])
def test_end_before_start_is_quarantined(ref_db, inbox, rt, changes, column):
    load(ref_db, write_records(inbox / f"{rt}.csv", rt, [rec(rt, **changes)]))
    error = only_error(ref_db)
    assert (error["column_name"], error["reason"]) == (column, "before_start")
    assert error["raw_value"] == changes[column]


def test_end_on_the_same_day_as_start_is_fine(ref_db, inbox):
    path = write_records(inbox / "deployments.csv", "deployments",
                         [rec("deployments", start_date="2021-05-03", end_date="2021/5/3")])
    assert load(ref_db, path).files[0].loaded == 1


@pytest.mark.parametrize("rt,column,word", [
    ("incidents", "unit_code", "unknown unit code X99"),
    ("incidents", "area_code", "unknown scenic area code X99"),
    ("units", "parent_code", "unknown unit code X99"),
    ("scenic_areas", "unit_code", "unknown unit code X99"),
    ("nominations", "person_id", "unknown person id X99"),
    ("votes", "nomination_id", "unknown nomination id X99"),
    ("visitors", "area_code", "unknown scenic area code X99"),
])
def test_unknown_reference_is_quarantined_for_each_kind(ref_db, inbox, rt, column, word):
    refs = [write_records(inbox / "officers.csv", "officers", [rec("officers")]),
            write_records(inbox / "nominations.csv", "nominations", [rec("nominations")])]
    path = write_records(inbox / f"{rt}_new.csv", rt, [rec(rt, **{column: "X99"})])
    load(ref_db, *refs, path)
    error = only_error(ref_db)
    assert (error["column_name"], error["raw_value"], error["reason"]) == (column, "X99", "unknown_reference")
    assert error["message_en"] == word
    assert "X99" in error["message_zh"] and CJK.search(error["message_zh"])


def test_mediation_incident_id_is_not_checked(ref_db, inbox):
    path = write_records(inbox / "mediations.csv", "mediations", [rec("mediations", incident_id="J-NOWHERE")])
    assert load(ref_db, path).files[0].loaded == 1
    assert query(ref_db, "select incident_id from mediations") == [("J-NOWHERE",)]


def test_duplicate_key_last_occurrence_wins_and_earlier_ones_are_quarantined(ref_db, inbox):
    rows = [rec("incidents", category="盗窃"), rec("incidents", incident_id="J002"),
            rec("incidents", category="诈骗"), rec("incidents", category="其他")]
    result = load(ref_db, write_records(inbox / "incidents.csv", "incidents", rows))
    assert query(ref_db, "select incident_id, category from incidents order by 1") == [
        ("J001", "其他"), ("J002", "盗窃")]
    errors = quarantined(ref_db)
    assert [(e["row_number"], e["reason"], e["raw_value"]) for e in errors] == [
        (2, "duplicate", "J001"), (4, "duplicate", "J001")]
    assert "5" in errors[0]["message_zh"] and "row 5" in errors[0]["message_en"]
    assert (result.files[0].rows, result.files[0].loaded, result.files[0].quarantined) == (4, 2, 2)


def test_duplicate_key_whose_last_occurrence_is_bad_loads_no_earlier_version(ref_db, inbox):
    # Reading chosen: the last row is the clerk's latest word on the key; when it fails a
    # check, the superseded earlier rows do not load in its place.
    rows = [rec("incidents", category="盗窃"), rec("incidents", category="抢劫")]
    result = load(ref_db, write_records(inbox / "incidents.csv", "incidents", rows))
    assert query(ref_db, "select count(*) from incidents") == [(0,)]
    assert [(e["row_number"], e["reason"]) for e in quarantined(ref_db)] == [(2, "duplicate"), (3, "bad_value")]
    assert (result.files[0].rows, result.files[0].quarantined) == (2, 2)


def test_duplicate_composite_key_is_found_across_date_spellings(ref_db, inbox):
    rows = [rec("visitors", visit_date="2021-05-03", visitors="100"),
            rec("visitors", visit_date="2021年5月3日", visitors="120")]
    load(ref_db, write_records(inbox / "visitors.csv", "visitors", rows))
    assert query(ref_db, "select visitors from visitors") == [(120,)]
    assert [(e["row_number"], e["reason"]) for e in quarantined(ref_db)] == [(2, "duplicate")]


def test_unit_hierarchy_cycle_within_a_file_is_quarantined(ref_db, inbox):
    rows = [rec("units", unit_code="U1", parent_code="U2"), rec("units", unit_code="U2", parent_code="U1"),
            rec("units", unit_code="U3", parent_code="P01")]
    result = load(ref_db, write_records(inbox / "units.csv", "units", rows))
    errors = quarantined(ref_db)
    assert [(e["row_number"], e["column_name"], e["reason"]) for e in errors] == [
        (2, "parent_code", "cycle"), (3, "parent_code", "cycle")]
    assert "cycle" in errors[0]["message_en"] and "循环" in errors[0]["message_zh"]
    assert query(ref_db, "select unit_code from units where unit_code like 'U%'") == [("U3",)]
    assert result.files[0].quarantined == 2 and balanced(result)


def test_unit_hierarchy_cycle_through_the_warehouse_is_quarantined(ref_db, inbox):
    # C01 is the root; making it the child of P01 (C01 → Z01 → P01) closes a loop.
    path = write_records(inbox / "units.csv", "units",
                         [dict(unit_code="C01", unit_name="市公安局", unit_level="市局", parent_code="P01")])
    load(ref_db, path)
    assert only_error(ref_db)["reason"] == "cycle"
    assert query(ref_db, "select parent_code from units where unit_code = 'C01'") == [(None,)]


def test_unit_naming_itself_as_parent_is_a_cycle(ref_db, inbox):
    load(ref_db, write_records(inbox / "units.csv", "units", [rec("units", unit_code="U1", parent_code="U1")]))
    assert only_error(ref_db)["reason"] == "cycle"


def test_unit_parent_may_come_later_in_the_same_file(ref_db, inbox):
    rows = [rec("units", unit_code="U2", parent_code="U1"), rec("units", unit_code="U1", parent_code="C01")]
    assert load(ref_db, write_records(inbox / "units.csv", "units", rows)).files[0].loaded == 2


def test_child_of_a_quarantined_unit_is_not_loaded_with_a_dangling_parent(ref_db, inbox):
    rows = [rec("units", unit_code="U1", unit_level="不存在的层级", parent_code="C01"),
            rec("units", unit_code="U2", parent_code="U1")]
    result = load(ref_db, write_records(inbox / "units.csv", "units", rows))
    assert query(ref_db, "select count(*) from units where unit_code in ('U1', 'U2')") == [(0,)]
    assert [(e["row_number"], e["reason"]) for e in quarantined(ref_db)] == [
        (2, "bad_value"), (3, "unknown_reference")]
    assert balanced(result)


def test_child_of_a_unit_in_a_cycle_is_quarantined_too(ref_db, inbox):
    rows = [rec("units", unit_code="U1", parent_code="U2"), rec("units", unit_code="U2", parent_code="U1"),
            rec("units", unit_code="U3", parent_code="U1"), rec("units", unit_code="U4", parent_code="U3")]
    load(ref_db, write_records(inbox / "units.csv", "units", rows))
    assert [(e["row_number"], e["reason"]) for e in quarantined(ref_db)] == [
        (2, "cycle"), (3, "cycle"), (4, "unknown_reference"), (5, "unknown_reference")]
    assert query(ref_db, "select count(*) from units where unit_code like 'U%'") == [(0,)]


@pytest.mark.parametrize("child_first", [True, False], ids=["child-file-first", "parent-file-first"])
def test_a_unit_may_name_a_parent_given_in_another_units_file_of_the_batch(ref_db, inbox, child_first):
    # The contract: a reference must exist "in the warehouse or in the same batch".
    child = write_records(inbox / "units_a.csv", "units", [rec("units", unit_code="P10", parent_code="F9")])
    parent = write_records(inbox / "units_b.csv", "units", [rec("units", unit_code="F9", parent_code="C01")])
    result = load(ref_db, *([child, parent] if child_first else [parent, child]))
    assert quarantined(ref_db) == []
    assert [(f.file.rsplit("/", 1)[-1], f.loaded) for f in result.files] == (
        [("units_a.csv", 1), ("units_b.csv", 1)] if child_first else [("units_b.csv", 1), ("units_a.csv", 1)])
    assert query(ref_db, "select unit_code, parent_code from units where unit_code in ('F9', 'P10') order by 1") == [
        ("F9", "C01"), ("P10", "F9")]


def test_a_unit_whose_parent_is_quarantined_in_another_units_file_is_quarantined_too(ref_db, inbox):
    child = write_records(inbox / "units_a.csv", "units", [rec("units", unit_code="P10", parent_code="F9")])
    parent = write_records(inbox / "units_b.csv", "units",
                           [rec("units", unit_code="F9", unit_level="不存在的层级", parent_code="C01")])
    result = load(ref_db, child, parent)
    assert [(e["file_name"].rsplit("/", 1)[-1], e["reason"]) for e in quarantined(ref_db)] == [
        ("units_a.csv", "unknown_reference"), ("units_b.csv", "bad_value")]
    assert query(ref_db, "select count(*) from units where unit_code in ('F9', 'P10')") == [(0,)]
    assert balanced(result)


def test_a_unit_hierarchy_cycle_through_two_units_files_is_quarantined(ref_db, inbox):
    first = write_records(inbox / "units_a.csv", "units", [rec("units", unit_code="U1", parent_code="U2"),
                                                          rec("units", unit_code="U3", parent_code="U1")])
    second = write_records(inbox / "units_b.csv", "units", [rec("units", unit_code="U2", parent_code="U1")])
    result = load(ref_db, first, second)
    assert [(e["file_name"].rsplit("/", 1)[-1], e["row_number"], e["reason"]) for e in quarantined(ref_db)] == [
        ("units_a.csv", 2, "cycle"), ("units_a.csv", 3, "unknown_reference"), ("units_b.csv", 2, "cycle")]
    assert query(ref_db, "select count(*) from units where unit_code like 'U%'") == [(0,)]
    assert balanced(result)


def test_a_later_units_file_that_re_parents_a_unit_is_judged_for_cycles_as_it_will_load(ref_db, inbox):
    # U1 → U2 in the first file, U1 → C01 in the second (which wins): no cycle with U2 → U1.
    first = write_records(inbox / "units_a.csv", "units", [rec("units", unit_code="U1", parent_code="U2"),
                                                          rec("units", unit_code="U2", parent_code="C01")])
    second = write_records(inbox / "units_b.csv", "units", [rec("units", unit_code="U1", parent_code="C01"),
                                                           rec("units", unit_code="U2", parent_code="U1")])
    load(ref_db, first, second)
    assert quarantined(ref_db) == []
    assert query(ref_db, "select unit_code, parent_code from units where unit_code like 'U%' order by 1") == [
        ("U1", "C01"), ("U2", "U1")]


# --- malformed CSV ---------------------------------------------------------------------------

HEAD = ["警情编号", "接警时间", "单位编码", "警情类别"]


def write_raw(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("eol", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_row_with_more_cells_than_the_header_is_quarantined_as_malformed(ref_db, inbox, eol):
    path = write_raw(inbox / "incidents.csv", eol.join([
        "警情编号,接警时间,单位编码,警情类别",
        "J001,2021-05-03 14:05,P01,盗窃",
        "J002,2021-05-03 14:05,P01,盗窃,多出来的,一列",
        "J003,2021-05-03 14:05,P01,盗窃", ""]))
    result = load(ref_db, path)
    error = only_error(ref_db)
    assert (error["row_number"], error["reason"]) == (3, "malformed")
    assert "J002" in error["raw_value"] and "malformed" in error["message_en"] and CJK.search(error["message_zh"])
    assert (result.files[0].rows, result.files[0].loaded, result.files[0].quarantined) == (3, 2, 1)


def test_unclosed_quote_is_quarantined_as_malformed_and_counted(ref_db, inbox):
    path = write_raw(inbox / "incidents.csv",
                     "警情编号,接警时间,单位编码,警情类别\n"
                     "J001,2021-05-03 14:05,P01,盗窃\n"
                     'J002,2021-05-03 14:05,P01,"盗窃\n')
    result = load(ref_db, path)
    error = only_error(ref_db)
    assert (error["row_number"], error["reason"]) == (3, "malformed")
    assert balanced(result) and result.files[0].loaded == 1


@pytest.mark.parametrize("eol", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_trailing_empty_cells_missing_are_not_malformed(ref_db, inbox, eol):
    path = write_raw(inbox / "incidents.csv", eol.join([
        "警情编号,接警时间,单位编码,警情类别,警情来源,简要案情",
        "J001,2021-05-03 14:05,P01,盗窃",
        "J002,2021-05-03 14:05,P01,盗窃,110报警,,,", ""]))
    result = load(ref_db, path)
    assert quarantined(ref_db) == [] and result.files[0].loaded == 2
    assert query(ref_db, "select incident_id, source from incidents order by 1") == [
        ("J001", None), ("J002", "110报警")]


def test_multi_line_quoted_cell_is_one_row(ref_db, inbox):
    path = write_raw(inbox / "incidents.csv",
                     "警情编号,接警时间,单位编码,警情类别,简要案情\n"
                     'J001,2021-05-03 14:05,P01,盗窃,"第一行\n第二行"\n'
                     "J002,2021-05-03 14:05,P01,抢劫,\n")
    result = load(ref_db, path)
    assert query(ref_db, "select summary from incidents") == [("第一行\n第二行",)]
    assert only_error(ref_db)["row_number"] == 3  # Excel shows the two-line cell as one row
    assert balanced(result)


# --- row numbers ------------------------------------------------------------------------------

def bad_incident_rows(n_good_before=1):
    return [rec("incidents", incident_id=f"J{i:03}") for i in range(n_good_before)] + [
        rec("incidents", incident_id="BAD", category="抢劫")]


def test_row_number_counts_the_header_row(ref_db, inbox):
    load(ref_db, write_records(inbox / "incidents.csv", "incidents", bad_incident_rows(2)))
    assert only_error(ref_db)["row_number"] == 4


def test_row_number_counts_title_rows(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents", bad_incident_rows(2),
                         title_rows=["涉旅警情台账", "2021年5月"])
    load(ref_db, path)
    assert only_error(ref_db)["row_number"] == 6


def test_row_number_counts_blank_lines(ref_db, inbox):
    path = write_raw(inbox / "incidents.csv",
                     "涉旅警情台账\n\n警情编号,接警时间,单位编码,警情类别\n"
                     "J001,2021-05-03 14:05,P01,盗窃\n\n\n"
                     "BAD,2021-05-03 14:05,P01,抢劫\n")
    result = load(ref_db, path)
    assert only_error(ref_db)["row_number"] == 7
    assert result.files[0].rows == 2


def test_row_number_counts_blank_lines_and_multi_line_cells_together(ref_db, inbox):
    path = write_raw(inbox / "incidents.csv",
                     "警情编号,接警时间,单位编码,警情类别,简要案情\n"
                     'J001,2021-05-03 14:05,P01,盗窃,"两行\n案情"\n'
                     "\n"
                     "BAD,2021-05-03 14:05,P01,抢劫,\n"
                     "J003,2021-05-03 14:05,P01,盗窃,多,余\n")
    result = load(ref_db, path)
    assert [(e["row_number"], e["reason"]) for e in quarantined(ref_db)] == [(4, "bad_value"), (5, "malformed")]
    assert balanced(result) and result.files[0].rows == 3


def test_staging_plans_only_a_scan_and_projections_for_every_record_type():
    # Any other operator (a join: DuckDB plans an IN list as one) may give up the file's order,
    # by which staging numbers a CSV file's rows.
    import json

    import duckdb

    from etl.values import typed_select
    from warehouse.record_types import RECORD_TYPES

    def operators(node):
        return {node["name"]}.union(*(operators(child) for child in node["children"]))

    con = duckdb.connect()
    for rt in RECORD_TYPES:
        con.execute(f"create table raw_{rt.name} ({', '.join(f'{c.name} varchar' for c in rt.columns)})")
        salt = {"salt": ""} if any(c.pii for c in rt.columns) else {}
        plan = con.execute("explain (format json) " + typed_select(
            rt, {c.name: c.name for c in rt.columns}, f"raw_{rt.name}"), salt).fetchall()[0][1]
        assert set().union(*map(operators, json.loads(plan))) == {"PROJECTION", "SEQ_SCAN"}, rt.name


def test_row_number_in_a_gbk_file_with_title_rows(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents", bad_incident_rows(1),
                         title_rows=["涉旅警情台账"], encoding="gbk")
    load(ref_db, path)
    assert only_error(ref_db)["row_number"] == 4


def test_row_number_in_xlsx_counts_blank_and_title_rows(ref_db, inbox):
    rows = bad_incident_rows(1)
    path = write_records(inbox / "incidents.xlsx", "incidents", rows,
                         title_rows=["涉旅警情台账"], leading_blank_rows=1)
    load(ref_db, path)
    assert only_error(ref_db)["row_number"] == 5  # blank, title, header, J000, BAD


def test_row_number_in_xlsx_counts_empty_rows_between_data(ref_db, inbox):
    headers = ["警情编号", "接警时间", "单位编码", "警情类别"]
    path = write_xlsx(inbox / "incidents.xlsx", headers,
                      [["J001", "2021-05-03 14:05", "P01", "盗窃"], [None] * 4, [None] * 4,
                       ["BAD", "2021-05-03 14:05", "P01", "抢劫"]])
    result = load(ref_db, path)
    assert only_error(ref_db)["row_number"] == 5
    assert result.files[0].rows == 2


# --- what a quarantine row holds ----------------------------------------------------------

def test_quarantine_row_names_file_row_column_raw_value_and_messages_in_both_languages(ref_db, inbox):
    path = write_records(inbox / "涉旅警情_5月.csv", "incidents", [rec("incidents", received_at="2021-05-32 10:00")])
    result = load(ref_db, path)
    error = only_error(ref_db)
    assert error["file_name"] == str(path) and error["record_type"] == "incidents"
    assert error["batch_id"] == result.batch_id
    assert (error["row_number"], error["column_name"], error["raw_value"]) == (2, "received_at", "2021-05-32 10:00")
    assert CJK.search(error["message_zh"]) and "接警时间" in error["message_zh"]
    assert "received_at" in error["message_en"] and not CJK.search(error["message_en"].split("'")[0])


def test_quarantine_keeps_the_whole_raw_row(ref_db, inbox):
    load(ref_db, write_records(inbox / "incidents.csv", "incidents", [rec("incidents", category="抢劫")]))
    import json

    raw = json.loads(only_error(ref_db)["raw_record"])
    assert raw["incident_id"] == "J001" and raw["category"] == "抢劫" and raw["received_at"] == "2021-05-03 14:05"


def test_row_with_several_errors_is_one_quarantined_row_with_one_entry_per_column(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents",
                         [rec("incidents", category="抢劫", unit_code="X99", received_at="")])
    result = load(ref_db, path)
    errors = quarantined(ref_db)
    assert sorted(e["column_name"] for e in errors) == ["category", "received_at", "unit_code"]
    assert {e["row_number"] for e in errors} == {2}
    assert (result.files[0].rows, result.files[0].quarantined) == (1, 1)


def test_rows_read_equal_loaded_updated_unchanged_and_quarantined_for_every_file(ref_db, inbox):
    first = [rec("incidents", incident_id=f"J{i}") for i in range(5)]
    load(ref_db, write_records(inbox / "incidents.csv", "incidents", first))
    second = (first[:2]                                                    # unchanged
              + [rec("incidents", incident_id="J2", category="诈骗")]       # updated
              + [rec("incidents", incident_id="J9")]                        # loaded
              + [rec("incidents", incident_id="J8", unit_code="X99")]       # quarantined
              + [rec("incidents", incident_id="J9", category="其他")])      # duplicate wins
    services = [rec("services"), rec("services", service_id="F02", quantity="0")]
    result = load(ref_db, write_records(inbox / "incidents_2.csv", "incidents", second),
                  write_records(inbox / "services.csv", "services", services))
    counts = {f.type: (f.rows, f.loaded, f.updated, f.unchanged, f.quarantined) for f in result.files}
    assert counts == {"incidents": (6, 1, 1, 2, 2), "services": (2, 1, 0, 0, 1)}
    logged = query(ref_db, "select rows, loaded, updated, unchanged, quarantined from load_files "
                           "where batch_id = $b order by record_type", {"b": result.batch_id})
    assert logged == [counts["incidents"], counts["services"]]
    assert query(ref_db, "select count(distinct (file_name, row_number)) from quarantine where batch_id = $b",
                 {"b": result.batch_id}) == [(3,)]


def test_fully_empty_rows_are_skipped_and_not_counted(ref_db, inbox):
    path = write_raw(inbox / "incidents.csv",
                     "警情编号,接警时间,单位编码,警情类别\n"
                     "J001,2021-05-03 14:05,P01,盗窃\n"
                     ",,,\n"
                     " , ,\u3000, \n"
                     '"","","",""\n'
                     "J002,2021-05-03 14:05,P01,盗窃\n"
                     ",,,\n")
    result = load(ref_db, path)
    assert (result.files[0].rows, result.files[0].loaded, result.files[0].quarantined) == (2, 2, 0)
    assert quarantined(ref_db) == []


def test_fully_empty_spreadsheet_rows_are_skipped_and_not_counted(ref_db, inbox):
    path = write_xlsx(inbox / "incidents.xlsx", HEAD,
                      [["J001", "2021-05-03 14:05", "P01", "盗窃"], [None, " ", None, None],
                       ["J002", "2021-05-03 14:05", "P01", "盗窃"]])
    result = load(ref_db, path)
    assert (result.files[0].rows, result.files[0].loaded) == (2, 2)


def test_a_row_blank_only_in_its_known_columns_is_quarantined_not_skipped(ref_db, inbox):
    # The clerk typed something (in a column the loader ignores): not an empty row.
    path = write_csv(inbox / "incidents.csv", [*HEAD, "备注"],
                     [["J001", "2021-05-03 14:05", "P01", "盗窃", ""], ["", "", "", "", "见附件"]])
    result = load(ref_db, path)
    assert (result.files[0].rows, result.files[0].quarantined) == (2, 1)


# --- found by fuzzing (tests/test_etl_fuzz.py) -----------------------------------------------

def test_a_cell_over_128_kib_keeps_the_row_numbers_of_the_rows_after_it(ref_db, inbox):
    # Python's csv module stopped at fields over 128 KiB, so the rows after such a cell
    # (on the exact path: a blank line) got guessed numbers and one was never counted.
    path = write_raw(inbox / "incidents.csv",
                     "警情编号,接警时间,单位编码,警情类别,简要案情\r\n"
                     "J001,2021-05-03 14:05,P01,盗窃," + "长" * 200_000 + "\r\n\r\n"
                     "J002,2021-05-03 14:05,P01,抢劫,\r\n"
                     "J003,,P01,盗窃,\r\n")
    result = load(ref_db, path)
    assert balanced(result) and (result.files[0].rows, result.files[0].loaded) == (3, 1)
    assert [(e["row_number"], e["reason"]) for e in quarantined(ref_db)] == [(4, "bad_value"), (5, "missing")]
    assert query(ref_db, "select length(summary) from incidents") == [(200_000,)]


@pytest.mark.parametrize("rest", [
    "J003,2021-05-03 14:05,P01,盗窃,\nJ004,2021-05-03 14:05,P01,盗窃,\n",          # runs to the end
    'J003,2021-05-03 14:05,P01,盗窃,\nJ004,2021-05-03 14:05,P01,盗窃,"甲,乙"\n'     # closed by a later quote
    "J005,2021-05-03 14:05,P01,盗窃,\n",
], ids=["to-the-end", "to-a-later-quote"])
def test_an_unclosed_quote_that_swallows_later_lines_refuses_the_file(ref_db, inbox, rest):
    # Quarantining the one "row" would drop the lines it swallowed (up to the rest of the
    # file) without a count: the file is refused, naming the row to fix.
    path = write_raw(inbox / "incidents.csv",
                     "警情编号,接警时间,单位编码,警情类别,简要案情\n"
                     "J001,2021-05-03 14:05,P01,盗窃,\n"
                     'J002,2021-05-03 14:05,P01,"盗窃,\n' + rest)
    with pytest.raises(BatchRefused) as refused:
        load(ref_db, path)
    assert "row 3 opens a quote that is never closed" in refused.value.message_en
    assert "2 line(s)" in refused.value.message_en
    assert "第 3 行的引号未闭合" in refused.value.message_zh
    assert query(ref_db, "select count(*) from incidents") == [(0,)]
