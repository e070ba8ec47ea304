"""Headless Chromium for the browser tests: the system's own (./test.sh installs it, no download),
where screenshots go, and when a page has settled."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

SETTLED = """() => {
    const loading = document.querySelector('[data-dash-is-loading="true"]');
    const plots = document.querySelectorAll('.js-plotly-plot');
    return !loading && plots.length > 0;
}"""

# A grid is built when it comes near the screen (dashboard/assets/lazy_grid.js): until then an
# empty box with data-tpd-grid-deferred stands in for it. Counted: those on the page, not in a
# hidden part of it (a tab not chosen builds its grid when it is).
DEFERRED_GRID_IDS = """() => Array.from(document.querySelectorAll('[data-tpd-grid-deferred]'))
    .filter(el => el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true}))
    .map(el => el.id)"""
DEFERRED_GRIDS = f"() => ({DEFERRED_GRID_IDS})().length"


def scroll_through(page, timeout_ms: int = 30_000) -> None:
    """Scroll the page to its end a screen at a time, as a person reading it does, until every grid
    is built; then back to the top."""
    waited = 0
    while page.evaluate(DEFERRED_GRIDS) and waited < timeout_ms:
        page.evaluate("window.scrollBy(0, window.innerHeight)")
        page.wait_for_timeout(250)
        waited += 250
        if page.evaluate("window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2"):
            page.evaluate("window.scrollTo(0, 0)")
    left = page.evaluate(DEFERRED_GRID_IDS)
    assert left == [], f"grids never built, though scrolled past: {left}"
    page.evaluate("window.scrollTo(0, 0)")
