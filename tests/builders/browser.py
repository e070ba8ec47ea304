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
# empty box with data-tpd-grid-deferred stands in for it.
DEFERRED_GRIDS = "() => document.querySelectorAll('[data-tpd-grid-deferred]').length"


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
    assert page.evaluate(DEFERRED_GRIDS) == 0, "a grid was never built, though scrolled past"
    page.evaluate("window.scrollTo(0, 0)")
