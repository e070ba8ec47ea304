"""The briefing as one self-contained, print-ready HTML page (the print view and the PDF's source).

Everything is inline: the style sheet, no scripts beyond the print button,
no web fonts (the CJK fonts a bureau PC or our server has), so the page
prints the same offline and Chromium turns it into the PDF unchanged. The
print CSS sets A4 pages with page numbers in the bottom margin, keeps a
heading with what follows it and repeats a table's header on every page.
"""
from __future__ import annotations

from html import escape

from dashboard.briefing.model import Cell, Document, Heading, Paragraph, Table
from dashboard.text import t

FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
         '"WenQuanYi Micro Hei", "Noto Sans", sans-serif')

CSS = """
@page { size: A4; margin: 22mm 20mm 20mm 20mm;
  @bottom-center { content: "PAGE_LABEL"; font: 9pt FONTS; color: #6b7785; } }
* { box-sizing: border-box; }
html { background: #e9edf2; }
body { font-family: FONTS; color: #1d2733; margin: 0; font-size: 11pt; line-height: 1.75; }
.sheet { background: #fff; max-width: 210mm; margin: 16px auto; padding: 20mm 20mm 16mm;
  box-shadow: 0 1px 6px rgba(0,0,0,.12); }
.toolbar { max-width: 210mm; margin: 12px auto 0; display: flex; gap: 8px; align-items: center;
  font-size: 13px; }
.toolbar a, .toolbar button { font: inherit; padding: 4px 12px; border: 1px solid #1f4e8c; border-radius: 4px;
  background: #fff; color: #1f4e8c; text-decoration: none; cursor: pointer; }
.toolbar button.primary { background: #1f4e8c; color: #fff; }
.toolbar .hint { color: #6b7785; margin-left: auto; }
.demo { border: 1px solid #f0d48a; background: #fff6dc; color: #6d4c00; font-size: 9.5pt; padding: 4px 8px;
  margin: 0 0 10px; text-align: center; }
h1 { font-size: 20pt; text-align: center; color: #1f4e8c; margin: 0 0 4px; letter-spacing: .04em;
  line-height: 1.35; font-weight: 700; }
.subtitle { text-align: center; font-size: 12pt; margin: 0 0 6px; }
.rule { border: 0; border-top: 2px solid #1f4e8c; margin: 8px 0 2px; }
.rule.thin { border-top-width: .5pt; margin: 0 0 8px; }
.meta { font-size: 9pt; color: #55606e; margin: 0; line-height: 1.6; }
h2 { font-size: 13pt; font-weight: 700; margin: 16px 0 4px; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; font-weight: 700; margin: 14px 0 2px; color: #55606e; break-after: avoid; }
p.body { text-indent: 2em; margin: 0 0 6px; text-align: justify; }
p.note { font-size: 9pt; color: #55606e; margin: 0 0 2px; line-height: 1.55; }
html[lang="en"] p.body { text-indent: 0; text-align: left; }
figure { margin: 8px 0 10px; break-inside: auto; }
figcaption { font-size: 10pt; font-weight: 700; text-align: center; margin-bottom: 3px; break-after: avoid; }
table { width: 100%; border-collapse: collapse; font-size: 9.5pt; line-height: 1.4; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th { background: #e8eef6; color: #1d2733; font-weight: 700; border: .5pt solid #9aa8ba; padding: 3px 5px;
  text-align: center; }
td { border: .5pt solid #b7c2cf; padding: 3px 5px; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.red { color: #b83227; font-weight: 700; }
td.amber { color: #a66f00; font-weight: 700; }
td.green { color: #2e7d4f; }
td.notable { font-weight: 700; }
td.muted { color: #6b7785; }
.tnote { font-size: 8.5pt; color: #6b7785; margin-top: 2px; line-height: 1.45; }
@media print {
  html { background: #fff; }
  .sheet { box-shadow: none; margin: 0; padding: 0; max-width: none; }
  .toolbar { display: none; }
}
"""


def _cell(c: Cell, tag: str = "td") -> str:
    classes = " ".join(x for x in (("num" if c.numeric else ""), c.tone or "") if x)
    attr = f' class="{classes}"' if classes else ""
    return f"<{tag}{attr}>{escape(c.text)}</{tag}>"


def _table(b: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in b.columns)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in b.rows)
    caption = f"<figcaption>{escape(b.caption)}</figcaption>" if b.caption else ""
    note = f'<div class="tnote">{escape(b.note)}</div>' if b.note else ""
    return f"<figure>{caption}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}</figure>"


def body_html(doc: Document) -> str:
    """The document's own markup (title block and blocks), without page or toolbar."""
    parts = []
    if doc.demo_notice:
        parts.append(f'<div class="demo">{escape(doc.demo_notice)}</div>')
    parts.append(f"<h1>{escape(doc.title)}</h1>")
    parts.append(f'<p class="subtitle">{escape(doc.subtitle)}</p>')
    parts.append('<hr class="rule"><hr class="rule thin">')
    parts += [f'<p class="meta">{escape(line)}</p>' for line in doc.meta]
    for b in doc.blocks:
        if isinstance(b, Heading):
            tag = "h2" if b.level == 1 else "h3"
            parts.append(f"<{tag}>{escape(b.text)}</{tag}>")
        elif isinstance(b, Paragraph):
            parts.append(f'<p class="{b.style}">{escape(b.text)}</p>')
        elif isinstance(b, Table):
            parts.append(_table(b))
    return "\n".join(parts)


def page_html(doc: Document, toolbar: dict[str, str] | None = None) -> str:
    """A whole HTML page. `toolbar` maps link labels to URLs (shown on screen only, never printed)."""
    lang = doc.lang
    page_label = "第 \" counter(page) \" 页，共 \" counter(pages) \" 页" if lang != "en" else \
        "Page \" counter(page) \" of \" counter(pages) \""
    css = CSS.replace("PAGE_LABEL", page_label).replace("FONTS", FONTS)
    bar = ""
    if toolbar:
        links = "".join(f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in toolbar.items())
        bar = (f'<div class="toolbar"><button class="primary" type="button" data-print>'
               f'{escape(t("briefing.print_button", lang))}</button>{links}</div>'
               f'<script src="/assets/print-button.js"></script>')
    return (f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "zh-CN"}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(doc.title)} · {escape(doc.subtitle)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
            f'{bar}<main class="sheet">\n{body_html(doc)}\n</main>\n</body>\n</html>\n')
