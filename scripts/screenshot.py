"""Screenshot dashboard URLs in headless Chromium and print the browser console.

Usage: TPD_PASSWORD=… python scripts/screenshot.py URL OUT.png [--user NAME] [--width 1440] [--height 900] [--full]
A developer's tool for looking at pages as a user would; the browser tests use the same launch.
With `--user`, it signs in first through the sign-in form (password from `TPD_PASSWORD`).
"""
from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--wait", type=int, default=2500, help="ms to wait after network idle")
    parser.add_argument("--user", help="sign in as this user first (password from TPD_PASSWORD)")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": args.width, "height": args.height})
        page = context.new_page()
        if args.user:
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(args.url))
            page.goto(origin + "/login")
            page.fill("#username", args.user)
            page.fill("#password", os.environ.get("TPD_PASSWORD", ""))
            with page.expect_navigation(wait_until="commit"):
                page.click("button[type=submit]")
        messages = []
        page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
        page.goto(args.url, wait_until="networkidle")
        page.wait_for_timeout(args.wait)
        page.screenshot(path=args.out, full_page=args.full)
        browser.close()
    for m in messages:
        print(m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
