"""Text measured and broken into lines, for frames and notes drawn by Plotly.

Widths are estimated (CJK and full-width characters one em, Latin about half):
the estimate only decides where lines break and how much room a label takes.
"""
from __future__ import annotations


def text_width(text: str, size: float) -> float:
    """Estimated width in px: CJK and full-width characters one em, others about half."""
    em = 0.0
    for ch in text:
        code = ord(ch)
        if code >= 0x2E80 or 0xFF00 <= code <= 0xFFEF:
            em += 1.0
        elif ch in "mwMW@":
            em += 0.85
        elif ch.isupper() or ch.isdigit():
            em += 0.62
        else:
            em += 0.5
    return em * size


# Chinese text breaks after its punctuation where it can: a line ending in 不 and the next
# beginning 完整周 splits a word. A phrase wider than a line still breaks between characters.
BREAK_AFTER = frozenset("，、；。：！？）》」』·")


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break `text` into lines no wider than `width`: after Chinese punctuation, at spaces and ·
    where there are some, else between characters."""
    lines: list[str] = []
    current = ""
    for phrase in _phrases(text):
        tokens = [phrase] if text_width(phrase.strip(), size) <= width else _tokens(phrase)
        for token in tokens:
            candidate = current + token
            if current and text_width(candidate.rstrip(), size) > width:
                lines.append(current.rstrip())
                current = token.lstrip()
            else:
                current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def _phrases(text: str) -> list[str]:
    """Runs of text ending after a space or a Chinese punctuation mark."""
    phrases, current = [], ""
    for ch in text:
        current += ch
        if ch == " " or ch in BREAK_AFTER:
            phrases.append(current)
            current = ""
    if current:
        phrases.append(current)
    return phrases


def _tokens(text: str) -> list[str]:
    """Latin words and separators stay whole; each CJK character is its own token."""
    tokens, word = [], ""
    for ch in text:
        if ord(ch) >= 0x2E80:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        elif ch == " ":
            tokens.append(word + ch)
            word = ""
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens
