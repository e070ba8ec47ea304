"""What the browser's main thread does during a page's first render (issue 16), per script.

Loads each page once untimed (scripts cached), then once more under a Chromium trace
(`devtools.timeline`), in the phone profile of benchmarks/page_render.py (390×844, CPU ×4)
or the desktop one, and sums the trace's main-thread events: script evaluation and compile
per URL, function calls, style, layout and paint, long tasks (> 50 ms), and the requests
the page made (scripts with their sizes, callbacks with their count). With --tail-ms the trace
runs on so long after the first render (what follows it, a chart drawn again, is counted too), and
on a phone it says how many charts assets/phone.js fitted before their draw and relayouted after.
Reads, does not judge.
Run: .venv/bin/python benchmarks/page_trace.py --db FILE [--profile phone] [--paths / /incidents] [--tail-ms 3000]
     [--port N]   (the dashboard on N, the minimal page on N + 1; default: two free ports)
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PY, REPO, machine_note, report  # noqa: E402
from benchmarks.page_render import (ARGS, PATHS, PROFILES, SETTLED, bench_admin, server_ports,  # noqa: E402
                                    signed_in, wait_for)

CATEGORIES = "devtools.timeline,v8.execute,disabled-by-default-devtools.timeline"


def main_thread(events: list[dict]) -> tuple[int, int]:
    """The renderer's main thread: (pid, tid) of CrRendererMain carrying the most events."""
    names = {(e["pid"], e["tid"]) for e in events
             if e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"}
    counts = collections.Counter((e["pid"], e["tid"]) for e in events if (e["pid"], e["tid"]) in names)
    return counts.most_common(1)[0][0]


def summarise(events: list[dict]) -> dict:
    pid, tid = main_thread(events)
    own = [e for e in events if e.get("pid") == pid and e.get("tid") == tid and e.get("ph") == "X"]
    by_kind: dict[str, float] = collections.defaultdict(float)
    by_script: dict[str, float] = collections.defaultdict(float)
    long_tasks = []
    for e in own:
        ms = e.get("dur", 0) / 1000
        name = e["name"]
        if name in ("RunTask", "ThreadControllerImpl::RunTask"):
            if ms > 50:
                long_tasks.append(round(ms))
            by_kind["tasks"] += ms
            # The main thread's own CPU time (tdur): what a busy machine stretches least.
            by_kind["tasks_cpu"] += e.get("tdur", e.get("dur", 0)) / 1000
        elif name in ("EvaluateScript", "v8.compile", "v8.compileModule", "FunctionCall", "EventDispatch",
                      "TimerFire", "FireAnimationFrame", "UpdateLayoutTree", "Layout", "Paint",
                      "PrePaint", "Layerize", "ParseHTML", "v8.parseOnBackground"):
            by_kind[name] += ms
        if name == "EvaluateScript":
            url = e.get("args", {}).get("data", {}).get("url", "")
            by_script[url.split("?")[0].rsplit("/", 1)[-1] or "(inline)"] += ms
    return {"main_thread_ms": {k: round(v) for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])},
            "evaluate_script_ms": {k: round(v) for k, v in sorted(by_script.items(), key=lambda kv: -kv[1])},
            "long_tasks_ms": sorted(long_tasks, reverse=True)[:15], "long_tasks_total_ms": sum(long_tasks)}


def self_time_by_script(profile: dict) -> dict:
    """The sampled JavaScript self time per script (V8's CPU profile), in ms, largest first."""
    url_of = {n["id"]: (n["callFrame"]["url"].split("?")[0].rsplit("/", 1)[-1] or n["callFrame"]["functionName"]
                        or "(other)") for n in profile["nodes"]}
    ms: dict[str, float] = collections.defaultdict(float)
    for node, delta in zip(profile.get("samples", []), profile.get("timeDeltas", [])):
        ms[url_of[node]] += delta / 1000
    ms.pop("(idle)", None)
    return {k: round(v) for k, v in sorted(ms.items(), key=lambda kv: -kv[1])[:14]}


def trace_page(browser, context, url: str, profile: dict, tail_ms: int = 0) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    if profile["cpu_throttle"] > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": profile["cpu_throttle"]})
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 1000})
    cdp.send("Profiler.start")
    requests = []
    page.on("requestfinished", lambda r: requests.append(r))
    browser.start_tracing(page=page, categories=CATEGORIES.split(","))
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_function(SETTLED, timeout=120_000)
    seconds = time.perf_counter() - t0
    page.wait_for_timeout(tail_ms)   # work that follows the first render (a chart drawn again) counted too
    # What assets/phone.js did on a phone: charts fitted before their first draw, relayouts after it.
    phone = page.evaluate("window.tpdPhone ? {fitted: tpdPhone.fitted, relayouts: tpdPhone.relayouts} : null")
    events = json.loads(browser.stop_tracing())["traceEvents"]
    cpu = self_time_by_script(cdp.send("Profiler.stop")["profile"])
    scripts, callbacks = {}, 0
    for r in requests:
        if "/_dash-update-component" in r.url:
            callbacks += 1
        elif r.resource_type == "script":
            sizes = r.sizes()
            scripts[r.url.split("?")[0].rsplit("/", 1)[-1]] = sizes["responseBodySize"] or None
    page.close()
    return {"seconds": round(seconds, 2), "tail_ms": tail_ms, "phone_js": phone, "callback_requests": callbacks, "scripts": scripts,
            "js_self_ms_by_script": cpu, **summarise(events)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tpd-bench"))
    parser.add_argument("--profile", choices=list(PROFILES), default="phone")
    parser.add_argument("--paths", nargs="+", default=list(PATHS))
    parser.add_argument("--minimal", action="store_true", help="trace the minimal Dash page too")
    parser.add_argument("--tail-ms", type=int, default=0,
                        help="keep tracing so long after the first render (work that follows it counted too)")
    parser.add_argument("--port", type=int, help="the dashboard's port (the minimal page's: the next)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    users_db = args.workdir / "trace-users.sqlite3"
    password = bench_admin(users_db)
    port, minimal_port = server_ports(args.port)
    env = {**os.environ, "TPD_TODAY": "2026-11-23", "PYTHONPATH": str(REPO)}
    servers = [subprocess.Popen([PY, "-m", "dashboard", "--db", str(args.db), "--users-db", str(users_db),
                                 "--port", str(port)], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
               subprocess.Popen([PY, str(REPO / "benchmarks" / "minimal_dash.py"), "--port", str(minimal_port)],
                                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    base, minimal = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{minimal_port}"
    from playwright.sync_api import sync_playwright
    profile = PROFILES[args.profile]
    out = {"machine": machine_note(), "profile": args.profile, "pages": {}}
    try:
        wait_for(base + "/login")
        wait_for(minimal + "/")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            context = signed_in(browser, base, password, profile)
            targets = [(path, f"{base}{path}?period=custom&start=2026-0{1 + i}-01&end=2026-10-31")
                       for i, path in enumerate(args.paths)]
            if args.minimal:
                targets.append(("minimal", minimal + "/?bytes=100000"))
            for name, url in targets:
                page = context.new_page()  # scripts into the cache, untimed
                page.goto(url.replace("2026-10-31", "2026-10-30"))
                page.wait_for_function(SETTLED, timeout=120_000)
                page.close()
                key = name if name not in out["pages"] else f"{name} #{sum(k.split(' #')[0] == name for k in out['pages']) + 1}"
                out["pages"][key] = trace_page(browser, context, url, profile, args.tail_ms)
                print(key, json.dumps(out["pages"][key], ensure_ascii=False), file=sys.stderr)
            browser.close()
    finally:
        for server in servers:
            server.terminate()
    out["machine_after"] = machine_note()
    report(f"page_trace_{args.profile}", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
