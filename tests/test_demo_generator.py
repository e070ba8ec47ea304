"""The demo generator writes realistic, deterministic, deliberately untidy exports."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl.demo import BAD_UNIT_CODE, DEMO_SEED, generate_exports, holiday_periods
from warehouse import record_types as rt

TODAY = dt.date(2026, 11, 23)
SCALE = 3000


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> list[Path]:
    return generate_exports(tmp_path_factory.mktemp("demo_a"), seed=DEMO_SEED, scale=SCALE, today=TODAY)


# --- a minimal reader, independent of the loader ----------------------------

def type_of(path: Path) -> rt.RecordType:
    # longest name first, so "scenic_areas" is not taken for another type's prefix
    names = sorted(((n, t) for t in rt.RECORD_TYPES for n in (t.name, t.zh)), key=lambda x: -len(x[0]))
    for n, t in names:
        if path.name.startswith(n):
            return t
    raise AssertionError(f"no record type for {path.name}")


def encoding_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        return "xlsx"
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        raw.decode("gb18030")
        return "gb18030"


def _norm(h) -> str:
    h = unicodedata.normalize("NFKC", str(h or "")).strip().lower()
    return re.sub(r"\(.*\)$", "", h).strip()


def read_rows(path: Path) -> list[dict]:
    """Rows of one file as {english column name: raw value}."""
    rtype = type_of(path)
    names = {}
    for c in rtype.columns:
        for h in c.headers:
            names[_norm(h)] = c.name
    if path.suffix == ".xlsx":
        ws = load_workbook(path, read_only=True).worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    else:
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding_of(path)))))
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    for i, r in enumerate(rows):
        if sum(_norm(v) in names for v in r) >= len(rtype.required):
            head = [names.get(_norm(v)) for v in r]
            pad = [None] * len(head)
            return [{h: v for h, v in zip(head, list(row) + pad) if h} for row in rows[i + 1:]]
    raise AssertionError(f"no header in {path.name}")


def parse_date(v) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = unicodedata.normalize("NFKC", str(v)).strip().split(" ")[0]
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    return None


def parse_int(v) -> int | None:
    if isinstance(v, (int, float)):
        return int(v)
    s = unicodedata.normalize("NFKC", str(v)).replace(",", "").strip()
    return int(s) if s.lstrip("-").isdigit() else None


def digest(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


# --- tests -------------------------------------------------------------------

def test_same_seed_gives_identical_files(exports, tmp_path):
    again = generate_exports(tmp_path, seed=DEMO_SEED, scale=SCALE, today=TODAY)
    assert [p.name for p in again] == [p.name for p in exports]
    assert digest(again) == digest(exports)


def test_different_seed_gives_different_files(exports, tmp_path):
    other = generate_exports(tmp_path, seed=DEMO_SEED + 1, scale=SCALE, today=TODAY)
    a, b = digest(exports), digest(other)
    changed = [n for n in a if n in b and a[n] != b[n]]
    assert len(changed) > len(a) // 2


def test_every_record_type_has_a_file(exports):
    assert {type_of(p).name for p in exports} == {t.name for t in rt.RECORD_TYPES}


def test_file_names_start_with_english_or_chinese_type_name(exports):
    for p in exports:
        t = type_of(p)
        assert p.name.startswith((t.name, t.zh)), p.name
        assert p.suffix in (".csv", ".xlsx")
    assert any(p.name.startswith("incidents") for p in exports)
    assert any(p.name.startswith("涉旅警情") for p in exports)


def test_files_come_in_utf8_bom_gbk_and_xlsx(exports):
    encodings = {encoding_of(p) for p in exports}
    assert {"utf-8", "utf-8-sig", "gb18030", "xlsx"} <= encodings


def test_xlsx_files_have_title_rows_and_real_date_cells(exports):
    found_title = found_date = False
    for p in exports:
        if p.suffix != ".xlsx":
            continue
        ws = load_workbook(p, read_only=True).worksheets[0]
        first = next(ws.iter_rows(values_only=True))
        found_title |= sum(v is not None for v in first) == 1
        for row in ws.iter_rows(values_only=True, max_row=20):
            found_date |= any(isinstance(v, dt.datetime) for v in row)
    assert found_title and found_date


def test_every_file_has_a_recognisable_header_and_rows(exports):
    for p in exports:
        assert read_rows(p), p.name


def test_national_day_week_has_far_more_visitors_than_mid_november(exports):
    daily: dict[dt.date, int] = {}
    for p in exports:
        if type_of(p).name == "visitors":
            for r in read_rows(p):
                d, v = parse_date(r["visit_date"]), parse_int(r["visitors"])
                if d and v is not None:
                    daily[d] = daily.get(d, 0) + v
    golden = sum(daily[dt.date(2026, 10, 1) + dt.timedelta(days=i)] for i in range(7))
    november = sum(daily[dt.date(2025, 11, 10) + dt.timedelta(days=i)] for i in range(7))
    assert golden > 3 * november


def test_scale_gives_about_that_many_incidents(exports):
    n = sum(len(read_rows(p)) for p in exports if type_of(p).name == "incidents")
    assert abs(n - SCALE) <= 0.15 * SCALE


def test_bad_rows_of_each_kind_are_present(exports):
    rows = {t.name: [] for t in rt.RECORD_TYPES}
    for p in exports:
        rows[type_of(p).name] += read_rows(p)
    inc = rows["incidents"]
    assert any(r["unit_code"] == BAD_UNIT_CODE for r in inc)
    assert any(r["category"] not in rt.INCIDENT_CATEGORIES for r in inc)
    assert any(parse_date(r["received_at"]) is None for r in inc)
    ids = [r["incident_id"] for r in inc]
    assert len(ids) > len(set(ids))
    assert any(str(r["q_satisfaction"]) == "6" for r in rows["surveys"])
    assert any(str(r.get("compensation_yuan") or "").startswith("-") or
               (isinstance(r.get("compensation_yuan"), float) and r["compensation_yuan"] < 0)
               for r in rows["mediations"])


def test_some_incident_arrives_before_it_was_received(exports):
    def ts(v):
        if isinstance(v, dt.datetime):
            return v
        s = unicodedata.normalize("NFKC", str(v or "")).strip()
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y年%m月%d日 %H:%M", "%Y%m%d %H:%M:%S"):
            try:
                return dt.datetime.strptime(s, fmt)
            except ValueError:
                pass
        return None

    early = 0
    for p in exports:
        if type_of(p).name == "incidents":
            for r in read_rows(p):
                a, b = ts(r["received_at"]), ts(r["arrived_at"])
                early += bool(a and b and b < a)
    assert early >= 1


def test_free_text_carries_fake_phone_numbers_to_mask(exports):
    phone = re.compile(r"1[3-9]\d{9}|1[3-9]\d-\d{4}-\d{4}|\+86 1[3-9]\d \d{4} \d{4}|\d{17}[\dX]")
    hits = sum(bool(phone.search(str(r.get("summary") or "")))
               for p in exports if type_of(p).name == "incidents" for r in read_rows(p))
    assert hits >= 10


def test_holiday_periods_cover_the_four_peaks():
    periods = holiday_periods(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    labels = [label for _, _, label in periods]
    assert labels == ["春节", "五一", "暑期", "国庆黄金周"]
    first, last, _ = periods[0]
    assert first <= dt.date(2025, 1, 29) <= last and (last - first).days == 6  # 除夕 to 初六
    assert (periods[3][0], periods[3][1]) == (dt.date(2025, 10, 1), dt.date(2025, 10, 7))


def test_holiday_periods_are_clipped_to_the_range():
    periods = holiday_periods(dt.date(2025, 7, 15), dt.date(2025, 10, 3))
    assert periods == [(dt.date(2025, 7, 15), dt.date(2025, 8, 31), "暑期"),
                       (dt.date(2025, 10, 1), dt.date(2025, 10, 3), "国庆黄金周")]
