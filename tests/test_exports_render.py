"""Exports drawn by the real export server (kaleido on the system Chromium) from the demo warehouse.

Requests go through the Flask routes the download links use, so each test
covers the whole way: the view in the query string, the page's registered
builder, the frame, the browser, the file and its name. Exported images are
read back with Pillow: pixel size per preset, dpi, not blank, and Chinese
drawn as glyphs rather than boxes. Copies land in test-output/exports/ to
look at.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from dashboard.refusals import Refusal
from tests.builders.accounts import make_user
from tests.builders.demo import LOG_PERIOD

pytestmark = pytest.mark.browser

OUT = Path(__file__).resolve().parent.parent / "test-output" / "exports"
MONTH = "period=custom&start=2026-11-01&end=2026-11-22"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def client(demo_db):
    """The download routes on a Flask app of their own: the Dash app is built (it imports the pages,
    which register their charts), but requests skip Dash's own checks, which object to pages that
    other test modules imported a second time."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: ./test.sh installs it (apt-get install chromium)")
    import flask

    from dashboard.app import create_app
    from dashboard.exports import routes

    create_app(demo_db)
    server = flask.Flask("tpd-export-tests")
    routes.register(server)

    @server.before_request
    def _as_admin():  # the app's own guard is not on this server: the requests come from an admin
        flask.g.tpd_user = make_user("admin")

    @server.errorhandler(Refusal)
    def _refused(refusal):  # as the guard answers a refusal
        return flask.jsonify(refusal.as_json()), refusal.status
    OUT.mkdir(parents=True, exist_ok=True)
    return server.test_client()


def _get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def _download_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    found = re.search(r"filename\*=UTF-8''([^;]+)", disposition) or re.search(r'filename="?([^";]+)', disposition)
    return unquote(found.group(1))


def _image(data: bytes):
    from PIL import Image
    return Image.open(io.BytesIO(data)).convert("RGB")


def _ink_share(image) -> float:
    """The share of pixels that are not (nearly) white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return 1 - sum(histogram[245:]) / (image.width * image.height)


EXPECTED_PNG = {"wechat": (1080, None, 144), "slides": (1920, 1080, 144), "print": (2480, None, 300)}


@pytest.mark.parametrize("preset", list(EXPECTED_PNG))
def test_a_png_of_a_chinese_chart_has_the_preset_size_and_is_not_blank(client, preset):
    response = _get(client, f"/download/chart/incidents-category.png?preset={preset}&{MONTH}")
    assert response.mimetype == "image/png"
    name = _download_name(response)
    assert name.startswith("警情类别_2026-11-01至2026-11-22") and name.endswith(".png")
    (OUT / f"incidents-category-{preset}.png").write_bytes(response.data)
    from PIL import Image
    raw = Image.open(io.BytesIO(response.data))
    width, height, dpi = EXPECTED_PNG[preset]
    assert raw.width == width
    if height:
        assert raw.height == height
    else:
        assert 0.5 * width < raw.height < 2.5 * width
    assert tuple(round(v) for v in raw.info["dpi"]) == (dpi, dpi)
    image = raw.convert("RGB")
    assert 0.04 < _ink_share(image) < 0.8
    assert len(image.resize((200, 200)).getcolors(maxcolors=40_000)) > 40, "a chart has bars, text and a watermark in colour"


def test_chinese_is_drawn_as_glyphs_not_boxes_where_the_frame_puts_it(client):
    """Two titles of the same length: with a missing font both would be rows of identical boxes.
    The title is found top left and the source line at the bottom, where the frame placed them."""
    from dashboard.exports.frame import FOOTER_GAP, FOOTER_LINE, PAD, TITLE_LINE, FrameText, framed
    from dashboard.exports.presets import PRESETS
    from dashboard.exports.renderer import renderer
    import plotly.graph_objects as go

    preset = PRESETS["wechat"]
    figure = go.Figure(go.Bar(x=["很长很长的类别名称甲", "很长很长的类别名称乙"], y=[1, 2]))
    crops = []
    for title in ("警情类别统计", "调解成功比率"):
        spec = framed(figure, preset, FrameText(title, ["全市"], ["数据来源：测试单位"]))
        image = _image(renderer().render(spec, "png", preset.scale))
        box = [round(v * preset.scale) for v in (PAD, PAD, PAD + 6 * 22, PAD + TITLE_LINE)]
        crop = image.crop(tuple(box))
        assert _ink_share(crop) > 0.05, f"no title drawn for {title}"
        crops.append(crop.tobytes())
        footer_top = spec["layout"]["height"] - spec["layout"]["meta"]["tpd_frame"]["footer"] + FOOTER_GAP
        footer = image.crop(tuple(round(v * preset.scale) for v in (PAD, footer_top, PAD + 100, footer_top + FOOTER_LINE)))
        assert _ink_share(footer) > 0.03, "no source line at the bottom"
        gap = image.crop(tuple(round(v * preset.scale) for v in (0, footer_top - FOOTER_GAP + 2, preset.width,
                                                                 footer_top - 2)))
        assert _ink_share(gap) < 0.01, "the chart runs into the footer band"
    assert crops[0] != crops[1]


def test_an_svg_keeps_the_cjk_font_and_its_text(client):
    response = _get(client, f"/download/chart/incidents-category.svg?preset=slides&{MONTH}&category=%E7%9B%97%E7%AA%83")
    assert response.mimetype == "image/svg+xml"
    svg = response.data.decode("utf-8")
    (OUT / "incidents-category-slides.svg").write_text(svg, encoding="utf-8")
    assert svg.lstrip().startswith("<svg")
    assert "Noto Sans CJK SC" in svg
    for text in ("警情类别", "2026年11月1日至11月22日", "全市", "警情类别：盗窃", "数据来源：云岚市公安局旅游警察支队",
                 "数据截至", "生成于", "演示数据", "物品遗失"):
        assert text in svg, text
    assert re.search(r'<svg[^>]* width="960" height="540"', svg)


def test_a_print_pdf_is_one_a4_wide_page(client):
    response = _get(client, f"/download/chart/mediation-trend.pdf?preset=print&{MONTH}")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    (OUT / "mediation-trend-print.pdf").write_bytes(response.data)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", response.data)
    assert len(boxes) == 1
    width_mm = float(boxes[0][0]) / 72 * 25.4
    assert abs(width_mm - 210) < 1
    assert b"/FontFile" in response.data or b"/Type3" in response.data or b"/Subtype /Type3" in response.data


@pytest.mark.usefixtures("as_admin")
def test_the_view_comes_from_the_url_and_is_validated_like_the_page(client):
    # An unknown unit is refused in both languages, never drawn; a season is named.
    refused = client.get(f"/download/chart/incidents-source.svg?preset=wechat&{MONTH}&unit=NOPE")
    assert refused.status_code == 400 and {"zh", "en"} <= set(refused.get_json())
    response = _get(client, f"/download/chart/incidents-source.svg?preset=wechat&{MONTH}&season={quote('旺季')}")
    svg = response.data.decode("utf-8")
    assert "全市" in svg and "旺季" in svg
    english = _get(client, f"/download/chart/incidents-source.svg?preset=wechat&{MONTH}&lang=en")
    text = english.data.decode("utf-8")
    assert "Incidents by source" in text and "1–22 Nov 2026" in text and "DEMO DATA" in text
    assert _download_name(english).startswith("Incidents-by-source_2026-11-01_to_2026-11-22_WeChat")


def test_a_publicity_pack_holds_every_chart_of_the_page_in_the_preset(client):
    from dashboard.exports.registry import PAGES

    response = _get(client, f"/download/pack/mediation.zip?preset=print&{MONTH}")
    assert response.mimetype == "application/zip"
    assert _download_name(response) == "纠纷调解_宣传素材包_打印_2026-11-01至2026-11-22.zip"
    (OUT / "mediation-pack-print.zip").write_bytes(response.data)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    charts = list(PAGES["mediation"].charts.values())
    assert len(charts) == 7
    for i, spec in enumerate(charts, start=1):
        from dashboard.text import t
        stem = f"{i:02d}_{t(spec.title_key)}"
        assert f"{stem}.png" in names and f"{stem}.pdf" in names, (stem, names)
        image = _image(archive.read(f"{stem}.png"))
        assert image.width == 2480 and _ink_share(image) > 0.03
        assert archive.read(f"{stem}.pdf").startswith(b"%PDF")
    raw_readme = archive.read("说明.txt")
    assert raw_readme.startswith(b"\xef\xbb\xbf"), "Notepad and Excel need the BOM to read the Chinese"
    readme = raw_readme.decode("utf-8")
    assert "宣传素材包" in readme and "数据来源：云岚市公安局旅游警察支队" in readme and "演示数据" in readme
    assert len(names) == 2 * len(charts) + 1


def test_a_slides_pack_pairs_each_png_with_an_svg(client):
    archive = zipfile.ZipFile(io.BytesIO(_get(client, f"/download/pack/overview.zip?preset=slides&{MONTH}").data))
    pngs = sorted(n for n in archive.namelist() if n.endswith(".png"))
    assert pngs and [n[:-4] + ".svg" for n in pngs] == sorted(n for n in archive.namelist() if n.endswith(".svg"))
    assert all(_image(archive.read(n)).size == (1920, 1080) for n in pngs)


def test_a_grids_csv_has_its_rows_and_headers_as_the_page_shows_them(client):
    from dashboard.components.page import view_from_store
    from dashboard.model.filters import Scope
    from dashboard.pages import incidents

    response = _get(client, f"/download/table/incidents-records.csv?{MONTH}")
    assert response.mimetype == "text/csv"
    assert _download_name(response) == "警情明细_2026-11-01至2026-11-22_演示数据.csv"
    data = response.data
    (OUT / "incidents-records.csv").write_bytes(data)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    view = view_from_store(f"?{MONTH}", Scope.city(), incidents.DEFAULT_PERIOD, incidents.EXTRA)
    shown = incidents.records_table(incidents.P.ask(view, Scope.city()))
    assert rows[0] == [c["headerName"] for c in shown.columns]
    assert len(rows) - 1 == len(shown.rows) > 0
    assert {r[4] for r in rows[1:]} <= {"矛盾纠纷", "盗窃", "诈骗", "人员走失", "物品遗失", "求助救助", "交通事故",
                                        "违法经营", "其他"}
    text = data.decode("utf-8")
    assert not re.search(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", text), "a mobile number left unmasked"


def test_survey_comments_export_without_phone_numbers(client):
    data = _get(client, "/download/table/satisfaction-comments.xlsx?period=this_year").data
    import openpyxl
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert "联系电话" not in headers and "phone" not in headers
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert ws.max_row > 10
    assert not re.search(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", text.replace(" ", "").replace("-", ""))
    assert not re.search(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])", text)


def test_quarantine_export_follows_the_grids_own_choices(client):
    everything = _get(client, f"/download/table/data-quarantine-grid.csv?{LOG_PERIOD}").data
    narrowed = _get(client, f"/download/table/data-quarantine-grid.csv?{LOG_PERIOD}&reason=unknown_reference").data
    all_rows = list(csv.reader(io.StringIO(everything[3:].decode("utf-8"))))
    some_rows = list(csv.reader(io.StringIO(narrowed[3:].decode("utf-8"))))
    assert 1 < len(some_rows) < len(all_rows)
    # A reason or file the page does not offer is refused, never dropped for the whole table.
    for arg in ("reason=DROP TABLE", "file=nothing.csv"):
        refused = _get(client, f"/download/table/data-quarantine-grid.csv?{LOG_PERIOD}&{arg}", 400)
        assert "quarantine" in refused.get_data(as_text=True) and "隔离" in refused.get_data(as_text=True)


def test_every_export_passes_through_the_one_record_call(client, caplog):
    with caplog.at_level(logging.INFO, logger="tpd.exports"):
        _get(client, f"/download/chart/incidents-heatmap.png?preset=wechat&{MONTH}")
        _get(client, f"/download/pack/overview.zip?preset=wechat&{MONTH}")
        _get(client, f"/download/table/overview-units.xlsx?{MONTH}")
    lines = [r.getMessage() for r in caplog.records if r.name == "tpd.exports" and r.getMessage().startswith("export user=")]
    kinds = [re.search(r"kind=(\w+) what=(\S+)", line).groups() for line in lines]
    assert kinds == [("chart", "incidents-heatmap"), ("pack", "overview"), ("table", "overview-units")]
    assert all("view=?period=custom&start=2026-11-01&end=2026-11-22" in line for line in lines)


def test_bad_requests_are_explained_in_chinese_and_english(client):
    cases = [("/download/chart/no-such-chart.png?preset=wechat", 404, "没有这张图表", "no such chart"),
             ("/download/chart/incidents-category.gif?preset=wechat", 400, "图表只能导出为", "charts export as"),
             ("/download/chart/incidents-category.png?preset=poster", 400, "没有这种导出尺寸", "no such export preset"),
             ("/download/pack/nowhere.zip?preset=wechat", 404, "没有可导出的图表", "no charts to export"),
             ("/download/table/incidents-records.pdf", 400, "表格只能导出为", "tables export as"),
             ("/download/table/no-grid.csv", 404, "没有这个表格", "no such table")]
    for url, status, zh, en in cases:
        text = _get(client, url, status).get_data(as_text=True)
        assert zh in text and en in text, url


def test_the_export_server_starts_again_when_its_browser_dies(client):
    import os
    import signal
    from dashboard.exports.renderer import renderer

    _get(client, f"/download/chart/incidents-source.png?preset=wechat&{MONTH}")
    browser = renderer()._kaleido
    assert browser is not None
    os.kill(browser.subprocess.pid, signal.SIGKILL)       # the Chromium this process started
    browser.subprocess.wait(10)
    # Another image than the one drawn before the crash (that one is kept, and would not need a browser).
    response = _get(client, f"/download/chart/incidents-source.png?preset=slides&{MONTH}")
    assert _image(response.data).width == 1920
    assert renderer()._kaleido is not browser


@pytest.mark.usefixtures("as_admin")
def test_every_chart_and_grid_of_every_page_has_its_export_menu(client):
    import dash
    import dash_ag_grid as dag
    from dash import dcc

    from dashboard.exports.registry import CHARTS, PAGES, TABLES

    seen_charts = 0
    # Pages as the app imported them (a test importing a page module again adds an entry without a layout).
    for entry in [e for e in dash.page_registry.values() if "layout" in e]:
        layout = entry["layout"]() if callable(entry["layout"]) else entry["layout"]
        ids = {c.id for c in layout._traverse() if isinstance(getattr(c, "id", None), str)}
        for component in layout._traverse():
            if isinstance(component, dcc.Graph):
                assert component.id in CHARTS, f"{entry['path']}: chart {component.id} cannot be exported"
                assert f"{component.id}-export" in ids, f"{entry['path']}: chart {component.id} has no export menu"
                camera = component.config["toImageButtonOptions"]     # Plotly's own download button
                assert re.search(r"_\d{4}-\d{2}-\d{2}(至\d{4}-\d{2}-\d{2})?$", camera["filename"]), camera
                assert camera["scale"] == 2 and camera["format"] == "png"
                seen_charts += 1
            if isinstance(component, dag.AgGrid):
                assert component.id in TABLES, f"{entry['path']}: grid {component.id} cannot be exported"
                assert f"{component.id}-export" in ids, f"{entry['path']}: grid {component.id} has no export menu"
        page = entry["module"].split(".")[-1]
        if PAGES.get(page) and len(PAGES[page].charts) > 1:
            assert f"{page}-pack" in ids, f"{entry['path']}: no publicity pack"
    assert seen_charts == len(CHARTS) == 35


def test_a_chart_carries_its_pages_explanation_and_only_the_filters_that_apply(client):
    response = _get(client, f"/download/chart/incidents-response.svg?preset=print&{MONTH}")
    svg = response.data.decode("utf-8")
    assert "中位数" in svg and "P90" in svg                       # the page's line over the chart
    unit = _first_branch()
    data_page = _get(client, f"/download/chart/data-quarantine-chart.svg?preset=wechat&period=this_year&unit={unit}")
    text = data_page.data.decode("utf-8")
    from dashboard.model.filters import Scope
    from dashboard.queries import reference
    assert "2026年1月1日至11月23日" in text
    assert reference.unit_names(Scope.city())[unit] not in text and "全市" not in text
    assert "被隔离" in text                                      # the figure's own title, kept as a line


def test_the_source_line_names_the_warehouses_own_detachment_unless_exports_toml_sets_one(demo_db, tmp_path):
    """exports.toml ships without a source line (a made-up bureau's name is treated as none): an
    export never credits a bureau that does not exist."""
    from dashboard.exports.context import configured_source, source_line
    assert configured_source("zh") == configured_source("en") == ""          # as shipped
    assert source_line("zh") == "数据来源：云岚市公安局旅游警察支队"
    # English: the unit's name as it is, and what kind of unit it is, which the product can say
    assert source_line("en") == "Source: 云岚市公安局旅游警察支队 (tourism police detachment)"
    placeholder = tmp_path / "placeholder.toml"
    placeholder.write_text('[source]\nzh = "数据来源：示例市公安局旅游警察支队"\n'
                           'en = "Source: Tourism Police Detachment, Example City Public Security Bureau"\n',
                           encoding="utf-8")
    assert source_line("zh", placeholder) == "数据来源：云岚市公安局旅游警察支队"
    assert source_line("en", placeholder) == "Source: 云岚市公安局旅游警察支队 (tourism police detachment)"
    own = tmp_path / "own.toml"
    own.write_text('[source]\nzh = "数据来源：云岚市公安局旅游警察支队指挥处"\n', encoding="utf-8")
    assert source_line("zh", own) == source_line("en", own) == "数据来源：云岚市公安局旅游警察支队指挥处"


def test_a_unit_users_export_names_their_own_unit_where_the_city_would_be(demo_db):
    import datetime as dt

    from dashboard.exports.context import export_context
    from dashboard.model.filters import Scope
    from dashboard.queries import reference
    from dashboard.state import View
    unit = _first_branch()
    name = reference.unit_names(Scope.city())[unit]
    view = View("last_week", dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert export_context(view, Scope(unit), "警情类别").filters == ["2026年11月16日至11月22日", name]
    assert export_context(view, Scope.city(), "警情类别").filters == ["2026年11月16日至11月22日", "全市"]


def test_a_chart_that_shows_more_than_the_period_says_which_days_it_shows(client):
    """A 12-week trend ending with the selected week: its subtitle and file name give the 12 weeks."""
    from dataclasses import replace

    from dashboard.exports import charts
    from dashboard.exports.registry import CHARTS, PAGES
    from dashboard.model.filters import Scope
    spec = CHARTS["overview-trend"]   # declared by the page: span=weeks_to_end(12)
    view = PAGES["overview"].view_of("?period=last_week", Scope.city())
    context = charts.chart_context(spec, view, Scope.city())
    assert context.filters[0] == "2026年8月31日至11月22日" and context.period_slug == "2026-08-31至2026-11-22"
    plain = charts.chart_context(replace(spec, span=None), view, Scope.city())
    assert plain.filters[0] == "2026年11月16日至11月22日"
    # A period ending mid-week: twelve calendar weeks from a Monday, the last one to the period's end.
    month = PAGES["overview"].view_of("?period=this_month", Scope.city())
    assert charts.chart_context(spec, month, Scope.city()).filters[0] == "2026年9月7日至11月23日"


def _first_branch() -> str:
    from dashboard.model.filters import Scope
    from dashboard.queries import reference
    return reference.drill_children(None, Scope.city())[0]


def test_every_registered_chart_exports_with_its_title(client):
    from dashboard.exports.registry import CHARTS

    for chart_id, spec in CHARTS.items():
        view = "period=this_year" + ("&lang=en" if len(chart_id) % 2 else "")
        svg = _get(client, f"/download/chart/{chart_id}.svg?preset=slides&{view}").data.decode("utf-8")
        lang = "en" if "lang=en" in view else "zh"
        from dashboard.text import t
        title = t(spec.title_key, lang).replace("&", "&amp;").replace("<", "&lt;")
        assert title.split("：")[0].split(":")[0][:8] in svg, chart_id


def test_every_registered_table_exports_as_csv_and_xlsx(client):
    import openpyxl
    from dashboard.exports.registry import TABLES

    for grid_id in TABLES:
        rows = _csv_rows_of(_get(client, f"/download/table/{grid_id}.csv?{LOG_PERIOD}").data)
        workbook = openpyxl.load_workbook(io.BytesIO(_get(client, f"/download/table/{grid_id}.xlsx?{LOG_PERIOD}").data))
        sheet = workbook.worksheets[0]
        assert [c.value for c in sheet[1]] == rows[0], grid_id
        # The audit log grows by the CSV export itself before the XLSX is made.
        assert sheet.max_row == len(rows) + (grid_id == "data-audit"), grid_id
        assert workbook.worksheets[1].title == "说明"


def _csv_rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


RADICALS = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")   # CJK radicals and Kangxi radicals


@pytest.mark.parametrize("preset", ["wechat", "slides", "print"])
def test_a_chart_pdf_copies_and_searches_as_the_characters_it_shows(client, preset):
    """Text in a chart PDF is text: pdftotext gives the title and period as written (月, not the
    look-alike radical ⽉), and the glyphs come from the named, embedded Noto Sans CJK."""
    import subprocess

    response = _get(client, f"/download/chart/mediation-trend.pdf?preset={preset}&{MONTH}")
    (OUT / f"mediation-trend-{preset}.pdf").write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True).stdout
    text = text.decode("utf-8")
    assert "每周调解数与成功率" in text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日至\d{1,2}月22日", text), text[:200]
    assert "数据来源：云岚市公安局旅游警察支队" in text
    assert not RADICALS.search(text), RADICALS.findall(text)
    assert re.search(rb"/FontName /[A-Z]{6}\+NotoSansCJK", response.data), "the font is embedded under its name"


def _annotation_boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """(index, left, top, right, bottom) of each unrotated annotation, from the SVG Plotly wrote."""
    found = re.finditer(r'<g class="annotation" data-index="(\d+)"[^>]*><g class="annotation-text-g" '
                        r'transform="rotate\(([-\d.]+),[^)]*\)"><g class="cursor-pointer" transform="translate\('
                        r'([-\d.]+),([-\d.]+)\)"><rect class="bg" x="[\d.]+" y="[\d.]+" width="([\d.]+)" '
                        r'height="([\d.]+)"', svg)
    return [(m[1], float(m[3]), float(m[4]), float(m[3]) + float(m[5]), float(m[4]) + float(m[6]))
            for m in found if float(m[2]) == 0]


def _x_tick_boxes(svg: str) -> list[tuple[float, float]]:
    """(left, right) of each x-axis tick label, its width estimated from its text and font size."""
    from dashboard.exports.frame import text_width
    boxes = []
    for tick in re.findall(r'<g class="xtick">(<text[^>]*>[^<]*)</text>', svg):
        x = float(re.search(r'translate\(([-\d.]+),', tick)[1]) if "translate(" in tick else 0.0
        size = float(re.search(r"font-size: ([\d.]+)px", tick)[1])
        width = text_width(tick[tick.index(">") + 1:], size)
        boxes.append((x - width / 2, x + width / 2))
    return boxes


@pytest.mark.parametrize("chart_id, view", [
    ("satisfaction-trend", "period=custom&start=2026-11-04&end=2026-11-20"),   # 所选时间 beside 不完整周
    ("staffing-deploy", "period=this_year"),                                   # a label a month, half the width
    ("mediation-trend", MONTH),
    ("satisfaction-by-area", "period=this_year"),
])
def test_a_wechat_charts_labels_do_not_run_into_each_other(client, chart_id, view):
    svg = _get(client, f"/download/chart/{chart_id}.svg?preset=wechat&{view}").data.decode("utf-8")
    (OUT / f"{chart_id}-wechat.svg").write_text(svg, encoding="utf-8")
    boxes = _annotation_boxes(svg)
    assert len(boxes) > 3
    pad = 4     # an annotation's box is a few px taller than its line: stacked frame lines share that much
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a[3] <= b[1] + pad or b[3] <= a[1] + pad or a[4] <= b[2] + pad or b[4] <= a[2] + pad
            assert apart, f"annotations {a[0]} and {b[0]} overlap"
    ticks = sorted(_x_tick_boxes(svg))
    assert all(left[1] < right[0] for left, right in zip(ticks, ticks[1:])), ticks
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert min(sizes) >= 12, "text a phone shows smaller than 12 px"


def test_an_exports_times_are_china_time(demo_db):
    """生成于 and 数据截至 are China time: the latest record's time, as recorded, and the moment in China."""
    import datetime as dt

    from dashboard.exports.context import export_context
    from dashboard.queries import reference
    from dashboard.model.filters import Scope
    from dashboard.state import View
    china = dt.timezone(dt.timedelta(hours=8))
    context = export_context(View("last_week", dt.date(2026, 11, 16), dt.date(2026, 11, 22)), Scope.city(), "警情类别")
    assert abs((context.generated - dt.datetime.now(china).replace(tzinfo=None)).total_seconds()) < 120
    assert context.as_of == reference.as_of()
