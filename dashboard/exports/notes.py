"""A chart's note as its export prints it: only the marks the chart draws.

A page's note explains the marks of part weeks or months ("斜纹柱、空心点为不完整周").
A printed chart is read without the page: a rate chart has no bars, and a period of whole
weeks has no part week at all. So the note names hatched bars only where the figure draws
some (bars with a fill pattern), hollow points only where it draws some (white markers
with a coloured rim), and leaves the clause out when it draws neither. The phrases are the
catalog's (`chart.marks.*`), the ones the notes are written with.
"""
from __future__ import annotations

from dashboard.text import t

CLAUSE_SEPARATOR = {"zh": "；", "en": "; "}


def _marker(trace: dict) -> dict:
    return trace.get("marker") or {}


def draws_hatched_bars(figure: dict) -> bool:
    return any(trace.get("type") == "bar" and (_marker(trace).get("pattern") or {}).get("shape")
               for trace in figure.get("data") or [])


def draws_hollow_points(figure: dict) -> bool:
    def hollow(trace: dict) -> bool:
        marker = _marker(trace)
        return (trace.get("type") in ("scatter", None) and "markers" in str(trace.get("mode") or "")
                and (marker.get("color") == "white" or "open" in str(marker.get("symbol") or ""))
                and bool(trace.get("x") is not None and len(trace.get("x")) > 0))
    return any(hollow(trace) for trace in figure.get("data") or [])


def fit_note(note: str | None, figure: dict, lang: str) -> str | None:
    """`note` naming only the part-bucket marks `figure` draws (see the module doc)."""
    both = t("chart.marks.both", lang)
    if not note or both not in note:
        return note
    hatched, hollow = draws_hatched_bars(figure), draws_hollow_points(figure)
    if hatched and hollow:
        return note
    if hatched or hollow:
        return note.replace(both, t("chart.marks.hatched" if hatched else "chart.marks.hollow", lang))
    separator = CLAUSE_SEPARATOR["en" if lang == "en" else "zh"]
    clauses = [c for c in note.split(separator) if both not in c]
    kept = separator.join(clauses)
    if lang == "en" and kept and not kept.endswith("."):
        kept += "."
    return kept or None
