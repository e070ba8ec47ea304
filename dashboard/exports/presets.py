"""The media an exported chart is sized for.

Sizes are Plotly layout sizes in CSS pixels; `scale` multiplies them into
image pixels, so fonts keep their proportion to the image:

- 微信公众号 (wechat): a 1080 px wide image drawn at 3× from a 360 px layout:
  the article shows it about 360 px wide on a phone, so a layout pixel is a
  pixel there, and no text is smaller than `min_font` (12 px) at that size;
  height follows the chart.
- 幻灯片 16:9 (slides): exactly 1920 × 1080 px, a 960 × 540 layout at 2×;
  its 144 dpi makes it fill the width of a 13.33-inch PowerPoint slide.
- 打印 (print): A4 width at 300 dpi, 2480 px, an 800 px layout at 3.1×; the
  PDF page is 210 mm wide.

PNG files carry their dpi, so Word and PowerPoint place them at that size.
"""
from __future__ import annotations

from dataclasses import dataclass

FORMATS = ("png", "svg", "pdf")
MIMETYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
             "zip": "application/zip", "csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
A4_WIDTH_CSS_PX = 210 / 25.4 * 96       # 793.7: a PDF page is sized in CSS pixels at 96 per inch


@dataclass(frozen=True)
class Preset:
    key: str
    width: int                  # layout width, CSS px
    scale: float                # image px per layout px (PNG)
    dpi: int                    # written into the PNG
    body_height: int            # the chart's own height when the preset does not fix the total
    height: int | None = None   # fixed total height (title and footer included), or None
    pdf_width: float | None = None   # PDF page width in CSS px, when it is not the layout width
    min_font: int = 0           # no text smaller than this (layout px), for media shown small

    @property
    def pixel_width(self) -> int:
        return round(self.width * self.scale)

    def pixel_height(self, layout_height: int) -> int:
        return round(layout_height * self.scale)

    def scale_for(self, fmt: str) -> float:
        """PNG: the preset's scale. SVG is vector (1). PDF: a page as wide as the medium."""
        if fmt == "png":
            return self.scale
        if fmt == "pdf" and self.pdf_width:
            return self.pdf_width / self.width
        return 1


PRESETS: dict[str, Preset] = {
    "wechat": Preset("wechat", width=360, scale=3, dpi=144, body_height=320, min_font=12),
    "slides": Preset("slides", width=960, scale=2, dpi=144, body_height=400, height=540),
    "print": Preset("print", width=800, scale=3.1, dpi=300, body_height=460, pdf_width=A4_WIDTH_CSS_PX),
}
DEFAULT_PRESET = "wechat"


def preset(key: str | None) -> Preset:
    if key not in PRESETS:
        raise KeyError(key)
    return PRESETS[key]
