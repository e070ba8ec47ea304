"""The briefing as PDF: the print HTML printed by the system Chromium, headless.

`pdf_bytes(html)` writes the page into a private temporary directory and
runs `chromium --headless --print-to-pdf` on it with a throwaway profile
(so concurrent prints never share one), no network and no header or footer
of Chromium's own: the page numbers come from the page's @page rules.
`TPD_CHROMIUM` names another browser binary. A print costs a Chromium
process (about a second and 150 MB), so one web process runs at most
`TPD_PDF_WORKERS` (default 2) at a time and the others wait their turn.
Errors say what went wrong in Chinese and English.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

TIMEOUT_S = 60
_printing = threading.BoundedSemaphore(max(1, int(os.environ.get("TPD_PDF_WORKERS", "2"))))
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
         "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw")


class PdfError(RuntimeError):
    """The PDF could not be made; `zh` and `en` say why."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


def chromium_path() -> str | None:
    wanted = os.environ.get("TPD_CHROMIUM")
    if wanted:
        return wanted if Path(wanted).exists() else None
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_bytes(html: str) -> bytes:
    browser = chromium_path()
    if browser is None:
        raise PdfError("服务器未安装 Chromium，无法生成 PDF", "Chromium is not installed on the server")
    with _printing, tempfile.TemporaryDirectory(prefix="tpd-pdf-") as tmp:
        page = Path(tmp) / "briefing.html"
        out = Path(tmp) / "briefing.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = [browser, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={out}",
               page.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, cwd=tmp,
                                  env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium 打印超时（{TIMEOUT_S} 秒）", f"Chromium's print timed out ({TIMEOUT_S} s)") from None
        if not out.exists() or out.stat().st_size == 0:
            tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfError(f"Chromium 未生成 PDF（退出码 {proc.returncode}）：{' '.join(tail)}",
                           f"Chromium made no PDF (exit {proc.returncode}): {' '.join(tail)}")
        return out.read_bytes()
