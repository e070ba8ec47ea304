"""Export files without a browser: presets, the chart frame, CSV and XLSX, names, the registry.

Tables are built here by hand (a `Table` as a page builder returns it), so
each test states the cells it is about: Chinese headers, a formula-looking
comment, a phone column that must never leave, typed numbers and dates.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import struct
import zlib

import openpyxl
import pytest

from dashboard.exports.context import ExportContext, file_name, period_text
from dashboard.exports.frame import FrameText, framed, geometry, text_width, wrap
from dashboard.exports.presets import PRESETS
from dashboard.exports.renderer import with_dpi
from dashboard.exports.tables import Table, escape_formula, excel_format, to_csv, to_xlsx, typed_columns

# ---------------------------------------------------------------- presets and frame


def test_presets_give_the_pixel_sizes_of_their_media():
    assert PRESETS["wechat"].pixel_width == 1080
    slides = PRESETS["slides"]
    assert (slides.pixel_width, slides.pixel_height(geometry(slides, FrameText("标题")).height)) == (1920, 1080)
    assert PRESETS["print"].pixel_width == 2480                      # 210 mm at 300 dpi
    assert PRESETS["print"].dpi == 300
    # A print PDF page is A4 wide: 210 mm is 793.7 CSS px.
    print_pdf_width = PRESETS["print"].width * PRESETS["print"].scale_for("pdf")
    assert abs(print_pdf_width - 793.7) < 0.1
    assert PRESETS["wechat"].scale_for("svg") == 1


def _frame_texts(spec: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for note in spec["layout"]["annotations"]:
        if str(note.get("name", "")).startswith("tpd-frame"):
            out.setdefault(note["name"], []).append(note["text"])
    return out


def _figure():
    import plotly.graph_objects as go
    return go.Figure(go.Bar(x=["盗窃", "诈骗"], y=[3, 5]))


def test_the_frame_carries_title_filters_source_times_and_the_demo_watermark():
    text = FrameText("警情类别", ["2026年11月1日至11月23日 · 全市"],
                     ["数据来源：云岚市公安局旅游警察支队", "数据截至 2026-11-23 06:00 · 生成于 2026-11-24 09:00"],
                     "演示数据")
    spec = framed(_figure(), PRESETS["wechat"], text)
    texts = _frame_texts(spec)
    assert texts["tpd-frame-title"] == ["<b>警情类别</b>"]
    assert texts["tpd-frame-subtitle"] == ["2026年11月1日至11月23日 · 全市"]
    assert texts["tpd-frame-footer"][0] == "数据来源：云岚市公安局旅游警察支队"
    assert "数据截至" in texts["tpd-frame-footer"][1]
    assert texts["tpd-frame-watermark"] == ["演示数据"]
    layout = spec["layout"]
    assert layout["width"] == 360                                # the width a phone shows the article at
    assert layout["meta"]["tpd_frame"]["header"] > 0 and layout["meta"]["tpd_frame"]["footer"] > 0
    assert "title" not in layout                                 # the frame's title replaces any other


def test_a_real_warehouse_gets_no_watermark_and_the_slides_preset_keeps_its_height():
    spec = framed(_figure(), PRESETS["slides"], FrameText("警情类别", ["全市"], ["数据来源：某支队"]))
    assert "tpd-frame-watermark" not in _frame_texts(spec)
    assert spec["layout"]["height"] == 540


def test_a_figures_own_title_becomes_the_first_filter_line():
    fig = _figure()
    fig.update_layout(title_text="共 38 行被隔离")
    texts = _frame_texts(framed(fig, PRESETS["print"], FrameText("隔离区", ["2026年全年"])))
    assert texts["tpd-frame-subtitle"][:2] == ["共 38 行被隔离", "2026年全年"]


def test_frame_text_is_escaped_so_a_name_cannot_inject_markup():
    texts = _frame_texts(framed(_figure(), PRESETS["wechat"], FrameText("<b>x</b> & 单位", ["a<br>b"])))
    assert texts["tpd-frame-title"] == ["<b>&lt;b&gt;x&lt;/b&gt; &amp; 单位</b>"]
    assert texts["tpd-frame-subtitle"] == ["a&lt;br&gt;b"]


def test_long_titles_wrap_within_the_width_of_the_preset():
    title = "各景区调解成功率与快调快赔占比（按单位、景区和纠纷类型分组，样本不足的灰色列于末尾）"
    lines = wrap(title, 500, 20)
    assert len(lines) > 1 and "".join(lines) == title
    assert all(text_width(line, 20) <= 500 for line in lines)
    english = wrap("Incidents by category and source in the peak season", 200, 13)
    assert all(text_width(line, 13) <= 200 for line in english)
    assert " ".join(english) == "Incidents by category and source in the peak season"


def test_a_taller_chart_makes_a_taller_image_except_on_a_slide():
    short = geometry(PRESETS["wechat"], FrameText("t"), 300).height
    tall = geometry(PRESETS["wechat"], FrameText("t"), 700).height
    assert tall - short == 700 - PRESETS["wechat"].body_height
    assert geometry(PRESETS["slides"], FrameText("t"), 700).height == 540


def _png(width=2, height=1) -> bytes:
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff" * 3 * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_png_files_say_their_dpi():
    from PIL import Image

    marked = with_dpi(with_dpi(_png(), 144), 300)          # a second call replaces the first
    assert marked.count(b"pHYs") == 1
    image = Image.open(io.BytesIO(marked))
    assert tuple(round(v) for v in image.info["dpi"]) == (300, 300)
    assert image.size == (2, 1)


# ---------------------------------------------------------------- names and periods

def test_periods_read_the_way_a_report_writes_them():
    assert period_text(dt.date(2026, 11, 1), dt.date(2026, 11, 23), "zh") == "2026年11月1日至11月23日"
    assert period_text(dt.date(2025, 12, 29), dt.date(2026, 1, 4), "zh") == "2025年12月29日至2026年1月4日"
    assert period_text(dt.date(2026, 11, 23), dt.date(2026, 11, 23), "zh") == "2026年11月23日"
    assert period_text(dt.date(2026, 11, 1), dt.date(2026, 11, 23), "en") == "1–23 Nov 2026"
    assert period_text(dt.date(2026, 1, 1), dt.date(2026, 11, 23), "en") == "1 Jan – 23 Nov 2026"


def test_file_names_keep_chinese_and_lose_what_a_file_system_refuses():
    assert file_name("接警时段分布（星期 × 小时）", "2026-11-01至2026-11-23", "微信公众号", ext="png") == \
        "接警时段分布（星期×小时）_2026-11-01至2026-11-23_微信公众号.png"
    assert file_name("a/b\\c:d*e?f\"g<h>i|j", ext="csv") == "abcdefghij.csv"
    assert file_name("Incidents by category", "", ext="xlsx") == "Incidents-by-category.xlsx"


# ---------------------------------------------------------------- tables

def _context(demo=True) -> ExportContext:
    return ExportContext(lang="zh", title="警情明细", filters=["2026年11月1日至11月23日", "全市"],
                         source="数据来源：云岚市公安局旅游警察支队", as_of=dt.datetime(2026, 11, 23, 6, 0),
                         generated=dt.datetime(2026, 11, 24, 9, 30), demo=demo, period_slug="2026-11-01至2026-11-23")


def _table() -> Table:
    count = {"function": "params.value == null ? '—' : d3.format(',d')(params.value)"}
    rate = {"function": "params.value == null ? '—' : d3.format('.1%')(params.value)"}
    minutes = {"function": "params.value == null ? '—' : d3.format('.1f')(params.value)"}
    columns = [
        {"field": "unit_name", "headerName": "单位", "pinned": "left"},
        {"field": "received_at", "headerName": "接警时间"},
        {"field": "day", "headerName": "日期"},
        {"headerName": "指标", "children": [
            {"field": "incidents", "headerName": "警情(起)", "type": "numericColumn", "valueFormatter": count},
            {"field": "rate", "headerName": "不过夜率", "valueFormatter": rate},
            {"field": "minutes", "headerName": "到场(分钟)", "valueFormatter": minutes},
        ]},
        {"field": "summary", "headerName": "简要案情"},
        {"field": "phone", "headerName": "联系电话"},
        {"field": "phone_hash", "headerName": "电话摘要"},
        {"field": "hidden", "headerName": "内部", "hide": True},
    ]
    rows = [
        {"unit_name": "古城派出所", "received_at": "2026-11-03 14:05", "day": "2026-11-03", "incidents": 1234,
         "rate": 0.9532, "minutes": 12.25, "summary": "=HYPERLINK(\"http://x\",\"点我\")", "phone": "13912345678",
         "phone_hash": "ab12", "hidden": "x"},
        {"unit_name": "+86 景区分局", "received_at": "2026-11-04 09:00", "day": "2026-11-04", "incidents": 7,
         "rate": None, "minutes": 3.0, "summary": "游客手机被盗，联系电话13912345678，身份证号110101199003071234",
         "phone": "13812345678", "phone_hash": "cd34", "hidden": "y"},
        {"unit_name": "@某单位", "received_at": "2026-11-05 10:30", "day": "2026-11-05", "incidents": 0,
         "rate": 1.0, "minutes": None, "summary": "-1+1", "phone": None, "phone_hash": None, "hidden": None},
    ]
    total = {"unit_name": "合计", "received_at": None, "day": None, "incidents": 1241, "rate": 0.9, "minutes": None,
             "summary": None, "phone": "x", "phone_hash": "y", "hidden": None}
    return Table(columns, rows, pinned_top=[total])


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM to read Chinese"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_csv_opens_with_the_right_chinese_characters_and_the_grid_headers():
    rows = _csv_rows(to_csv(_table()))
    assert rows[0] == ["单位", "接警时间", "日期", "警情(起)", "不过夜率", "到场(分钟)", "简要案情"]
    assert rows[1][0] == "合计" and rows[1][3] == "1241"          # the pinned total row comes first
    assert rows[2][:4] == ["古城派出所", "2026-11-03 14:05", "2026-11-03", "1234"]
    assert rows[2][4] == "95.3%"                                  # as the page shows it; Excel reads 0.953
    assert len(rows) == 1 + 1 + 3


def test_csv_escapes_cells_that_a_spreadsheet_would_run_as_formulas():
    rows = _csv_rows(to_csv(_table()))
    assert rows[2][6] == "'=HYPERLINK(\"http://x\",\"点我\")"
    assert rows[3][0] == "'+86 景区分局"
    assert rows[4][0] == "'@某单位"
    assert rows[4][6] == "'-1+1"
    assert escape_formula("\tcmd") == "'\tcmd" and escape_formula("普通文字") == "普通文字"


def test_csv_numbers_are_bare_and_text_is_quoted():
    text = to_csv(_table())[3:].decode("utf-8")
    line = text.split("\r\n")[2]
    assert line.startswith('"古城派出所","2026-11-03 14:05","2026-11-03",1234,"95.3%",12.3,')


def test_personal_columns_never_leave_and_free_text_is_masked():
    for data in (to_csv(_table()), to_xlsx(_table(), _context())):
        if data.startswith(b"PK"):
            wb = openpyxl.load_workbook(io.BytesIO(data))
            cells = [str(c.value) for row in wb.worksheets[0].iter_rows() for c in row]
        else:
            cells = [c for row in _csv_rows(data) for c in row]
        text = "\n".join(cells)
        assert "联系电话" not in cells and "电话摘要" not in cells and "内部" not in cells
        assert "13812345678" not in text and "13912345678" not in text and "ab12" not in text
        assert "110101199003071234" not in text
        assert "139****5678" in text and "110101********1234" not in text and "110101********" in text


def test_xlsx_columns_are_typed_with_excel_formats():
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(_table(), _context())))
    ws = wb.worksheets[0]
    assert ws.title == "警情明细"
    assert [c.value for c in ws[1]] == ["单位", "接警时间", "日期", "警情(起)", "不过夜率", "到场(分钟)", "简要案情"]
    first = {ws.cell(1, i).value: ws.cell(3, i) for i in range(1, ws.max_column + 1)}
    assert first["警情(起)"].value == 1234 and first["警情(起)"].number_format == "#,##0"
    assert first["不过夜率"].value == pytest.approx(0.9532) and first["不过夜率"].number_format == "0.0%"
    assert first["到场(分钟)"].value == 12.25 and first["到场(分钟)"].number_format == "0.0"
    assert first["接警时间"].value == dt.datetime(2026, 11, 3, 14, 5)
    assert first["接警时间"].number_format == "yyyy-mm-dd hh:mm"
    assert first["日期"].value == dt.datetime(2026, 11, 3) and first["日期"].number_format == "yyyy-mm-dd"
    assert ws.cell(2, 1).value == "合计" and ws.cell(2, 1).font.b          # the total row, in bold
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:G5"


def test_xlsx_keeps_formula_looking_text_as_text():
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(_table(), _context()))).worksheets[0]
    cell = ws.cell(3, 7)
    assert cell.value == "=HYPERLINK(\"http://x\",\"点我\")"
    assert cell.data_type == "s" and cell.quotePrefix
    assert ws.cell(4, 1).data_type == "s" and ws.cell(4, 1).quotePrefix      # +86 …


def test_xlsx_says_where_its_data_comes_from():
    about = openpyxl.load_workbook(io.BytesIO(to_xlsx(_table(), _context()))).worksheets[1]
    facts = {row[0].value: row[1].value for row in about.iter_rows()}
    assert about.title == "说明"
    assert facts["表格"] == "警情明细"
    assert facts["筛选条件"] == "2026年11月1日至11月23日 · 全市"
    assert facts["数据来源"] == "数据来源：云岚市公安局旅游警察支队"
    assert facts["数据截至"] == dt.datetime(2026, 11, 23, 6, 0)
    assert facts["行数"] == 3
    assert "演示数据" in facts
    real = openpyxl.load_workbook(io.BytesIO(to_xlsx(_table(), _context(demo=False)))).worksheets[1]
    assert "演示数据" not in {row[0].value for row in real.iter_rows()}


def test_number_formats_follow_the_grids_d3_formats():
    kinds = {c.header: (c.kind, excel_format(c)) for c in typed_columns(_table())}
    assert kinds["警情(起)"] == ("int", "#,##0")
    assert kinds["不过夜率"] == ("percent", "0.0%")
    assert kinds["到场(分钟)"] == ("number", "0.0")
    assert kinds["简要案情"] == ("text", None)
    assert re.fullmatch(r"yyyy-mm-dd hh:mm", kinds["接警时间"][1])


def _column(header: str, d3: str) -> dict:
    return {"field": header, "headerName": header,
            "valueFormatter": {"function": f"params.value == null ? '—' : d3.format('{d3}')(params.value)"}}


def test_csv_numbers_are_rounded_as_the_page_shows_them():
    table = Table([_column("到场时间中位数(分钟)", ".1f"), _column("每万名游客警情(起)", ".2f"), _column("不过夜率", ".1%")],
                  [{"到场时间中位数(分钟)": 10.283333333333333, "每万名游客警情(起)": 3.1417720820600215, "不过夜率": 0.95349},
                   {"到场时间中位数(分钟)": 12.25, "每万名游客警情(起)": 2.005, "不过夜率": 1.0}])
    text = to_csv(table)[3:].decode("utf-8")
    lines = text.split("\r\n")
    # d3 rounds as JavaScript's toFixed does: 12.25 is exact in binary and goes up; 2.005 is 2.00499… and goes down
    assert lines[1:3] == ['10.3,3.14,"95.3%"', '12.3,2.00,"100.0%"']


def test_xlsx_keeps_full_precision_behind_the_pages_display_format():
    table = Table([_column("到场时间中位数(分钟)", ".1f")], [{"到场时间中位数(分钟)": 10.283333333333333}])
    cell = openpyxl.load_workbook(io.BytesIO(to_xlsx(table, _context()))).worksheets[0].cell(2, 1)
    assert cell.value == pytest.approx(10.283333333333333, abs=1e-12)     # Excel's 15 digits, not 10.3
    assert cell.number_format == "0.0"


def test_xlsx_columns_fit_chinese_headers_and_names_beside_the_filter_button():
    """Excel measures columns in widths of "0"; a Chinese character takes about two, and the
    autofilter button about three more, which must not cover the header."""
    names = ["云岚市公安局旅游警察支队", "古渡老街景区分局"]
    table = Table([{"field": "name", "headerName": "单位"}, _column("到场时间中位数(分钟)", ".1f"),
                   {"field": "when", "headerName": "接警时间"}],
                  [{"name": n, "到场时间中位数(分钟)": 10.5, "when": "2026-11-03 14:05"} for n in names])
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(table, _context()))).worksheets[0]
    widths = {ws.cell(1, i).value: ws.column_dimensions[ws.cell(1, i).column_letter].width for i in (1, 2, 3)}
    assert widths["单位"] >= 2 * len(names[0])                       # the longest name, in full
    assert widths["到场时间中位数(分钟)"] >= 2 * 9 + 4 + 3            # nine Chinese characters, four others, the button
    assert widths["接警时间"] >= len("2026-11-03 14:05")


def _font_sizes(spec, inside_font=False):
    if isinstance(spec, list):
        return [s for item in spec for s in _font_sizes(item, inside_font)]
    if not isinstance(spec, dict):
        return []
    sizes = []
    for key, value in spec.items():
        if key in ("font", "textfont", "tickfont", "insidetextfont", "outsidetextfont") and isinstance(value, dict):
            size = value.get("size")
            sizes += size if isinstance(size, list) else [size] if size is not None else []
        sizes += _font_sizes(value)
    return sizes


def test_a_wechat_image_has_no_text_smaller_than_its_minimum_at_the_size_a_phone_shows_it():
    """The article shows the image about 360 px wide: the layout is 360 px, so its font sizes are
    the sizes the reader sees, and none is under the preset's minimum (12 px)."""
    import plotly.graph_objects as go
    wechat = PRESETS["wechat"]
    assert wechat.width == 360 and wechat.pixel_width == 1080 and wechat.min_font >= 12
    figure = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2], text=["1", "2"], textfont=dict(size=9)),
                       layout=dict(xaxis=dict(tickfont=dict(size=10)), uniformtext=dict(minsize=8, mode="hide"),
                                   annotations=[dict(text="n=12", font=dict(size=9))]))
    spec = framed(figure, wechat, FrameText("警情类别", ["全市"], ["数据来源：测试单位"]))
    sizes = _font_sizes(spec)
    assert sizes and min(sizes) >= wechat.min_font
    assert spec["layout"]["uniformtext"]["minsize"] >= wechat.min_font


def test_month_ticks_are_thinned_where_a_label_a_month_would_run_together():
    """布警勤务 on a phone: eleven months on half of a 360 px image cannot each have a label."""
    import plotly.graph_objects as go
    axis = dict(type="date", range=["2026-01-01", "2026-12-01"], tickformat="%-m月", dtick="M1", domain=[0, 0.54])
    figure = go.Figure(go.Bar(x=["2026-01-01"], y=[1]), layout=dict(xaxis=axis))
    narrow = framed(figure, PRESETS["wechat"], FrameText("布警勤务"))["layout"]["xaxis"]
    wide = framed(figure, PRESETS["print"], FrameText("布警勤务"))["layout"]["xaxis"]
    months, step = 11, int(narrow["dtick"][1:])
    label = text_width("12月", PRESETS["wechat"].min_font)
    assert step > 1 and months / step * label < 0.54 * PRESETS["wechat"].width
    assert wide["dtick"] == "M1"


def test_notes_break_after_chinese_punctuation_not_inside_a_word():
    note = "自 2026-08-31 起各周（至少12周）；斜纹柱、空心点为所选时间只覆盖一部分的不完整周；阴影为旺季和节假日。"
    lines = wrap(note, PRESETS["wechat"].width - 40, 13)
    assert "".join(lines).replace(" ", "") == note.replace(" ", "")
    assert all(line.endswith(("；", "、", "。", "）", " ")) or line == lines[-1] for line in lines), lines
    assert not any(line.endswith("不") for line in lines)


def test_a_note_names_only_the_part_week_marks_the_chart_draws():
    """A rate line has hollow points but no bars; a period of whole weeks has neither."""
    from dashboard.exports.notes import fit_note
    note = "所选时间不足12周时显示截至其末日的近12周；斜纹柱、空心点为不完整周；阴影为旺季和节假日。"
    english = "Weeks from 2026-08-31; hatched bars and hollow points are part weeks; shading marks peak season."
    bars = {"data": [{"type": "bar", "x": [1], "marker": {"pattern": {"shape": "/"}}}]}
    points = {"data": [{"type": "scatter", "mode": "markers", "x": [1], "marker": {"color": "white"}}]}
    whole = {"data": [{"type": "bar", "x": [1], "marker": {}}, {"type": "scatter", "mode": "lines+markers", "x": [1]}]}
    both = {"data": bars["data"] + points["data"]}
    assert fit_note(note, both, "zh") == note
    assert fit_note(note, bars, "zh") == "所选时间不足12周时显示截至其末日的近12周；斜纹柱为不完整周；阴影为旺季和节假日。"
    assert fit_note(note, points, "zh") == "所选时间不足12周时显示截至其末日的近12周；空心点为不完整周；阴影为旺季和节假日。"
    assert fit_note(note, whole, "zh") == "所选时间不足12周时显示截至其末日的近12周；阴影为旺季和节假日。"
    assert fit_note(english, whole, "en") == "Weeks from 2026-08-31; shading marks peak season."
    assert fit_note(english, points, "en") == "Weeks from 2026-08-31; hollow points are part weeks; shading marks peak season."


def test_listed_rate_ticks_are_thinned_from_the_top_where_they_would_touch():
    import plotly.graph_objects as go
    axis = dict(range=[0.6, 1.03], tickvals=[0.6, 0.7, 0.8, 0.9, 1.0], tickformat=".0%")
    figure = go.Figure(go.Scatter(x=[0.9], y=["甲"]), layout=dict(xaxis=axis, margin=dict(l=10, r=110)))
    narrow = framed(figure, PRESETS["wechat"], FrameText("分景区：满意率"))["layout"]["xaxis"]["tickvals"]
    wide = framed(figure, PRESETS["print"], FrameText("分景区：满意率"))["layout"]["xaxis"]["tickvals"]
    assert narrow[-1] == 1.0 and len(narrow) < 5
    assert list(wide) == [0.6, 0.7, 0.8, 0.9, 1.0]


def test_crowded_category_labels_are_tilted_and_long_notes_wrapped_on_a_phone():
    """办结用时分布's eight buckets side by side and its line of figures were written for the page."""
    import plotly.graph_objects as go
    buckets = ["半小时内", "半–1小时", "1–2小时", "2–4小时", "4–8小时", "8–24小时", "1–2天", "2天以上"]
    note = "已办结 480 起：中位数 0.9 小时，P90 3.9 小时；另有调解中 4 起"
    figure = go.Figure(go.Bar(x=buckets, y=[1] * 8),
                       layout=dict(xaxis=dict(type="category", tickangle=0),
                                   annotations=[dict(text=note, x=0.5, y=1.1, xref="paper", yref="paper")]))
    narrow = framed(figure, PRESETS["wechat"], FrameText("办结用时分布"))["layout"]
    wide = framed(figure, PRESETS["print"], FrameText("办结用时分布"))["layout"]
    assert narrow["xaxis"]["tickangle"] == -45 and wide["xaxis"]["tickangle"] == 0
    own = next(a for a in narrow["annotations"] if not str(a.get("name", "")).startswith("tpd-frame"))
    assert "<br>" in own["text"] and own["text"].replace("<br>", "").replace(" ", "") == note.replace(" ", "")
    assert all(text_width(line, 12) <= PRESETS["wechat"].width - 40 for line in own["text"].split("<br>"))


def test_on_a_phone_bar_numbers_too_small_to_read_are_left_out_and_outside_ones_fit():
    """Plotly shrinks a number to fit its bar; on a phone it is hidden below the minimum instead.
    Numbers beside horizontal bars get a right margin as wide as the widest, so none is cut off."""
    import plotly.graph_objects as go
    figure = go.Figure(go.Bar(y=["翠屏峡景区 4A", "鹭鸣湿地公园 4A"], x=[203.0, 30.2], orientation="h",
                              text=["203.0（81人）", "30.2（12人）"], textposition="outside"),
                       layout=dict(margin=dict(l=10, r=10)))
    layout = framed(figure, PRESETS["wechat"], FrameText("景区警力与客流"))["layout"]
    assert layout["uniformtext"] == {"minsize": 12, "mode": "hide"}
    assert layout["margin"]["r"] >= text_width("203.0（81人）", 12)
    assert "uniformtext" not in framed(figure, PRESETS["slides"], FrameText("景区警力与客流"))["layout"]


# ---------------------------------------------------------------- what the routes do, on the demo warehouse

@pytest.fixture(scope="module")
def routes_as(demo_db):
    """The download routes on a Flask app of their own, answering as the user `routes_as.user`
    (a role's user made by `make_user`), refusals answered as the guard answers them."""
    import flask

    from dashboard.app import create_app
    from dashboard.exports import routes
    from dashboard.refusals import Refusal
    from tests.builders.accounts import make_user

    create_app(demo_db)
    server = flask.Flask("tpd-export-file-tests")
    routes.register(server)
    state = {"user": make_user("admin")}

    @server.before_request
    def _signed_in():
        flask.g.tpd_user = state["user"]

    @server.errorhandler(Refusal)
    def _refused(refusal):
        return flask.jsonify(refusal.as_json()), refusal.status

    client = server.test_client()
    client.sign_in = lambda role, unit=None: state.update(user=make_user(role, unit))
    return client


def _fail(*_args, **_kwargs):
    raise AssertionError("work was done for an export the role may not have")


def test_an_export_the_role_may_not_have_is_refused_before_any_query_or_drawing(routes_as, monkeypatch):
    from dashboard.exports import charts, tables
    from dashboard.exports.registry import PAGES, TABLES

    monkeypatch.setattr(charts, "renderer", _fail)
    monkeypatch.setattr(PAGES["staffing"], "view_of", _fail)
    monkeypatch.setattr(PAGES["incidents"], "view_of", _fail)
    monkeypatch.setattr(tables, "export_context", _fail)
    routes_as.sign_in("opinion")
    try:
        for url in ("/download/pack/staffing.zip?preset=print&period=this_year",
                    "/download/chart/staffing-tree.png?preset=wechat&period=this_year",
                    "/download/table/incidents-records.xlsx?period=this_year"):
            response = routes_as.get(url)
            assert response.status_code == 403, (url, response.get_data(as_text=True)[:300])
            assert response.json["zh"] == "您的角色不能导出此内容" and response.json["en"]
        routes_as.sign_in("publicity")     # may open the page, not its record-level table
        assert routes_as.get("/download/table/incidents-records.csv?period=this_year").status_code == 403
        assert "incidents-records" in TABLES
    finally:
        routes_as.sign_in("admin")


def _sheet_rows(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    return book.worksheets[0].max_row - 1, {r[0].value: r[1].value for r in book.worksheets[1].iter_rows()}


def test_an_export_holds_every_row_of_the_view_where_the_page_shows_the_latest(routes_as):
    """Every grid that shows only its latest rows (`capped`) exports all of the view's rows."""
    from dashboard.exports.registry import PAGES, TABLES
    from dashboard.model.filters import Scope
    from dashboard.session import acting_as
    from tests.builders.accounts import make_user
    from tests.builders.demo import LOG_PERIOD

    capped = {grid_id: spec for grid_id, spec in TABLES.items() if spec.capped}
    assert set(capped) == {"incidents-records", "mediation-records", "satisfaction-comments",
                           "data-quarantine-grid", "data-audit"}
    more_than_shown = set()
    for grid_id, spec in capped.items():
        with acting_as(make_user("admin")):
            view = PAGES[spec.page].view_of("?" + LOG_PERIOD, Scope.city())
            on_page = len(spec.build(view, Scope.city()).rows)
            in_view = len(spec.build(view, Scope.city(), limit=10**9).rows)
        rows = list(csv.reader(io.StringIO(routes_as.get(f"/download/table/{grid_id}.csv?{LOG_PERIOD}").data[3:]
                                           .decode("utf-8"), newline="")))
        xlsx_rows, about = _sheet_rows(routes_as.get(f"/download/table/{grid_id}.xlsx?{LOG_PERIOD}").data)
        grew = grid_id == "data-audit"          # the CSV export above is itself a new audit entry
        assert len(rows) - 1 >= in_view >= on_page, grid_id
        assert xlsx_rows == about["行数"] == len(rows) - 1 + grew, grid_id
        if in_view > on_page:
            more_than_shown.add(grid_id)
    # A year of the demo holds more incidents and comments than the grids' 500.
    assert {"incidents-records", "satisfaction-comments"} <= more_than_shown


def test_a_file_cut_at_the_row_ceiling_says_so_in_its_name_and_its_about_sheet(routes_as, monkeypatch):
    from dashboard.exports import tables

    monkeypatch.setattr(tables, "EXPORT_ROW_LIMIT", 100)
    response = routes_as.get("/download/table/incidents-records.xlsx?period=this_year")
    rows, about = _sheet_rows(response.data)
    assert rows == about["行数"] == 100
    assert "超过单个导出文件的上限 100 行" in about["行数上限"]
    assert "_仅最新100行" in response.headers["Content-Disposition"].encode("latin-1").decode("utf-8") \
        or "%E4%BB%85%E6%9C%80%E6%96%B0100%E8%A1%8C" in response.headers["Content-Disposition"]
    csv_response = routes_as.get("/download/table/incidents-records.csv?period=this_year&lang=en")
    assert len(csv_response.data.decode("utf-8-sig").strip().split("\r\n")) == 101
    assert "latest-100-rows-only" in csv_response.headers["Content-Disposition"]


def test_the_line_under_a_grid_says_what_its_exports_hold():
    from dashboard.exports.tables import EXPORT_ROW_LIMIT, with_export_rows

    assert with_export_rows("共 777 条，显示最近 500 条", "zh", 777) == "共 777 条，显示最近 500 条。导出文件含全部 777 条。"
    assert with_export_rows("showing 500 of 777.", "en", 777) == "showing 500 of 777. Exports hold all 777."
    over = with_export_rows("共 9 条", "zh", EXPORT_ROW_LIMIT + 1)
    assert f"只含最新的 {EXPORT_ROW_LIMIT:,} 条" in over
    assert f"每个文件最多 {EXPORT_ROW_LIMIT:,} 行" in with_export_rows("仅显示前 2,000 条；", "zh")


# ---------------------------------------------------------------- packs: drawn side by side, drawn once

def test_an_image_drawn_already_is_taken_again_not_drawn_again(monkeypatch):
    from dashboard.exports.renderer import Renderer

    drawn = []
    renderer = Renderer(tabs=3)
    monkeypatch.setattr(renderer, "_draw", lambda jobs: drawn.append(len(jobs)) or [b"img-%d" % len(drawn)] * len(jobs))
    figure = {"data": [{"type": "bar", "y": [1, 2]}], "layout": {"width": 540, "height": 400}}
    other = {"data": [{"type": "bar", "y": [1, 3]}], "layout": {"width": 540, "height": 400}}
    first = renderer.render_many([(figure, "png", 2.0), (figure, "pdf", 1.0)])
    again = renderer.render_many([(figure, "png", 2.0), (other, "png", 2.0), (figure, "pdf", 1.0)])
    assert drawn == [2, 1]                                   # only the changed figure is drawn
    assert again[0] == first[0] and again[2] == first[1] and again[1] == b"img-2"
    assert renderer.render_many([(figure, "png", 3.0)]) == [b"img-3"]   # another scale is another image


def link_props(menu) -> list[dict]:
    """The props of a menu's links, mounted or waiting in its store until the menu is opened."""
    def walk(node):
        if isinstance(node, list):
            return [p for child in node for p in walk(child)]
        if isinstance(node, dict) and "props" in node:
            props = node["props"]
            return ([props] if props.get("href") else []) + walk(props.get("children"))
        return []
    mounted = [c.to_plotly_json()["props"] for c in menu._traverse() if getattr(c, "href", None)]
    waiting = [p for c in menu._traverse() if getattr(c, "data", None) for p in walk(c.data)]
    return mounted + waiting


def test_every_export_link_says_it_is_being_prepared():
    import datetime as dt
    from pathlib import Path

    from dashboard.components.exports import chart_menu, pack_menu, table_menu
    from dashboard.state import View

    view = View("last_week", dt.date(2026, 11, 16), dt.date(2026, 11, 22), lang="en")
    menus = (chart_menu("incidents-category", view), table_menu("incidents-records", view), pack_menu("incidents", view))
    links = [props for menu in menus for props in link_props(menu)]
    assert len(links) == 9 + 2 + 3
    for props in links:
        assert props["data-busy"] == "Preparing…" and props["data-failed"] and props["data-what"], props
    assert links[-1]["data-what"] == "Publicity pack · Print A4 (PNG + PDF)"
    script = (Path(__file__).resolve().parent.parent / "dashboard" / "assets" / "downloads.js").read_text()
    assert "a[data-busy]" in script and "Content-Disposition" in script


def test_a_phone_export_takes_a_chart_with_an_empty_trace():
    """布警勤务 of a month without off-season deployments: that season's bars are empty beside
    bars at dates (no category labels to tilt); the 微信 image was refused with a ValueError."""
    import pandas as pd
    import plotly.graph_objects as go
    figure = go.Figure([go.Bar(x=[], y=[]), go.Bar(x=[pd.Timestamp("2026-10-26")], y=[25])])
    layout = framed(figure, PRESETS["wechat"], FrameText("布警勤务"))["layout"]
    assert "tickangle" not in layout.get("xaxis", {})
