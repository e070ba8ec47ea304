"""A CSV file's encoding, and a UTF-8 copy of it for DuckDB's reader.

UTF-8, UTF-8 with BOM, UTF-16 with BOM, else GB18030 (which covers GBK);
anything but plain UTF-8 is transcoded to a temporary UTF-8 file, because
DuckDB's own CSV reader is the fast path and its extra encodings need an
extension the closed network cannot download. A file that is none of them
is refused with the byte where each reading fails.
"""
from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from etl.errors import FileRefused

def first_bad_byte(path: Path, encoding: str) -> int | None:
    """The offset of the first byte where `path` stops being valid `encoding`, or None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    done = 0
    with open(path, "rb") as fh:
        for chunk in [*iter(lambda: fh.read(1 << 22), b""), b""]:
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return done - pending + exc.start
            done += len(chunk)
    return None


def is_utf8(path: Path) -> bool:
    return first_bad_byte(path, "utf-8") is None


def _head_is_utf8(head: bytes, whole_file: bool) -> bool:
    try:
        # A head cut mid-character is fine; a whole file ending mid-character is not.
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=whole_file)
        return True
    except UnicodeDecodeError:
        return False


def detect_encoding(path: Path, name: str | None = None) -> str:
    name = name or path.name
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise FileRefused(name, f"{name}：不是文本文件（含二进制内容）",
                          f"{name}: not a text file (binary content)")
    if not head.isascii() and _head_is_utf8(head, whole_file=len(head) < 1 << 16):
        # Chinese text that decodes as UTF-8 is UTF-8: GBK almost never does. Rows
        # DuckDB still finds invalid are caught after reading (see stage_csv).
        return "utf-8"
    if is_utf8(path):
        return "utf-8"
    return full_gb18030(path, name)


def full_gb18030(path: Path, name: str) -> str:
    """'gb18030' when the whole file decodes so; otherwise the file is refused."""
    bad_gb = first_bad_byte(path, "gb18030")
    if bad_gb is None:
        return "gb18030"
    bad_utf8 = first_bad_byte(path, "utf-8")
    raise FileRefused(
        name,
        f"{name}：无法识别文件编码：既不是 UTF-8（第 {bad_utf8} 字节起无效）"
        f"也不是 GBK/GB18030（第 {bad_gb} 字节起无效）；文件可能损坏、被截断或混用了编码",
        f"{name}: unrecognised encoding: neither UTF-8 (invalid from byte {bad_utf8}) "
        f"nor GBK/GB18030 (invalid from byte {bad_gb}); the file may be damaged, cut short or mix encodings",
    )


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030"}


def utf8_copy(path: Path, encoding: str, workdir: Path, name: str) -> Path:
    if encoding == "utf-8":
        return path
    target = workdir / (hashlib.sha1(str(path).encode()).hexdigest() + ".csv")
    done = 0  # characters decoded so far, for the message
    try:
        with open(path, "r", encoding=encoding, newline="") as src, \
                open(target, "w", encoding="utf-8", newline="") as dst:
            for chunk in iter(lambda: src.read(1 << 20), ""):
                dst.write(chunk)
                done += len(chunk)
    except UnicodeDecodeError:
        # A byte-order mark names the encoding, but the bytes after it are not in it
        # (a damaged or truncated file, or a BOM pasted onto text of another encoding).
        label = _ENCODING_NAMES.get(encoding, encoding)
        raise FileRefused(
            name,
            f"{name}：文件开头标明编码为 {label}，但第 {done + 1} 个字符附近的内容不是有效的 {label}"
            f"（文件损坏或被截断）",
            f"{name}: the file starts with a {label} byte-order mark but is not valid {label} "
            f"after about {done} characters (damaged or truncated)",
        ) from None
    return target
