"""Chart exports: one chart in one preset and format, or every chart of a page as a zip.

Everything starts from the page's query string: the page's own view parser
validates it against the user's scope (as its callbacks do), the registered
builder draws the figure the page shows, `frame` puts it in its publication
frame, and the export server renders it. Nothing the browser drew is used.
"""
from __future__ import annotations

import io
import zipfile

from dashboard.clock import today
from dashboard.exports import registry
from dashboard.exports.context import ExportContext, export_context, file_name
from dashboard.exports.files import ExportError, ExportFile
from dashboard.exports.frame import FrameText, framed
from dashboard.exports.presets import FORMATS, MIMETYPES, PRESETS, Preset
from dashboard.exports.record import exported
from dashboard.exports.renderer import renderer, with_dpi
from dashboard.model.filters import Scope
from dashboard.queries import db
from dashboard.state import View
from dashboard.text import t

# What a publicity pack holds per preset: the image, and a vector copy where the medium takes one.
PACK_FORMATS = {"wechat": ("png",), "slides": ("png", "svg"), "print": ("png", "pdf")}


def _preset(key: str | None) -> Preset:
    if key not in PRESETS:
        raise ExportError(400, f"没有这种导出尺寸：{key}（可选 {'、'.join(PRESETS)}）",
                          f"no such export preset: {key} (one of {', '.join(PRESETS)})")
    return PRESETS[key]


def _chart(chart_id: str) -> registry.ChartSpec:
    spec = registry.CHARTS.get(chart_id)
    if spec is None:
        raise ExportError(404, f"没有这张图表：{chart_id}", f"no such chart: {chart_id}")
    return spec


def _page(page: str) -> registry.PageExports:
    entry = registry.PAGES.get(page)
    if entry is None or not entry.charts:
        raise ExportError(404, f"这个页面没有可导出的图表：{page}", f"this page has no charts to export: {page}")
    return entry


def chart_context(spec: registry.ChartSpec, view: View, scope: Scope) -> ExportContext:
    page = registry.PAGES[spec.page]
    return export_context(view, scope, spec.title_of(view, scope), page.filters_of(view, scope),
                          with_place=page.view_filters, span=spec.span_of(view, scope))


def frame_text(context: ExportContext, note: str | None = None) -> FrameText:
    subtitle = [context.filters_line] + ([note] if note else [])
    footer = [line for line in (context.source, context.times_line) if line]
    return FrameText(context.title, subtitle, footer, t("export.watermark", context.lang) if context.demo else None)


def chart_figure(spec: registry.ChartSpec, view: View, scope: Scope):
    """The page's figure for the view, kept per warehouse version, day and scope like the page's own
    outputs, so the PNG and then the PDF of one chart build it once."""
    return db.cached(("export-chart", spec.chart_id, view.query(), today(), scope), lambda: spec.build(view, scope))


def framed_chart(spec: registry.ChartSpec, view: View, scope: Scope, preset: Preset) -> tuple[dict, ExportContext]:
    """The chart the page shows for `view`, in its frame for `preset`, and what it says about itself."""
    context = chart_context(spec, view, scope)
    note = spec.note(view, scope) if spec.note else None
    return framed(chart_figure(spec, view, scope), preset, frame_text(context, note)), context


def preset_label(preset: Preset, lang: str) -> str:
    return t(f"export.preset_short.{preset.key}", lang)


def _chart_file_name(context: ExportContext, view: View, preset: Preset, fmt: str) -> str:
    places = context.filters[1:2] if view.unit or view.area else []
    if view.area:
        places = context.filters[2:3]
    return file_name(context.title, context.period_slug, *places, preset_label(preset, view.lang), ext=fmt)


def render(fig: dict, preset: Preset, fmt: str) -> bytes:
    data = renderer().render(fig, fmt, preset.scale_for(fmt))
    return with_dpi(data, preset.dpi) if fmt == "png" else data


def chart_file(chart_id: str, search: str | None, preset_key: str | None, fmt: str, scope: Scope) -> ExportFile:
    """One chart of the view in `search`, framed for the preset, as PNG, SVG or PDF."""
    if fmt not in FORMATS:
        raise ExportError(400, f"图表只能导出为 {'、'.join(FORMATS)}：{fmt}",
                          f"charts export as {', '.join(FORMATS)} only: {fmt}")
    preset = _preset(preset_key)
    spec = _chart(chart_id)
    renderer().prepare()            # a cold browser starts while the figure is built
    view = registry.PAGES[spec.page].view_of(search, scope)
    fig, context = framed_chart(spec, view, scope, preset)
    data = render(fig, preset, fmt)
    name = _chart_file_name(context, view, preset, fmt)
    exported("chart", chart_id, view, fmt=fmt, preset=preset.key, size=len(data), file_name=name)
    return ExportFile(name, MIMETYPES[fmt], data)


def pack_file(page: str, search: str | None, preset_key: str | None, scope: Scope) -> ExportFile:
    """Every chart of the page for the view, in one preset, as a zip with a list of its contents."""
    preset = _preset(preset_key)
    entry = _page(page)
    renderer().prepare()
    view = entry.view_of(search, scope)
    lang = view.lang
    formats = PACK_FORMATS[preset.key]
    jobs, names, titles = [], [], []
    for i, spec in enumerate(entry.charts.values(), start=1):
        fig, context = framed_chart(spec, view, scope, preset)
        titles.append(context.title)
        for fmt in formats:
            jobs.append((fig, fmt, preset.scale_for(fmt)))
            names.append(file_name(f"{i:02d}", context.title, ext=fmt))
    images = renderer().render_many(jobs)
    images = [with_dpi(data, preset.dpi) if job[1] == "png" else data for data, job in zip(images, jobs)]

    page_name = t(f"nav.{page}", lang)
    # The pack names the view's period, whatever span a chart of it shows (each chart's frame says that).
    pack = export_context(view, scope, page_name, entry.filters_of(view, scope), with_place=entry.view_filters)
    lines = [t("export.pack_heading", lang, app=t("app.title", lang), page=page_name,
               preset=t(f"export.preset.{preset.key}", lang)),
             pack.filters_line, pack.source, pack.times_line]
    if pack.demo:
        lines.append(t("app.demo_banner", lang))
    lines.append("")
    per_chart = len(formats)
    for i, title in enumerate(titles):
        files = "、".join(names[i * per_chart:(i + 1) * per_chart]) if lang == "zh" \
            else ", ".join(names[i * per_chart:(i + 1) * per_chart])
        lines.append(f"{title}：{files}" if lang == "zh" else f"{title}: {files}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in zip(names, images):
            # PNG and PDF are compressed already; storing them saves time and nothing else.
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED if name.endswith(".svg") else zipfile.ZIP_STORED)
        zf.writestr(t("export.pack_readme", lang), "\r\n".join(lines) + "\r\n")
    data = buf.getvalue()
    name = file_name(page_name, t("export.pack", lang), preset_label(preset, lang), pack.period_slug, ext="zip")
    exported("pack", page, view, fmt="zip", preset=preset.key, size=len(data), file_name=name)
    return ExportFile(name, MIMETYPES["zip"], data)
