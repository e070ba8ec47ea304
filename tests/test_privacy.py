"""Personal numbers in free text are masked before anyone sees them, however they are written.

`mask_text` and `mask_sql` against one table of formats (they must agree),
then a warehouse loaded through the real loader with incident summaries,
survey comments and nomination reasons holding phone and ID numbers in
several forms: what the record tables return (the rows a grid or an export
shows) has none of them, not even as a digit run, and no stored hash.
"""
from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from dashboard.model.filters import Filters, Scope
from dashboard.privacy import mask_sql, mask_text
from tests.conftest import rec, write_records

# (written, the digits that must not survive)
SAMPLES = [
    ("报警人电话13812345678", "13812345678"),
    ("报警人电话138 1234 5678。", "13812345678"),
    ("电话138-1234-5678", "13812345678"),
    ("电话+86 138 1234 5678", "13812345678"),
    ("电话+86-13812345678", "13812345678"),
    ("电话(+86)13912345678", "13912345678"),
    ("电话（+86）13912345678", "13912345678"),
    ("电话008613712345678", "13712345678"),
    ("电话１３８１２３４５６７８", "13812345678"),
    ("电话138.1234.5678", "13812345678"),
    ("电话138　1234　5678", "13812345678"),
    ("座机0773-2851234", "2851234"),
    ("座机(0773)2851234", "2851234"),
    ("座机（0773）2851234", "2851234"),
    ("座机0773 285 1234", "2851234"),
    ("座机010-12345678", "12345678"),
    ("身份证450103199001011234", "199001011234"),
    ("身份证45010319900101123X", "19900101123"),
    ("身份证45010319900101123x", "19900101123"),
    ("身份证 450103 19900101 1234", "199001011234"),
    ("老身份证450103900101123", "900101123"),
    ("号码有误450103199013451234", "199013451234"),   # an impossible birth date is still masked
    ("银行卡6222021234567890123", "1234567890123"),
    ("银行卡 6222 0212 3456 7890", "345678"),
    ("护照E12345678", "12345678"),
    ("邮箱zhang.san@example.com", "zhang.san"),
    ("两个号码13812345678和13987654321", "13987654321"),
]
KEPT = ["游客手机被盗", "警情JQ20261101", "单位YL0003", "金额1600元", "2026-05-03 14:05", "接待游客12000人次"]


def _digits(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z.]", "", text)


@pytest.mark.parametrize("written,secret", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_every_format_is_masked_alike_in_python_and_sql(written, secret):
    masked = mask_text(written)
    assert secret not in _digits(masked), masked
    con = duckdb.connect()
    assert con.execute(f"select {mask_sql('$t')}", {"t": written}).fetchone()[0] == masked


@pytest.mark.parametrize("text", KEPT)
def test_codes_amounts_and_dates_are_left_alone(text):
    assert mask_text(text) == text


# ---- through the warehouse ----------------------------------------------------------------------

PII_TEXTS = [s for s, _ in SAMPLES]


@pytest.fixture
def pii_db(ref_db, inbox):
    """The reference units and area with incidents, surveys and nominations whose text holds PII."""
    from etl.loader import load_batch
    from dashboard.queries import db

    incidents = [rec("incidents", incident_id=f"J{i:03d}", received_at=f"2021-05-03 {8 + i % 10:02d}:05",
                     arrived_at="", closed_at="", summary=text) for i, text in enumerate(PII_TEXTS)]
    surveys = [rec("surveys", response_id=f"Q{i:03d}", comment=text, phone="13700001111")
               for i, text in enumerate(PII_TEXTS)]
    nominations = [rec("nominations", nomination_id=f"N{i:03d}", person_id="110001", reason=text)
                   for i, text in enumerate(PII_TEXTS)]
    load_batch(ref_db, [
        write_records(inbox / "officers.csv", "officers", [rec("officers", phone="13700002222")]),
        write_records(inbox / "incidents.csv", "incidents", incidents),
        write_records(inbox / "surveys.csv", "surveys", surveys),
        write_records(inbox / "nominations.csv", "nominations", nominations),
        write_records(inbox / "votes.csv", "votes", [rec("votes", nomination_id="N000")]),
    ], user="tests")
    saved = db._state["warehouse"]
    db.configure(ref_db)
    yield ref_db
    db._state["warehouse"] = saved
    db.clear_cache()


def _assert_clean(values):
    text = " ".join(str(v) for v in values if v is not None)
    for _, secret in SAMPLES:
        assert secret not in _digits(text), secret
    assert not re.search(r"[0-9a-f]{64}", text), "a stored hash left the warehouse"
    assert "****" in text


def test_incident_summaries_are_masked_in_the_record_table(pii_db):
    from dashboard.queries import incidents as q
    df = q.records(Filters(dt.date(2021, 5, 1), dt.date(2021, 5, 31)), Scope.city())
    assert len(df) == len(PII_TEXTS)
    _assert_clean(df.summary)
    _assert_clean(df.astype(str).to_numpy().ravel())


def test_survey_comments_are_masked_and_cannot_be_searched_by_number(pii_db):
    from dashboard.queries import satisfaction as q
    period = Filters(dt.date(2021, 5, 1), dt.date(2021, 5, 31))
    df = q.comments(period, Scope.city())
    assert len(df) == len(PII_TEXTS)
    _assert_clean(df.astype(str).to_numpy().ravel())
    assert q.comments(period, Scope.city(), search="13812345678").empty
    assert "phone" not in df.columns


def test_nomination_reasons_are_masked_in_the_ranking(pii_db):
    from dashboard.queries import nominations as q
    df = q.ranking(Filters(dt.date(2021, 1, 1), dt.date(2021, 12, 31)), Scope.city(), "2021年度最美旅游警察")
    assert len(df) == len(PII_TEXTS)
    _assert_clean(df.astype(str).to_numpy().ravel())


def test_phone_columns_hold_only_hashes(pii_db):
    con = duckdb.connect(str(pii_db), read_only=True)
    try:
        phones = [p for (p,) in con.execute(
            "select phone from surveys union all select phone from officers").fetchall()]
    finally:
        con.close()
    assert phones and all(re.fullmatch(r"[0-9a-f]{64}", p) for p in phones)
