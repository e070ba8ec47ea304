"""Dates people read are China's, whatever zone the server's clock is set to."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_today_is_chinas_date_on_a_server_twenty_hours_behind():
    """UTC−12 and China (UTC+8) are on different dates for 20 hours of every day."""
    code = ("import datetime as dt, zoneinfo; from dashboard.clock import today; "
            "print(today() == dt.datetime.now(zoneinfo.ZoneInfo('Asia/Shanghai')).date())")
    env = {k: v for k, v in os.environ.items() if k != "TPD_TODAY"} | {"TZ": "Etc/GMT+12", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "True", out.stderr


def test_a_pinned_today_wins(monkeypatch):
    from dashboard.clock import today
    monkeypatch.setenv("TPD_TODAY", "2026-11-23")
    assert str(today()) == "2026-11-23"
