"""Files: the record type from the name or `--type`, CSV encodings, spreadsheets.

A file the loader cannot use (unknown type, binary junk, a damaged workbook)
refuses its whole batch with a message naming the file; nothing is loaded.
"""
from __future__ import annotations

import datetime as dt
import os

import pytest

from etl.errors import BatchRefused
from tests.builders.files import (cli_load, cli_main, csv_bytes, headers_of, load, quarantined, query, rec,
                                  write_records, write_xlsx)

INCIDENT = rec("incidents", summary="游客在古城景区手机被盗")


def incident_count(db):
    return query(db, "select count(*) from incidents")[0][0]


# --- record type -----------------------------------------------------------------------

@pytest.mark.parametrize("name,type_name", [
    ("incidents_2021-05.csv", "incidents"),
    ("涉旅警情_2021年5月.csv", "incidents"),
    ("Incidents-May.csv", "incidents"),
    ("scenic_areas_new.csv", "scenic_areas"),
    ("景区.csv", "scenic_areas"),
    ("纠纷调解2021.csv", "mediations"),
    ("visitors.csv", "visitors"),
])
def test_record_type_is_found_from_the_start_of_the_file_name(ref_db, inbox, name, type_name):
    path = write_records(inbox / name, type_name, [rec(type_name)])
    result = load(ref_db, path)
    assert [(f.type, f.rows, f.loaded) for f in result.files] == [(type_name, 1, 1)]


def test_record_type_from_a_chinese_xlsx_name(ref_db, inbox):
    path = write_records(inbox / "涉旅警情_2021年5月.xlsx", "incidents", [INCIDENT])
    assert load(ref_db, path).files[0].type == "incidents"
    assert incident_count(ref_db) == 1


def test_type_option_names_the_type_of_a_file_named_anything(ref_db, inbox):
    path = write_records(inbox / "export(3).csv", "incidents", [INCIDENT])
    result = load(ref_db, path, record_type="incidents")
    assert result.files[0].type == "incidents" and incident_count(ref_db) == 1


def test_type_option_overrides_the_file_name(ref_db, inbox):
    path = write_records(inbox / "services_may.csv", "incidents", [INCIDENT])
    assert load(ref_db, path, record_type="incidents").files[0].type == "incidents"


def test_type_option_accepts_the_chinese_name_on_the_command_line(ref_db, inbox):
    path = write_records(inbox / "导出.csv", "incidents", [INCIDENT])
    proc = cli_load(ref_db, path, args=["--type", "涉旅警情"])
    assert proc.returncode == 0, proc.stderr
    assert proc.json["files"][0]["type"] == "incidents"


def test_unknown_type_from_the_name_refuses_the_batch_naming_the_file(ref_db, inbox):
    good = write_records(inbox / "incidents.csv", "incidents", [INCIDENT])
    odd = write_records(inbox / "月报汇总.csv", "incidents", [rec("incidents", incident_id="J002")])
    proc = cli_main(ref_db, good, odd)
    assert proc.returncode == 2
    assert "月报汇总.csv" in proc.json["error"]
    assert incident_count(ref_db) == 0


def test_unknown_type_option_is_refused_naming_the_known_types(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents", [INCIDENT])
    with pytest.raises(BatchRefused) as refused:
        load(ref_db, path, record_type="accidents")
    assert "accidents" in str(refused.value) and "incidents" in refused.value.message_en
    assert incident_count(ref_db) == 0


# --- CSV encodings ------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_csv_encoding_is_detected_and_chinese_text_survives(ref_db, inbox, encoding):
    path = write_records(inbox / "incidents.csv", "incidents", [INCIDENT], encoding=encoding)
    result = load(ref_db, path)
    assert (result.files[0].rows, result.files[0].loaded) == (1, 1)
    assert query(ref_db, "select category, summary from incidents") == [("盗窃", INCIDENT["summary"])]


def test_gb18030_characters_beyond_gbk_survive(ref_db, inbox):
    # 䶮 (U+4DAE) is in GB18030 but not in GBK.
    path = write_records(inbox / "incidents.csv", "incidents", [rec("incidents", tourist_origin="䶮")],
                         encoding="gb18030")
    load(ref_db, path)
    assert query(ref_db, "select tourist_origin from incidents") == [("䶮",)]


def test_bom_does_not_hide_the_first_header(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents", [INCIDENT], encoding="utf-8-sig")
    assert load(ref_db, path).files[0].extra_columns == []
    assert query(ref_db, "select incident_id from incidents") == [("J001",)]


def test_load_files_records_the_detected_encoding(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents", [INCIDENT], encoding="gbk")
    load(ref_db, path)
    assert query(ref_db, "select file_format, encoding from load_files where record_type = 'incidents'") == [
        ("csv", "gb18030")]


def test_tab_separated_export_is_read(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents", [INCIDENT], delimiter="\t")
    assert load(ref_db, path).files[0].loaded == 1


def test_binary_junk_is_refused_naming_the_file(ref_db, inbox):
    path = inbox / "incidents.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(512))
    proc = cli_main(ref_db, path)
    assert proc.returncode == 2
    assert "incidents.csv" in proc.json["error"]
    assert incident_count(ref_db) == 0


def test_text_in_no_known_encoding_is_refused(ref_db, inbox):
    path = inbox / "incidents.csv"
    # Valid in neither UTF-8 nor GB18030 (0xFF never starts a GB18030 character).
    path.write_bytes(csv_bytes(headers_of("incidents", INCIDENT), [list(INCIDENT.values())])
                     + b"\xff\xfe\xff junk\r\n")
    with pytest.raises(BatchRefused) as refused:
        load(ref_db, path)
    assert "incidents.csv" in str(refused.value) and "encoding" in refused.value.message_en
    assert incident_count(ref_db) == 0


def test_unsupported_file_format_is_refused(ref_db, inbox):
    path = inbox / "incidents.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    proc = cli_main(ref_db, path)
    assert proc.returncode == 2 and "incidents.pdf" in proc.json["error"]


def test_missing_file_is_refused(ref_db, inbox):
    proc = cli_main(ref_db, inbox / "incidents_gone.csv")
    assert proc.returncode == 2 and "incidents_gone.csv" in proc.json["error"]


def test_a_directory_loads_its_data_files_and_skips_the_rest(ref_db, inbox):
    write_records(inbox / "incidents.csv", "incidents", [INCIDENT])
    write_records(inbox / "services.xlsx", "services", [rec("services")])
    (inbox / "readme.txt.bak").write_text("notes")
    (inbox / "~$services.xlsx").write_bytes(b"lock file")
    result = load(ref_db, inbox)
    assert sorted(f.type for f in result.files) == ["incidents", "services"]
    assert sorted(os.path.basename(s) for s in result.skipped) == ["readme.txt.bak", "~$services.xlsx"]


def test_notes_hidden_files_and_office_lock_files_in_a_directory_are_skipped_and_reported(ref_db, inbox):
    write_records(inbox / "涉旅警情.xlsx", "incidents", [INCIDENT])
    (inbox / "说明.txt").write_text("本目录为5月导出\n", encoding="utf-8")
    (inbox / "readme.md").write_text("# exports\n")
    (inbox / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (inbox / "~$涉旅警情.xlsx").write_bytes(b"\x06wang   ")
    proc = cli_main(ref_db, inbox)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [(f["type"], f["loaded"]) for f in proc.json["files"]] == [("incidents", 1)]
    assert sorted(proc.json["skipped"]) == sorted(
        str(inbox / n) for n in ("说明.txt", "readme.md", ".DS_Store", "~$涉旅警情.xlsx"))


def test_a_txt_file_named_for_a_record_type_in_a_directory_is_loaded(ref_db, inbox):
    # Excel saves "Text (Tab delimited)" as .txt: named for its type, it is data, not a note.
    write_records(inbox / "incidents_2021-05.txt", "incidents", [INCIDENT], fmt="csv", delimiter="\t")
    result = load(ref_db, inbox)
    assert [(f.type, f.loaded) for f in result.files] == [("incidents", 1)] and result.skipped == []


def test_a_data_file_of_unknown_type_in_a_directory_still_refuses_the_batch_naming_it(ref_db, inbox):
    write_records(inbox / "incidents.csv", "incidents", [INCIDENT])
    write_records(inbox / "本月导出.csv", "incidents", [INCIDENT])
    proc = cli_main(ref_db, inbox)
    assert proc.returncode == 2
    assert proc.json["file"] == str(inbox / "本月导出.csv") and "本月导出.csv" in proc.json["error_zh"]
    assert incident_count(ref_db) == 0


def test_a_notes_file_named_on_the_command_line_is_still_refused(ref_db, inbox):
    notes = inbox / "说明.txt"
    notes.write_text("本目录为5月导出\n", encoding="utf-8")
    proc = cli_main(ref_db, write_records(inbox / "incidents.csv", "incidents", [INCIDENT]), notes)
    assert proc.returncode == 2 and proc.json["file"] == str(notes)
    assert incident_count(ref_db) == 0


# --- spreadsheets -------------------------------------------------------------------------

def test_xlsx_with_title_rows_and_real_date_cells_loads(ref_db, inbox):
    path = write_xlsx(
        inbox / "涉旅警情.xlsx", ["警情编号", "接警时间", "单位编码", "警情类别", "办结时间"],
        [["J001", dt.datetime(2021, 5, 3, 14, 5), "P01", "盗窃", dt.datetime(2021, 5, 3, 18, 0, 30)]],
        title_rows=["古城分局涉旅警情统计表", ["填报单位：古城派出所", None, "2021年5月"]],
        leading_blank_rows=1)
    result = load(ref_db, path)
    assert (result.files[0].rows, result.files[0].loaded) == (1, 1)
    assert query(ref_db, "select received_at, closed_at from incidents") == [
        (dt.datetime(2021, 5, 3, 14, 5), dt.datetime(2021, 5, 3, 18, 0, 30))]


def test_xlsx_reads_only_the_first_sheet(ref_db, inbox):
    import openpyxl

    path = inbox / "incidents.xlsx"
    wb = openpyxl.Workbook()
    first = wb.active
    first.append(["警情编号", "接警时间", "单位编码", "警情类别"])
    first.append(["J001", "2021-05-03 14:05", "P01", "盗窃"])
    second = wb.create_sheet("说明")
    second.append(["警情编号", "接警时间", "单位编码", "警情类别"])
    second.append(["J999", "2021-05-03 14:05", "P01", "盗窃"])
    wb.save(path)
    load(ref_db, path)
    assert query(ref_db, "select incident_id from incidents") == [("J001",)]


def _sheet_with_error_cells(path, rows, errors):
    """An XLSX whose cells at `errors` ({"D3": "#N/A"}) are Excel error cells, as a failed
    formula leaves them (type "e")."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for ref, text in errors.items():
        ws[ref] = text
        ws[ref].data_type = "e"
    wb.save(path)
    return path


@pytest.mark.parametrize("error", ["#N/A", "#VALUE!", "#REF!", "#DIV/0!"])
def test_an_excel_error_cell_quarantines_its_row_naming_the_error(ref_db, inbox, error):
    head = ["警情编号", "接警时间", "单位编码", "景区编码", "警情类别", "游客来源地"]
    path = _sheet_with_error_cells(inbox / "incidents.xlsx", [
        head,
        ["J001", "2021-05-03 14:05", "P01", "A01", "盗窃", "广东"],
        ["J002", "2021-05-03 14:05", "P01", None, "盗窃", "广东"],      # D3: a failed VLOOKUP
        ["J003", "2021-05-03 14:05", "P01", "A01", None, None],        # E4, F4: errors too
    ], {"D3": error, "E4": error, "F4": error})
    result = load(ref_db, path)
    assert (result.files[0].rows, result.files[0].loaded, result.files[0].quarantined) == (3, 1, 2)
    errors = quarantined(ref_db)
    assert [(e["row_number"], e["column_name"], e["raw_value"], e["reason"]) for e in errors] == [
        (3, "area_code", error, "bad_value"), (4, "category", error, "bad_value"),
        (4, "tourist_origin", error, "bad_value")]
    assert all("Excel" in e["message_en"] and error in e["message_zh"] for e in errors)
    assert query(ref_db, "select incident_id from incidents") == [("J001",)]


def test_truncated_xlsx_is_refused_with_a_clear_message(ref_db, inbox):
    whole = write_records(inbox / "full.xlsx", "incidents", [INCIDENT] * 1)
    path = inbox / "incidents.xlsx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    whole.unlink()
    proc = cli_main(ref_db, path)
    assert proc.returncode == 2
    assert "incidents.xlsx" in proc.json["error"]
    assert "damaged" in proc.json["error_en"] and "损坏" in proc.json["error_zh"]
    assert incident_count(ref_db) == 0


def test_csv_renamed_to_xlsx_is_refused_with_a_clear_message(ref_db, inbox):
    path = inbox / "incidents.xlsx"
    path.write_bytes(csv_bytes(headers_of("incidents", INCIDENT), [list(INCIDENT.values())]))
    with pytest.raises(BatchRefused) as refused:
        load(ref_db, path)
    assert "incidents.xlsx" in refused.value.message_en and "not XLSX" in refused.value.message_en


def test_empty_csv_is_refused_as_having_no_header(ref_db, inbox):
    path = inbox / "incidents.csv"
    path.write_bytes(b"")
    with pytest.raises(BatchRefused) as refused:
        load(ref_db, path)
    assert "incidents.csv" in str(refused.value)


def test_header_only_file_loads_nothing_and_is_logged(ref_db, inbox):
    path = write_records(inbox / "incidents.csv", "incidents", [])
    result = load(ref_db, path)
    assert (result.files[0].rows, result.files[0].loaded) == (0, 0)
    assert query(ref_db, "select rows from load_files where record_type = 'incidents'") == [(0,)]


# --- found by fuzzing (tests/test_etl_fuzz.py) -----------------------------------------------

@pytest.mark.parametrize("raw", [
    b"\xef\xbb\xbf\xe6",                                  # UTF-8 BOM, then a character cut short
    b"\xff\xfe\r",                                        # UTF-16 BOM, then half a code unit
    b'\xff\xfe",\x00\r\x00\n\x00,\x00\xd8\x00\r\x00',       # UTF-16 BOM, a byte inserted: a lone surrogate
], ids=["utf8-bom-truncated", "utf16-odd-length", "utf16-lone-surrogate"])
def test_a_bom_followed_by_bytes_not_in_its_encoding_is_refused(ref_db, inbox, raw):
    path = inbox / "incidents.csv"
    path.write_bytes(raw)
    proc = cli_main(ref_db, path)
    assert proc.returncode == 2, proc.stderr
    assert "incidents.csv" in proc.json["error_zh"] and "byte-order mark" in proc.json["error_en"]
    assert incident_count(ref_db) == 0


def test_lines_ending_in_lf_crlf_and_cr_in_one_file_all_load(ref_db, inbox):
    # Two exports pasted together, one from Windows: DuckDB's reader stopped at the mix.
    path = inbox / "incidents.csv"
    path.write_bytes("警情编号,接警时间,单位编码,警情类别,简要案情\n"
                     "J001,2021-05-03 14:05,P01,盗窃,\r\n"
                     "J002,2021-05-03 14:05,P01,盗窃,\"两行\n案情\"\r"
                     "J003,2021-05-03 14:05,P01,抢劫,\n\r\n"
                     "J004,2021-05-03 14:05,P01,盗窃,\r\n".encode("gb18030"))
    proc = cli_main(ref_db, path)
    assert proc.returncode == 0, proc.stderr
    assert [(f["rows"], f["loaded"], f["quarantined"]) for f in proc.json["files"]] == [(4, 3, 1)]
    assert query(ref_db, "select summary from incidents where incident_id = 'J002'") == [("两行\n案情",)]
    assert query(ref_db, "select row_number, raw_value from quarantine") == [(4, "抢劫")]


def test_a_csv_with_cr_only_line_ends_loads_like_lf_and_crlf(ref_db, inbox):
    # Old Mac Excel's "CSV (Macintosh)" ends every line in CR alone.
    path = inbox / "incidents.csv"
    path.write_bytes("警情编号,接警时间,单位编码,警情类别,简要案情\r"
                     "J001,2021-05-03 14:05,P01,盗窃,\r"
                     "J002,2021-05-03 14:05,P01,盗窃,\"两行\r案情\"\r"
                     "J003,2021-05-03 14:05,P01,抢劫,\r".encode("gb18030"))
    proc = cli_main(ref_db, path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [(f["rows"], f["loaded"], f["quarantined"]) for f in proc.json["files"]] == [(3, 2, 1)]
    assert query(ref_db, "select incident_id, summary from incidents order by 1") == [
        ("J001", None), ("J002", "两行\n案情")]
    assert query(ref_db, "select row_number, raw_value from quarantine") == [(4, "抢劫")]


def test_a_csv_the_reader_cannot_take_is_refused_not_a_traceback(ref_db, inbox, monkeypatch):
    # Stands for any reader error not handled above: it aborts the batch's transaction,
    # so the file is refused with the reader's reason.
    import etl.readers.csv_staging

    monkeypatch.setattr(etl.readers.csv_staging, "_typed_rows", lambda rt, mapping, visible: lambda source:
                        f"select *, error('The CSV Parser state machine reached an invalid state') from {source}")
    path = write_records(inbox / "incidents.csv", "incidents", [INCIDENT])
    proc = cli_main(ref_db, path)
    assert proc.returncode == 2
    assert "cannot be parsed" in proc.json["error_en"] and "invalid state" in proc.json["error_en"]
    assert "无法解析" in proc.json["error_zh"] and incident_count(ref_db) == 0


@pytest.mark.parametrize("tail", [b",\xe6", b",\xe6\x8e\n"], ids=["cut-at-the-end", "cut-then-newline"])
def test_utf8_cut_mid_character_is_refused_with_both_offsets(ref_db, inbox, tail):
    # The head check let a file ending mid-character pass as UTF-8, DuckDB reported the
    # row as having too many columns, and counting rows then crashed on the bad bytes.
    path = inbox / "incidents.csv"
    body = "警情编号,接警时间,单位编码,警情类别,简要案情\nJ1,2021-05-03 14:05,P01,盗窃,\n\n" \
           "J2,2021-05-03 14:05,P01,盗窃,案"
    path.write_bytes(body.encode() + tail)
    proc = cli_main(ref_db, path)
    assert proc.returncode == 2, proc.stderr
    assert f"neither UTF-8 (invalid from byte {len(body.encode()) + 1})" in proc.json["error_en"]
    assert "无法识别文件编码" in proc.json["error_zh"] and incident_count(ref_db) == 0
