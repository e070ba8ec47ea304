"""What the export functions hand to the routes: a file, or an error a person can read."""
from __future__ import annotations

from dataclasses import dataclass


class ExportError(Exception):
    """A request that cannot be answered; `status` is the HTTP status, the message zh / en."""

    def __init__(self, status: int, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.status = status


@dataclass(frozen=True)
class ExportFile:
    name: str
    mimetype: str
    data: bytes
