"""The weekly briefing (周报): its figures are the catalog's, its words the seed reports' pattern,
and its DOCX, PDF and print view hold the same figures.

Two small warehouses built through the real ETL: the Leshan seed report's
records (tests/test_metrics_seed_reports.py), whose closing paragraphs the
briefing must restate, and one week of a small city made so that one
change is notable and one is not, one unit lags on enough records and one
has too few to judge, and a survey rate moves beyond its interval.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import shutil
import subprocess
from urllib.parse import unquote

import pytest

from dashboard.briefing import compose
from dashboard.briefing.model import Heading, Paragraph, Table
from dashboard.model import judgements
from dashboard.model.filters import Scope
from dashboard.model.judgements import wilson
from dashboard.state import View
from tests.metrics_fixtures import build, compute_values, incident, officer, survey, visit
from tests.test_metrics_seed_reports import LESHAN_END, LESHAN_REPORT, LESHAN_START, leshan_records

CITY = Scope.city()


@contextlib.contextmanager
def warehouse(path):
    """Point the query layer at `path` for the duration, then back at what it was."""
    from dashboard.queries import db
    before = db._state["warehouse"]
    db.configure(path)
    try:
        yield path
    finally:
        db._state["warehouse"] = before
        db.clear_cache()


def view(start: str, end: str, lang: str = "zh", unit: str | None = None, period: str = "custom") -> View:
    return View(period, dt.date.fromisoformat(start), dt.date.fromisoformat(end), unit=unit, lang=lang)


@pytest.fixture(scope="module")
def leshan_db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("briefing-leshan"), **leshan_records())


@pytest.fixture
def leshan(leshan_db):
    """The Leshan warehouse, with the query layer pointed at it during the test."""
    with warehouse(leshan_db):
        yield leshan_db


# One week (Mon 16 – Sun 22 November 2026) of a small city, with the week before and a year before.
WEEK = ("2026-11-16", "2026-11-22")


def _week_records() -> dict[str, list[dict]]:
    incidents = []
    for i in range(40):   # 景区分局一: 40 incidents, 30 closed the same day (75 %, below the 95 % target)
        day = f"2026-11-{16 + i % 7}"
        incidents.append(incident(f"A{i:02d}", f"{day} 10:00", unit="FJ1", arrived=f"{day} 10:10",
                                  closed=f"{day} 18:00" if i < 30 else ""))
    for i in range(10):   # 景区分局二: 10 incidents, none closed (0 %, but too few to judge)
        incidents.append(incident(f"B{i:02d}", f"2026-11-{16 + i % 7} 11:00", unit="FJ2"))
    for i in range(40):   # the week before: 40 → +25 %, within normal variation
        incidents.append(incident(f"P{i:02d}", f"2026-11-{9 + i % 7:02d} 09:00", unit="FJ1"))
    for i in range(10):   # 52 weeks before: 10 → +400 %, notable
        incidents.append(incident(f"L{i:02d}", f"2025-11-{17 + i % 6} 09:00", unit="FJ1"))
    surveys = ([survey(f"S{i:02d}", "2026-11-18 10:00", 5 if i < 36 else 2, 5, unit="FJ1") for i in range(40)]
               + [survey(f"T{i:02d}", "2026-11-19 10:00", 5, 5, unit="FJ2") for i in range(10)]
               + [survey(f"U{i:02d}", "2026-11-11 10:00", 5 if i < 25 else 1, 4, unit="FJ1") for i in range(50)])
    return dict(
        officers=[officer(f"Z{i}", "专职旅游警察", unit="FJ1") for i in range(3)]
        + [officer(f"F{i}", "辅警", unit="FJ2") for i in range(2)],
        incidents=incidents, surveys=surveys,
        visitors=[visit("S1", "2026-11-16", 120000), visit("S1", "2026-11-10", 100000)],
    )


@pytest.fixture(scope="module")
def week_db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("briefing-week"), **_week_records())


@pytest.fixture
def week(week_db):
    with warehouse(week_db):
        yield week_db


def doc_of(v: View, lang: str | None = None):
    from dashboard.briefing.text import document
    return document(compose.briefing(v, CITY), lang or v.lang)


def paragraphs(doc) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


# --- figures: all from the catalog ------------------------------------------------

def test_every_briefing_figure_is_the_catalogs_for_the_period_the_one_before_and_last_year(leshan):
    b = compose.briefing(view(LESHAN_START, LESHAN_END), CITY)
    for name, (start, end) in (("now", (LESHAN_START, LESHAN_END)),
                               ("previous", tuple(d.isoformat() for d in b.previous)),
                               ("last_year", tuple(d.isoformat() for d in b.last_year))):
        expected = compute_values(leshan, start, end, metric_ids=list(compose.METRICS))
        got = {mid: getattr(f, name).value for mid, f in b.figures.items()}
        assert got == pytest.approx(expected, nan_ok=True), name
    assert b.previous == (dt.date(2020, 10, 30), dt.date(2021, 2, 28))
    assert b.last_year == (dt.date(2020, 3, 1), dt.date(2020, 6, 30))


def test_changes_are_judged_by_the_analysis_module(week):
    b = compose.briefing(view(*WEEK), CITY)
    fig = b.figures["incidents.total"]
    assert (fig.now.value, fig.previous.value, fig.last_year.value) == (50, 40, 10)
    assert fig.vs_previous == judgements.change("count", 50, 40)
    assert fig.vs_previous.notable is False and fig.vs_last_year.notable is True


# --- words: the seed reports' sentences with the fixture's figures -------------------

SEED_STRENGTH = "全市共配备专兼职旅游警察473人、辅警306人，打造规范化旅游警务室12个、警务服务点27个，建立旅游警务志愿者队伍6支、治安防控队伍31支"


def test_the_briefing_restates_the_leshan_report_in_its_sentence_pattern(leshan):
    text = "\n".join(paragraphs(doc_of(view(LESHAN_START, LESHAN_END))))
    r = LESHAN_REPORT
    assert "截至2021年6月30日，" + SEED_STRENGTH + "。" in text
    assert f"本期实行淡旺季动态布警{r['deploy.dynamic']}次" in text
    assert (f"开展区域旅游警务协作交流{r['enforce.coop_exchanges']}次，"
            f"会同相关部门开展综合执法治理{r['enforce.joint_operations']}次，"
            f"流转涉旅信息{r['enforce.info_transfers']}条，查处违规违法旅游卖场{r['enforce.shops_penalized']}家次，"
            f"开展旅游治安秩序专项整治{r['enforce.campaigns']}次，排查整治各类风险隐患{r['enforce.hazards_fixed']}处，"
            f"办理涉旅行政案件{r['cases.administrative']}起、刑事案件{r['cases.criminal']}起。") in text
    assert (f"向游客推送安全预警信息{r['service.warnings_pushed']}次，"
            f"提供交通及户政业务便捷服务{r['service.convenience']}人次，"
            f"调解涉旅纠纷{r['mediation.total']}起（调解成功率66.7%，n=141），") in text
    assert f"帮助寻人寻物{r['service.found']}人次" in text
    assert f"评选“最美旅游警察”{r['nominations.selected']}名。" in text


def test_a_clause_whose_figure_is_zero_is_left_out(leshan):
    text = "\n".join(paragraphs(doc_of(view(LESHAN_START, LESHAN_END))))
    assert compute_values(leshan, LESHAN_START, LESHAN_END)["deploy.security_events"] == 0
    assert "景区安保" not in text and "救助游客" not in text


def test_the_english_briefing_states_the_same_figures(leshan):
    text = "\n".join(paragraphs(doc_of(view(LESHAN_START, LESHAN_END, "en"))))
    assert ("As of 30 June 2021, the city had 473 tourism police (full- and part-time) and 306 auxiliary police, "
            "12 standardised police rooms and 27 service points, and 6 volunteer teams and 31 prevention teams.") in text
    assert "mediated 187 tourism disputes (success rate 66.7%, n=141)" in text
    assert "handled 27 administrative cases and 3 criminal cases" in text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text.replace("全市", "")), "Chinese words left in English text"


def test_changes_are_called_notable_only_where_the_analysis_says_so(week):
    text = "\n".join(paragraphs(doc_of(view(*WEEK))))
    assert "共接报涉旅警情50起，环比上升25.0%，同比显著上升400.0%" in text
    assert "环比显著上升25.0%" not in text
    assert "涉旅警情（同比上升400.0%）" in text    # listed among the notable changes


def test_rates_are_stated_with_their_n_and_survey_rates_with_the_wilson_interval(week):
    text = "\n".join(paragraphs(doc_of(view(*WEEK))))
    assert "警情处置不过夜率60.0%（n=50）" in text
    low, high = wilson(46 / 50, 50)
    assert f"群众满意率92.0%（n=50，95%置信区间{low * 100:.1f}%–{high * 100:.1f}%），环比显著上升42.0个百分点" in text
    assert "接待游客12.00万人次，环比显著上升20.0%" in text


def test_units_below_target_on_enough_records_are_named_and_small_ones_are_not_judged(week):
    doc = doc_of(view(*WEEK))
    text = "\n".join(paragraphs(doc))
    assert "以下单位需关注：景区分局一警情处置不过夜率75.0%（n=40），低于目标95.0%。" in text
    assert "景区分局二警情处置" not in text     # 0 % on 10 incidents: too few to judge
    units = next(b for b in doc.blocks if isinstance(b, Table) and "单位" in b.columns[0])
    rows = {row[0].text: row for row in units.rows}
    assert rows["景区分局一"][-1].text == "未达标" and rows["景区分局一"][2].tone == "red"
    assert rows["景区分局二"][-1].text == "样本不足"
    assert list(rows)[:2] == ["景区分局一", "景区分局二"]


def test_the_default_view_is_the_last_complete_week(week, monkeypatch):
    from dashboard.briefing import DEFAULT_PERIOD
    from dashboard.components.view import view_from_args
    monkeypatch.setenv("TPD_TODAY", "2026-11-25")
    v = view_from_args({}, CITY, DEFAULT_PERIOD)
    assert (v.start, v.end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    doc = doc_of(v)
    assert doc.title == "市公安局旅游警务工作周报"
    assert doc.subtitle == "2026年第47周（2026年11月16日至22日）"


# --- DOCX, PDF, print view ---------------------------------------------------------

def test_the_docx_opens_with_python_docx_and_holds_the_same_figures(leshan):
    import docx

    from dashboard.briefing import docx as word
    doc = doc_of(view(LESHAN_START, LESHAN_END))
    opened = docx.Document(io.BytesIO(word.docx_bytes(doc)))
    headings = [p.text for p in opened.paragraphs if p.style.name == "Heading 1"]
    assert headings == [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 1]
    assert [p.text for p in opened.paragraphs if p.style.name == "Title"] == [doc.title]
    body = "\n".join(p.text for p in opened.paragraphs)
    assert SEED_STRENGTH in body
    assert "调解涉旅纠纷187起" in body
    table = opened.tables[0]
    cells = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows}
    assert cells["涉旅警情(起)"][1] == "70"
    assert cells["调解涉旅纠纷(起)"][1] == "187"
    assert len(opened.tables) == len([b for b in doc.blocks if isinstance(b, Table)])


def test_the_pdf_is_printed_by_chromium_and_holds_the_figures(leshan, tmp_path):
    from dashboard.briefing import html, pdf
    doc = doc_of(view(LESHAN_START, LESHAN_END))
    data = pdf.pdf_bytes(html.page_html(doc))
    assert data.startswith(b"%PDF") and len(data) > 20_000
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is missing: the PDF's text is not checked")
    (tmp_path / "b.pdf").write_bytes(data)
    text = subprocess.run(["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert SEED_STRENGTH in flat
    assert "调解涉旅纠纷187起" in flat
    assert "第1页" in flat


def test_the_print_view_is_self_contained(leshan):
    from dashboard.briefing import html
    page = html.page_html(doc_of(view(LESHAN_START, LESHAN_END)), {"DOCX": "/download/briefing.docx?x=1"})
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert re.findall(r'src="([^"]*)"', page) == ["/assets/print-button.js"]   # served by the app itself
    assert "onclick" not in page                                                # no inline script for the CSP
    assert "@page" in page and "counter(page)" in page
    assert SEED_STRENGTH in page


# --- routes: rebuilt on the server from the URL, audited --------------------------

@pytest.fixture(scope="module")
def app(leshan_db):
    from dashboard.app import create_app
    with warehouse(leshan_db):
        return create_app(leshan_db)


@pytest.fixture
def client(app, leshan):
    from tests.auth_fixtures import sign_in_test_client
    return sign_in_test_client(app.server.test_client())


QUERY = f"?period=custom&start={LESHAN_START}&end={LESHAN_END}"


def test_the_docx_route_rebuilds_the_briefing_from_the_query_and_records_the_export(client, monkeypatch):
    import docx

    from dashboard.briefing import routes
    calls = []
    monkeypatch.setattr(routes, "exported", lambda kind, what, v: calls.append((kind, what, v)))
    # A figure posted by the client is not a filter and changes nothing.
    response = client.get("/download/briefing.docx" + QUERY + "&staff.tourism_police=1")
    assert response.status_code == 200
    assert response.mimetype == routes.DOCX_MIME
    disposition = unquote(response.headers["Content-Disposition"])
    assert "市公安局旅游警务工作简报_2021-03-01_2021-06-30.docx" in disposition
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert SEED_STRENGTH in body
    (kind, what, v), = calls
    assert (kind, what, v.start, v.end) == ("docx", "briefing", dt.date(2021, 3, 1), dt.date(2021, 6, 30))


def test_the_pdf_and_print_routes_answer_and_record_the_export(client, monkeypatch):
    from dashboard.briefing import routes
    calls = []
    monkeypatch.setattr(routes, "exported", lambda kind, what, v: calls.append(kind))
    pdf_response = client.get("/download/briefing.pdf" + QUERY + "&lang=en")
    assert pdf_response.status_code == 200 and pdf_response.data.startswith(b"%PDF")
    page = client.get("/briefing/print" + QUERY)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert SEED_STRENGTH in page.get_data(as_text=True)
    assert "/download/briefing.docx" + QUERY in page.get_data(as_text=True).replace("&amp;", "&")
    assert calls == ["pdf", "html"]


def test_a_link_with_filters_the_user_may_not_use_is_refused_in_both_languages(client, monkeypatch):
    from dashboard.briefing import routes
    calls = []
    monkeypatch.setattr(routes, "exported", lambda *a: calls.append(a))
    response = client.get("/download/briefing.docx?unit=NOPE")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "unit=NOPE" in text and "链接中的筛选条件无效" in text and "invalid filters" in text
    assert calls == []


@pytest.mark.usefixtures("as_admin")
def test_the_page_callback_shows_the_briefing_with_download_links_for_its_view(client, leshan):
    from dashboard.pages import briefing as page
    from dashboard.components.view import view_from_args
    v = view_from_args({"period": "custom", "start": LESHAN_START, "end": LESHAN_END, "unit": "FJ1"}, CITY)
    layout = str(page.layout(period="custom", start=LESHAN_START, end=LESHAN_END, unit="FJ1"))
    assert "/download/briefing.docx" + v.query() in layout and "/download/briefing.pdf" + v.query() in layout
    preview = str(page.render_preview(v.query()))
    fj1 = compute_values(leshan, LESHAN_START, LESHAN_END, unit="FJ1")
    assert f"景区分局一共配备专兼职旅游警察{fj1['staff.tourism_police']}人、辅警{fj1['staff.auxiliary']}人" in preview



def test_a_unit_users_briefing_is_their_units_not_the_citys(leshan):
    fj1 = compute_values(leshan, LESHAN_START, LESHAN_END, unit="FJ1")
    b = compose.briefing(view(LESHAN_START, LESHAN_END), Scope("FJ1"))
    assert b.figures["staff.auxiliary"].now.value == fj1["staff.auxiliary"]
    from dashboard.briefing.text import document
    doc = document(b)
    assert doc.title == "景区分局一旅游警务工作简报"
    assert doc.meta[0] == "统计范围：景区分局一及下属单位"
    text = "\n".join(paragraphs(doc))
    assert f"景区分局一共配备专兼职旅游警察{fj1['staff.tourism_police']}人" in text and "全市" not in text


def test_a_period_without_records_still_makes_a_whole_briefing(leshan):
    from dashboard.briefing import docx as word
    doc = doc_of(view("2010-01-04", "2010-01-10"))
    text = "\n".join(paragraphs(doc))
    assert "本周，全市未接报涉旅警情。" in text and "本周未收到有效问卷。" in text
    assert "截至2010年1月10日，全市暂无在册旅游警力、警务室和队伍记录。" in text
    assert word.docx_bytes(doc).startswith(b"PK")


def test_a_unit_user_cannot_download_another_units_briefing(client, monkeypatch):
    from dashboard.briefing import routes
    monkeypatch.setattr(routes, "current_scope", lambda: Scope("FJ1"))
    assert client.get("/download/briefing.docx" + QUERY + "&unit=FJ2").status_code == 400
    own = client.get("/download/briefing.docx" + QUERY + "&unit=PCS1")
    assert own.status_code == 200


def test_a_change_that_rounds_to_nothing_reads_as_unchanged():
    from dashboard.briefing.text import change_cell, change_words
    from dashboard.model.judgements import Change
    labels = ("上周", "去年同期")
    tiny = Change(0.01, 0.0005, None)
    assert change_words("incidents.response_median_min", tiny, "prev", labels, "zh") == "环比持平"
    assert change_words("incidents.response_median_min", tiny, "last", ("x", "the same week last year"), "en") == \
        "unchanged from the same week last year"
    assert change_cell("incidents.response_median_min", tiny, "zh").text == "持平"
    assert change_cell("incidents.response_median_min", tiny, "en").text == "unchanged"
    assert change_words("incidents.response_median_min", Change(1.26, 0.1, None), "prev", labels, "zh") == \
        "环比延长1.3分钟"


def test_a_count_on_a_small_base_changes_by_how_many_not_by_a_percentage():
    from dashboard.briefing.text import change_cell, change_words
    ch = judgements.change("count", 7, 1)             # 综合执法治理 1 → 7: "+600 %" would mislead
    assert ch.relative is None and ch.notable is False
    assert change_words("enforce.joint_operations", ch, "prev", ("上周", "去年同期"), "zh") == "环比增加6次"
    assert change_words("enforce.joint_operations", ch, "prev", ("the previous week", "x"), "en") == \
        "up 6 on the previous week"
    assert change_cell("enforce.joint_operations", ch, "zh").text == "+6次"
    fell = judgements.change("count", 0, 5)            # 救助游客 5 → 0
    assert change_words("service.rescued", fell, "prev", ("上周", "去年同期"), "zh") == "环比减少5人"


def test_small_base_changes_are_not_listed_as_notable_in_the_summary(tmp_path):
    from tests.metrics_fixtures import action
    db = build(tmp_path, **_week_records(), enforcement=[
        action("E1", "2026-11-10", "综合执法", 1), action("E2", "2026-11-18", "综合执法", 7)])
    with warehouse(db):
        doc = doc_of(view(*WEEK))
    summary = paragraphs(doc)[1]
    assert "综合执法治理" not in summary and "600" not in doc.text()
    assert "会同相关部门开展综合执法治理7次" in doc.text()
