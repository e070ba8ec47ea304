"""Errors that refuse a whole batch, with a message in Chinese and English."""
from __future__ import annotations


class BatchRefused(Exception):
    """Nothing from the batch is loaded; the CLI exits 2."""

    def __init__(self, file: str | None, message_zh: str, message_en: str):
        super().__init__(f"{message_zh} / {message_en}")
        self.file = file              # the file as given (on the command line, or under a directory)
        self.message_zh = message_zh
        self.message_en = message_en
        self.batch_id: str | None = None  # set by the loader: the refused attempt's id in the load log


class FileRefused(BatchRefused):
    """A file that cannot be used at all (type, encoding, columns): refuses its batch."""
