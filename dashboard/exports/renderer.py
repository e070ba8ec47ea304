"""The export server: one headless Chromium, started once, that draws framed figures.

kaleido v1 renders through a real browser. Starting one costs a second or
two, so each dashboard process keeps a `Kaleido` open on an event loop of its
own thread and hands it figures from any request thread
(`asyncio.run_coroutine_threadsafe`), which is safe for concurrent callers (the
module-level `kaleido.start_sync_server` queue is not). The browser is the
system Chromium (`TPD_CHROMIUM`, else `chromium` on the PATH) — nothing is
downloaded; plotly.js comes from the installed plotly package and MathJax is
off, so rendering needs no network. `frame.js` is loaded into the page (see
`frame.py`). The tab stays loaded between renders (see `_kaleido_class`).
If the browser dies or a render fails, the next call starts a new one.

`render(fig, fmt, scale)` returns the file's bytes; PNGs get their dpi
written in. `warm_up()` starts the browser in the background so the first
export of a freshly started dashboard does not pay for it.
"""
from __future__ import annotations

import asyncio
import atexit
import logging
import os
import shutil
import struct
import threading
import zlib
from pathlib import Path

log = logging.getLogger("tpd.exports")

FRAME_JS = Path(__file__).with_name("frame.js")
RENDER_TIMEOUT_S = 30


class ExportUnavailable(RuntimeError):
    """The server cannot draw images (no browser, or it failed to start); the message is zh / en."""


def chromium_path() -> str | None:
    configured = os.environ.get("TPD_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


RELOAD_EVERY = 200


def _kaleido_class():
    """Kaleido, keeping its tab loaded between renders.

    Kaleido 1.5 reloads the tab after every image — plotly.js parsed again,
    about three quarters of a warm export's time. Each render plots into a
    fresh div and removes it (so does frame.js), so the tab is reloaded only
    every RELOAD_EVERY renders, and a failed render replaces the whole browser
    (`Renderer.render_many`). This overrides a private method of the pinned
    kaleido==1.5.0; were it renamed, kaleido would simply reload again (slower,
    same images).
    """
    import kaleido

    class ExportKaleido(kaleido.Kaleido):
        _renders = 0

        async def _return_kaleido_tab(self, tab):
            self._renders += 1
            if self._renders % RELOAD_EVERY == 0:
                await tab.reload()
            await self.tabs_ready.put(tab)

    return ExportKaleido


class Renderer:
    """A Kaleido on a private event loop; `render` may be called from any thread."""

    def __init__(self, tabs: int | None = None, timeout: float = RENDER_TIMEOUT_S):
        # One tab by default: a second one doubles the start-up time, and two cores are
        # better spent on the queries; packs still render one chart after another in ~0.2 s each.
        self.tabs = tabs or int(os.environ.get("TPD_EXPORT_TABS", "1"))
        self.timeout = timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def start(self) -> None:
        with self._lock:
            if self._kaleido is not None:
                return
            path = chromium_path()
            if not path:
                raise ExportUnavailable("服务器未安装 Chromium，无法生成图片（请运行 scripts/setup.sh --system）"
                                        " / Chromium is not installed on the server, so it cannot draw images "
                                        "(run scripts/setup.sh --system)")
            from kaleido import PageGenerator

            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="tpd-export-server", daemon=True)
            thread.start()

            async def open_browser():
                page = PageGenerator(mathjax=False, others=[str(FRAME_JS)])
                k = _kaleido_class()(n=self.tabs, path=path, page_generator=page, timeout=self.timeout)
                await k.open()
                return k

            try:
                self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(self.timeout)
            except Exception as exc:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(5)
                raise ExportUnavailable(f"图片导出服务启动失败 / the image export server failed to start: {exc}") from exc
            self._loop, self._thread = loop, thread
            log.info("export server started: %s, %d tab(s)", path, self.tabs)

    def prepare(self) -> None:
        """Start the browser in the background if it is not running, so that it starts while the
        caller builds its figures; `render` then waits for it (a failure is raised there)."""
        if self._kaleido is not None or self._lock.locked():
            return

        def start():
            try:
                self.start()
            except ExportUnavailable as exc:
                log.warning("%s", exc)
        threading.Thread(target=start, name="tpd-export-start", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            k, loop, thread = self._kaleido, self._loop, self._thread
            self._kaleido = self._loop = self._thread = None
        if k is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(k.close(), loop).result(5 if not self._alive_process(k) else 15)
        except Exception:  # noqa: BLE001  (closing a dead browser)
            log.warning("export server did not close cleanly", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)

    @staticmethod
    def _alive_process(k) -> bool:
        process = getattr(k, "subprocess", None)
        return process is None or process.poll() is None

    def _alive(self) -> bool:
        return self._alive_process(self._kaleido)

    def _submit(self, coroutine_fn):
        if self._kaleido is not None and not self._alive():
            log.warning("export browser has exited; starting a new one")
            self.close()
        self.start()
        k, loop = self._kaleido, self._loop
        return asyncio.run_coroutine_threadsafe(coroutine_fn(k), loop)

    def render_many(self, jobs: list[tuple[dict, str, float]]) -> list[bytes]:
        """Each (figure dict, format, scale) as file bytes, in order; one retry with a new browser."""
        async def run(k):
            return await asyncio.gather(*(
                k.calc_fig(fig, opts={"format": fmt, "width": fig["layout"]["width"],
                                      "height": fig["layout"]["height"], "scale": scale})
                for fig, fmt, scale in jobs))

        for attempt in (1, 2):
            try:
                results = self._submit(run).result(self.timeout * max(1, len(jobs)))
                break
            except ExportUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001  (browser gone, timeout, render error)
                log.warning("export render failed (attempt %d): %r", attempt, exc)
                self.close()
                if attempt == 2:
                    raise ExportUnavailable(f"图片生成失败 / the image could not be drawn: {exc or type(exc).__name__}") from exc
        return list(results)

    def render(self, fig: dict, fmt: str, scale: float) -> bytes:
        return self.render_many([(fig, fmt, scale)])[0]


_renderer = Renderer()


def renderer() -> Renderer:
    return _renderer


def warm_up() -> None:
    """Start the browser in the background (a failure is logged; exports will say so)."""
    _renderer.prepare()


def with_dpi(png: bytes, dpi: float) -> bytes:
    """The PNG with a pHYs chunk saying `dpi` (replacing one it had), right after IHDR."""
    signature, rest = png[:8], png[8:]
    chunks, pos = [], 0
    while pos < len(rest):
        length = struct.unpack(">I", rest[pos:pos + 4])[0]
        kind = rest[pos + 4:pos + 8]
        chunk = rest[pos:pos + 12 + length]
        if kind != b"pHYs":
            chunks.append((kind, chunk))
        pos += 12 + length
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    phys = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    out = [signature]
    for kind, chunk in chunks:
        out.append(chunk)
        if kind == b"IHDR":
            out.append(phys)
    return b"".join(out)


atexit.register(_renderer.close)
