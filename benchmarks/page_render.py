"""Each page's first render in headless Chromium on the default demo warehouse.

Target (issue 3): under 2 s from navigation to the last callback settled.
Run: .venv/bin/python benchmarks/page_render.py [--workdir DIR]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PY, REPO, report, run  # noqa: E402

PATHS = ("/", "/staffing", "/incidents", "/mediation", "/satisfaction", "/nominations", "/data")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SETTLED = """() => !document.querySelector('[data-dash-is-loading="true"]')
                   && document.querySelectorAll('.js-plotly-plot').length > 0"""


def bench_admin(users_db: Path) -> str:
    """An administrator for the benchmark (a fresh password each run)."""
    from dashboard.auth import passwords, store
    password = passwords.generate_password()
    if store.get("bench", users_db) is None:
        store.add("bench", "admin", password=password, must_change=False, actor="benchmark", db=users_db)
    else:
        store.reset_password("bench", password, actor="benchmark", must_change=False, db=users_db)
    return password


def signed_in(browser, base: str, password: str):
    """A context signed in by posting the form from its own request client (no page to close mid-load)."""
    from dashboard.auth.csrf import token_in_form
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    token = token_in_form(context.request.get(base + "/login").text())
    context.request.post(base + "/login", max_redirects=0,
                         form={"username": "bench", "password": password, "csrf_token": token})
    return context


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tpd-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / "demo_default.duckdb"
    if not db.exists():
        run([PY, "-m", "etl", "demo", "--db", str(db), "--today", "2026-11-23"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    users_db = args.workdir / "bench-users.sqlite3"
    password = bench_admin(users_db)
    env = {**os.environ, "TPD_TODAY": "2026-11-23", "PYTHONPATH": str(REPO)}
    server = subprocess.Popen([PY, "-m", "dashboard", "--db", str(db), "--users-db", str(users_db),
                               "--port", str(port)], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/login", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    from playwright.sync_api import sync_playwright

    figures = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            context = signed_in(browser, base, password)
            for path in PATHS:
                times = []
                for i in range(args.repeat):
                    page = context.new_page()
                    # A different period each time, so no answer comes from the query cache.
                    url = f"{base}{path}?period=custom&start=2026-0{i + 1}-01&end=2026-10-31"
                    t0 = time.perf_counter()
                    page.goto(url)
                    page.wait_for_function(SETTLED, timeout=60_000)
                    times.append(time.perf_counter() - t0)
                    page.close()
                figures[path] = {"median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2)}
                print(path, figures[path], file=sys.stderr)
            browser.close()
    finally:
        server.terminate()
    report("page_render", {"pages": figures, "target_s": 2.0})
    return 0


if __name__ == "__main__":
    sys.exit(main())
