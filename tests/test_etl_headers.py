"""Headers: the Chinese header or the English name, however a clerk's export spells it.

Matching trims spaces, folds full-width characters, ignores case and a unit in
brackets. Extra columns are ignored and reported; a missing required column
refuses the whole batch, naming the columns, with nothing loaded.
"""
from __future__ import annotations

import pytest

from etl.errors import BatchRefused
from tests.builders.files import cli_main, load, query, rec, write_csv, write_records, write_xlsx

MEDIATION = rec("mediations", compensation_yuan="1,600")
NAMES = list(MEDIATION)


def load_mediation_with(db, inbox, headers, values=None):
    path = write_csv(inbox / "mediations.csv", headers, [values or list(MEDIATION.values())])
    return load(db, path)


def stored_mediation(db):
    return query(db, "select mediation_id, result, compensation_yuan, fast_track from mediations")


# The one mediation of MEDIATION, every column read through its header.
LOADED = [("M01", "调解成功", 1600, True)]


def test_chinese_headers_match(ref_db, inbox):
    load_mediation_with(ref_db, inbox, ["调解编号", "关联警情编号", "受理时间", "单位编码", "景区编码", "纠纷类型",
                                        "调解结果", "办结时间", "赔付金额", "快调快赔"])
    assert stored_mediation(ref_db) == LOADED


def test_english_names_match(ref_db, inbox):
    load_mediation_with(ref_db, inbox, NAMES)
    assert stored_mediation(ref_db) == LOADED


def test_chinese_and_english_headers_mix_in_one_file(ref_db, inbox):
    load_mediation_with(ref_db, inbox, ["调解编号", "incident_id", "受理时间", "unit_code", "景区编码",
                                        "dispute_type", "调解结果", "closed_at", "赔付金额", "fast_track"])
    assert stored_mediation(ref_db) == LOADED


@pytest.mark.parametrize("spell", [str.upper, str.title, lambda s: s.replace("_", " ")],
                         ids=["upper", "title", "spaces-for-underscores"])
def test_english_names_match_ignoring_case(ref_db, inbox, spell):
    load_mediation_with(ref_db, inbox, [spell(n) for n in NAMES])
    assert stored_mediation(ref_db) == LOADED


def test_headers_match_after_trimming_spaces_of_either_width(ref_db, inbox):
    headers = [" 调解编号", "关联警情编号 ", "\u3000受理时间\u3000", "单位编码", "景区编码", "纠纷类型",
               "  调解结果  ", "办结时间", "赔付金额", "快调快赔"]
    load_mediation_with(ref_db, inbox, headers)
    assert stored_mediation(ref_db) == LOADED


def test_full_width_english_headers_fold_to_half_width(ref_db, inbox):
    full = {c: chr(ord(c) + 0xFEE0) for c in "abcdefghijklmnopqrstuvwxyz_"}
    headers = ["".join(full.get(ch, ch) for ch in n) for n in NAMES]
    assert headers[0] == "ｍｅｄｉａｔｉｏｎ＿ｉｄ"
    load_mediation_with(ref_db, inbox, headers)
    assert stored_mediation(ref_db) == LOADED


@pytest.mark.parametrize("header", ["赔付金额(元)", "赔付金额（元）", "赔付金额 (元)", "赔付金额【元】",
                                    "compensation_yuan(元)"])
def test_a_unit_in_brackets_after_the_header_is_ignored(ref_db, inbox, header):
    headers = ["调解编号", "受理时间", "单位编码", "纠纷类型", "调解结果", header]
    path = write_csv(inbox / "mediations.csv", headers,
                     [["M01", "2021-05-03 10:00", "P01", "消费纠纷", "调解成功", "1,600"]])
    result = load(ref_db, path)
    assert result.files[0].extra_columns == []
    assert query(ref_db, "select compensation_yuan from mediations") == [(1600,)]


@pytest.mark.parametrize("mark", ["*{}", "{}*", "＊{}", "{}＊", "* {}", "*{}(元)"])
def test_a_required_field_mark_before_or_after_a_header_is_ignored(ref_db, inbox, mark):
    # Templates mark required columns `*调解编号` (or, already fine, `调解编号（必填）`).
    headers = [mark.format(h) for h in ["调解编号", "受理时间", "单位编码", "纠纷类型", "调解结果"]] + [
        mark.format("赔付金额")]
    path = write_csv(inbox / "mediations.csv", headers,
                     [["M01", "2021-05-03 10:00", "P01", "消费纠纷", "调解成功", "1,600"]])
    result = load(ref_db, path)
    assert result.files[0].extra_columns == [] and result.files[0].loaded == 1
    assert query(ref_db, "select mediation_id, compensation_yuan from mediations") == [("M01", 1600)]


def test_extra_columns_are_ignored_and_reported(ref_db, inbox):
    headers = ["调解编号", "备注", "受理时间", "单位编码", "纠纷类型", "调解结果", "经办人"]
    path = write_csv(inbox / "mediations.csv", headers,
                     [["M01", "加急", "2021-05-03 10:00", "P01", "消费纠纷", "调解成功", "李四"]])
    result = load(ref_db, path)
    assert result.files[0].extra_columns == ["备注", "经办人"]
    assert result.files[0].loaded == 1
    assert query(ref_db, "select extra_columns from load_files where record_type = 'mediations'") == [
        (["备注", "经办人"],)]


def test_extra_columns_are_reported_by_the_command(ref_db, inbox):
    headers = ["调解编号", "受理时间", "单位编码", "纠纷类型", "调解结果", "经办人"]
    path = write_csv(inbox / "mediations.csv", headers,
                     [["M01", "2021-05-03 10:00", "P01", "消费纠纷", "调解成功", "李四"]])
    proc = cli_main(ref_db, path)
    assert proc.returncode == 0
    assert proc.json["files"][0]["extra_columns"] == ["经办人"]


def test_optional_columns_may_be_absent(ref_db, inbox):
    headers = ["调解编号", "受理时间", "单位编码", "纠纷类型", "调解结果"]
    load(ref_db, write_csv(inbox / "mediations.csv", headers,
                           [["M01", "2021-05-03 10:00", "P01", "消费纠纷", "调解成功"]]))
    assert query(ref_db, "select compensation_yuan, fast_track, incident_id from mediations") == [
        (None, None, None)]


def test_missing_required_columns_refuse_the_whole_batch_naming_them(ref_db, inbox):
    good = write_records(inbox / "incidents.csv", "incidents", [rec("incidents")])
    headers = ["调解编号", "受理时间", "单位编码", "纠纷类型"]  # no 调解结果
    bad = write_csv(inbox / "mediations.csv", headers, [["M01", "2021-05-03 10:00", "P01", "消费纠纷"]])
    proc = cli_main(ref_db, good, bad)
    assert proc.returncode == 2
    assert "mediations.csv" in proc.json["error"]
    assert "调解结果" in proc.json["error_zh"] and "result" in proc.json["error_en"]
    assert query(ref_db, "select count(*) from incidents") == [(0,)]
    assert query(ref_db, "select count(*) from mediations") == [(0,)]


def test_every_missing_required_column_is_named(ref_db, inbox):
    path = write_csv(inbox / "mediations.csv", ["调解编号", "单位编码", "备注"], [["M01", "P01", ""]])
    with pytest.raises(BatchRefused) as refused:
        load(ref_db, path)
    for zh, en in [("受理时间", "opened_at"), ("纠纷类型", "dispute_type"), ("调解结果", "result")]:
        assert zh in refused.value.message_zh and en in refused.value.message_en
    assert "调解编号" not in refused.value.message_zh


def test_a_file_with_no_recognisable_header_is_refused(ref_db, inbox):
    path = write_csv(inbox / "mediations.csv", ["a", "b", "c"], [["1", "2", "3"]])
    proc = cli_main(ref_db, path)
    assert proc.returncode == 2
    assert "mediations.csv" in proc.json["error"] and "mediation_id" in proc.json["error_en"]


def test_csv_header_is_found_below_title_rows(ref_db, inbox):
    path = write_records(inbox / "mediations.csv", "mediations", [MEDIATION],
                         title_rows=["2021年5月纠纷调解台账", ["填报单位：", "古城派出所"], []])
    result = load(ref_db, path)
    assert (result.files[0].rows, result.files[0].loaded, result.files[0].extra_columns) == (1, 1, [])
    assert stored_mediation(ref_db) == LOADED


def test_xlsx_header_is_found_below_title_rows(ref_db, inbox):
    path = write_records(inbox / "mediations.xlsx", "mediations", [MEDIATION],
                         title_rows=["2021年5月纠纷调解台账", ["制表：古城派出所", None, None, "单位：元"]],
                         leading_blank_rows=2)
    result = load(ref_db, path)
    assert (result.files[0].rows, result.files[0].loaded) == (1, 1)
    assert stored_mediation(ref_db) == LOADED


def test_a_title_row_mentioning_one_header_is_not_taken_for_the_header(ref_db, inbox):
    path = write_records(inbox / "mediations.csv", "mediations", [MEDIATION],
                         title_rows=[["调解编号", "（本表由系统导出）"]])
    assert load(ref_db, path).files[0].loaded == 1
    assert stored_mediation(ref_db) == LOADED


def test_xlsx_header_may_start_in_a_later_column(ref_db, inbox):
    path = write_xlsx(inbox / "mediations.xlsx", [None, *["调解编号", "受理时间", "单位编码", "纠纷类型", "调解结果"]],
                      [[None, "M01", "2021-05-03 10:00", "P01", "消费纠纷", "调解成功"]])
    assert load(ref_db, path).files[0].loaded == 1
