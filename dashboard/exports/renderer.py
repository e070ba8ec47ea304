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

The browser opens with one tab, so a fresh dashboard's first export is not
kept waiting; once it has drawn its first image, more tabs (`TPD_EXPORT_TABS`,
default 3) open in the background, and the images of a pack are drawn
concurrently, one per tab. Images already drawn are kept (up to
`RENDER_CACHE_BYTES`), keyed by the framed figure itself and the format:
the frame carries the generation time to the minute, so the same chart
downloaded again in that minute (alone, then in a pack) is not drawn again,
and nothing stale can come back.

`render(fig, fmt, scale)` returns the file's bytes; PNGs get their dpi
written in. `warm_up()` starts the browser in the background so the first
export of a freshly started dashboard does not pay for it.
"""
from __future__ import annotations

import asyncio
import atexit
import hashlib
import logging
import os
import shutil
import struct
import threading
import zlib
from collections import OrderedDict
from pathlib import Path

log = logging.getLogger("tpd.exports")

FRAME_JS = Path(__file__).with_name("frame.js")
RENDER_TIMEOUT_S = 30
DEFAULT_TABS = 3                         # a pack's 7 charts drawn three at a time; each tab ~40 MB
RENDER_CACHE_BYTES = 64 * 1024 * 1024


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
        # One tab to start with (a second one would double the start-up time), the others opened
        # after the first image (`_grow`): packs then draw their images side by side.
        self.tabs = max(1, tabs or int(os.environ.get("TPD_EXPORT_TABS", str(DEFAULT_TABS))))
        self.timeout = timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._grown = False
        self._drawn: OrderedDict[str, bytes] = OrderedDict()
        self._drawn_bytes = 0
        self._drawn_lock = threading.Lock()

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
                k = _kaleido_class()(n=1, path=path, page_generator=page, timeout=self.timeout)
                await k.open()
                return k

            try:
                self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(self.timeout)
            except Exception as exc:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(5)
                raise ExportUnavailable(f"图片导出服务启动失败 / the image export server failed to start: {exc}") from exc
            self._loop, self._thread, self._grown = loop, thread, False
            log.info("export server started: %s, 1 tab (%d once warm)", path, self.tabs)

    def _grow(self) -> None:
        """Open the other tabs in the background, once. Kaleido 1.5's `_create_kaleido_tab` (private,
        like `_return_kaleido_tab` above) opens one and queues it for renders; were it renamed,
        exports would stay on one tab (slower, same images)."""
        k, loop = self._kaleido, self._loop
        if self._grown or k is None or self.tabs <= 1 or not hasattr(k, "_create_kaleido_tab"):
            return
        self._grown = True

        async def grow():
            for _ in range(self.tabs - 1):
                await k._create_kaleido_tab()

        def done(future):
            if future.exception() is not None:
                log.warning("export server: extra tabs did not open: %r", future.exception())
        asyncio.run_coroutine_threadsafe(grow(), loop).add_done_callback(done)

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
        """Each (figure dict, format, scale) as file bytes, in order, drawn concurrently on the
        browser's tabs (those drawn already are taken as they were); one retry with a new browser."""
        keys = [drawing_key(fig, fmt, scale) for fig, fmt, scale in jobs]
        results = [self._drawn_before(key) for key in keys]
        todo = [i for i, data in enumerate(results) if data is None]
        if todo:
            for i, data in zip(todo, self._draw([jobs[i] for i in todo])):
                results[i] = data
                self._keep(keys[i], data)
        return results

    def _draw(self, jobs: list[tuple[dict, str, float]]) -> list[bytes]:
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
        self._grow()
        return list(results)

    def _drawn_before(self, key: str) -> bytes | None:
        with self._drawn_lock:
            data = self._drawn.get(key)
            if data is not None:
                self._drawn.move_to_end(key)
            return data

    def _keep(self, key: str, data: bytes) -> None:
        with self._drawn_lock:
            if key in self._drawn or len(data) > RENDER_CACHE_BYTES // 4:
                return
            self._drawn[key] = data
            self._drawn_bytes += len(data)
            while self._drawn_bytes > RENDER_CACHE_BYTES:
                self._drawn_bytes -= len(self._drawn.popitem(last=False)[1])

    def render(self, fig: dict, fmt: str, scale: float) -> bytes:
        return self.render_many([(fig, fmt, scale)])[0]


def drawing_key(fig: dict, fmt: str, scale: float) -> str:
    """What an image is drawn from: the whole framed figure (data, texts, generation time), the
    format and the scale."""
    from plotly.io.json import to_json_plotly
    digest = hashlib.sha256(f"{fmt}|{scale!r}|".encode())
    digest.update(to_json_plotly(fig).encode())
    return digest.hexdigest()


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
