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
