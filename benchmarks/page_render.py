"""Each page's first render in headless Chromium, against the floor: a minimal Dash page.

Targets (issue 16): each page's first render within 2× a minimal Dash page with one
dcc.Graph of the same data size (benchmarks/minimal_dash.py), served the same way
(Flask's threaded server, as `python -m dashboard`), in the same Chromium; and
within 3 s under the phone profile: 390×844 with the CPU throttled ×4
(CDP `Emulation.setCPUThrottlingRate`). A first render runs from navigation to
the last callback settled (no component loading, a chart drawn). The data size
of a page is the bytes its callbacks sent for that render; the minimal page is
then asked for a figure of that size. Each page and its minimal page are timed
one after the other, so the ratio is of one moment of the machine; both servers
are loaded once, untimed, first (scripts in the browser cache, as for anyone
who opened the dashboard before).
Run: .venv/bin/python benchmarks/page_render.py [--workdir DIR] [--db FILE] [--repeat 3] [--profiles desktop phone]
     [--port N]   (the dashboard on N, the minimal page on N + 1; default: two free ports)
     [--base-repo DIR]   (A/B: another checkout's dashboard too, on N + 2, each page of it timed
                          between this one's and the minimal page's: base_median_s, base_ratio)
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

from benchmarks.common import PY, REPO, machine_note, report, run  # noqa: E402

PATHS = ("/", "/staffing", "/incidents", "/mediation", "/satisfaction", "/nominations", "/map", "/data")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SETTLED = """() => !document.querySelector('[data-dash-is-loading="true"]')
                   && document.querySelectorAll('.js-plotly-plot').length > 0"""
PROFILES = {"desktop": {"viewport": {"width": 1440, "height": 900}, "cpu_throttle": 1},
            "phone": {"viewport": {"width": 390, "height": 844}, "cpu_throttle": 4}}
TARGETS = {"ratio_to_minimal": 2.0, "phone_s": 3.0}


def bench_admin(users_db: Path) -> str:
    """An administrator for the benchmark (a fresh password each run)."""
    from dashboard.auth import passwords, store
    password = passwords.generate_password()
    if store.get("bench", users_db) is None:
        store.add("bench", "admin", password=password, must_change=False, actor="benchmark", db=users_db)
    else:
        store.reset_password("bench", password, actor="benchmark", must_change=False, db=users_db)
    return password


def signed_in(browser, base: str, password: str, profile: dict):
    """A context signed in by posting the form from its own request client (no page to close mid-load)."""
    context = browser.new_context(viewport=profile["viewport"])
    sign_in(context, base, password)
    return context


def sign_in(context, base: str, password: str) -> None:
    from dashboard.auth.csrf import token_in_form
    token = token_in_form(context.request.get(base + "/login").text())
    context.request.post(base + "/login", max_redirects=0,
                         form={"username": "bench", "password": password, "csrf_token": token})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_ports(port: int | None) -> tuple[int, int]:
    """The dashboard's port and the minimal page's: `port` and the next, or two free ones."""
    return (port, port + 1) if port else (free_port(), free_port())


def wait_for(url: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"no answer from {url}")


def first_render(context, url: str, profile: dict) -> tuple[float, int]:
    """Seconds from navigation to settled, and the bytes the callbacks sent."""
    page = context.new_page()
    if profile["cpu_throttle"] > 1:
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": profile["cpu_throttle"]})
    sent = []
    page.on("response", lambda r: sent.append(r) if "/_dash-update-component" in r.url else None)
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_function(SETTLED, timeout=120_000)
    seconds = time.perf_counter() - t0
    n_bytes = sum(len(r.body()) for r in sent)
    page.close()
    return seconds, n_bytes


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tpd-bench"))
    parser.add_argument("--db", type=Path, help="an existing warehouse (default: the default demo's)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profiles", nargs="+", choices=list(PROFILES), default=list(PROFILES))
    parser.add_argument("--port", type=int, help="the dashboard's port (the minimal page's: the next)")
    parser.add_argument("--base-repo", type=Path, help="A/B: another checkout's dashboard, timed interleaved")
    parser.add_argument("--paths", nargs="+", default=list(PATHS), help="the pages to time (default: all)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or args.workdir / "demo_default.duckdb"
    if not db.exists():
        run([PY, "-m", "etl", "demo", "--db", str(db), "--today", "2026-11-23"])
    users_db = args.workdir / "bench-users.sqlite3"
    password = bench_admin(users_db)
    port, minimal_port = server_ports(args.port)
    env = {**os.environ, "TPD_TODAY": "2026-11-23", "PYTHONPATH": str(REPO)}
    servers = [subprocess.Popen([PY, "-m", "dashboard", "--db", str(db), "--users-db", str(users_db),
                                 "--port", str(port)], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
               subprocess.Popen([PY, str(REPO / "benchmarks" / "minimal_dash.py"), "--port", str(minimal_port)],
                                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    base, minimal = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{minimal_port}"
    other = None
    if args.base_repo:
        other_port = args.port + 2 if args.port else free_port()
        repo = args.base_repo.resolve()
        servers.append(subprocess.Popen([PY, "-m", "dashboard", "--db", str(db), "--users-db", str(users_db),
                                         "--port", str(other_port)], cwd=repo, env={**env, "PYTHONPATH": str(repo)},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        other = f"http://localhost:{other_port}"   # another host name: a cookie jar of its own
        wait_for(other + "/login")
    wait_for(base + "/login")
    wait_for(minimal + "/")
    from playwright.sync_api import sync_playwright

    note = machine_note()
    figures: dict = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name in args.profiles:
                figures[name] = render_profile(browser, name, PROFILES[name], base, minimal, password, args.repeat,
                                               other, args.paths)
            browser.close()
    finally:
        for server in servers:
            server.terminate()
    report("page_render", {"warehouse": str(db), "base_repo": str(args.base_repo) if args.base_repo else None, "machine": note, "machine_after": machine_note(),
                           "profiles": {k: {"viewport": v["viewport"], "cpu_throttle": v["cpu_throttle"]}
                                        for k, v in PROFILES.items() if k in figures},
                           "pages": figures, "targets": TARGETS})
    return 0


def render_profile(browser, name: str, profile: dict, base: str, minimal: str, password: str, repeat: int,
                   other: str | None = None, paths=PATHS) -> dict:
    context = signed_in(browser, base, password, profile)
    first_render(context, base + "/?period=custom&start=2025-01-01&end=2025-01-31", profile)  # scripts cached
    first_render(context, minimal + "/?bytes=1000", profile)
    if other:
        sign_in(context, other, password)
        first_render(context, other + "/?period=custom&start=2025-01-01&end=2025-01-31", profile)
    out = {}
    for path in paths:
        times, minimal_times, sizes, minimal_sizes, other_times = [], [], [], [], []
        for i in range(repeat):
            # A different period each time, so no answer comes from the query cache.
            query = f"{path}?period=custom&start=2026-0{i + 1}-0{1 + PATHS.index(path) % 9}&end=2026-10-31"
            seconds, n_bytes = first_render(context, base + query, profile)
            times.append(seconds)
            sizes.append(n_bytes)
            if other:
                other_times.append(first_render(context, other + query, profile)[0])
            minimal_s, minimal_bytes = first_render(context, f"{minimal}/?bytes={n_bytes}", profile)
            minimal_times.append(minimal_s)
            minimal_sizes.append(minimal_bytes)
        page_s, minimal_s = statistics.median(times), statistics.median(minimal_times)
        out[path] = {"median_s": round(page_s, 2), "max_s": round(max(times), 2),
                     "minimal_median_s": round(minimal_s, 2), "ratio_to_minimal": round(page_s / minimal_s, 2),
                     "callback_bytes": round(statistics.median(sizes)),
                     "minimal_callback_bytes": round(statistics.median(minimal_sizes))}
        if other:
            other_s = statistics.median(other_times)
            out[path].update(base_median_s=round(other_s, 2), base_ratio_to_minimal=round(other_s / minimal_s, 2),
                             page_to_base=round(page_s / other_s, 2))
        print(name, path, out[path], file=sys.stderr)
    context.close()
    return out


if __name__ == "__main__":
    sys.exit(main())
