"""Local receivers for what the scheduler sends: an SMTP server (aiosmtpd) and an HTTP webhook
(http.server), each on a spare port in a thread of the test, keeping everything they receive."""
from __future__ import annotations

import email
import json
import socket
import threading
from email.message import Message
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """An SMTP server that keeps every message: `messages` (parsed), `raw` (bytes as received)."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.raw.append(envelope.original_content or envelope.content)
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Message]:
        return [email.message_from_bytes(raw, policy=default) for raw in self.raw]

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class WebhookSink:
    """An HTTP server that keeps the JSON body of every POST (`calls`) and answers `status`."""

    def __init__(self, status: int = 200):
        self.calls: list[dict] = []
        self.status = status
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sink.calls.append(json.loads(body.decode("utf-8")))
                self.send_response(sink.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "WebhookSink":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
