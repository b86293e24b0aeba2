"""Cutting a long reply into Telegram-sized messages at the most natural place.

Telegram refuses messages over 4096 characters, counted in UTF-16 code units (an emoji
outside the Basic Multilingual Plane counts twice), so the limit is measured that way.
A cut prefers a paragraph break, then a line break, then a space, and only splits a
word when one word alone is longer than a message.
"""

from __future__ import annotations

LIMIT = 4096
BREAKS = ("\n\n", "\n", " ")


def units(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """The parts of ``text`` in order, each at most ``limit`` units, none empty."""
    parts: list[str] = []
    rest = text.strip()
    while units(rest) > limit:
        head, rest = _cut(rest, limit)
        if head:
            parts.append(head)
    if rest:
        parts.append(rest)
    return parts or [text[:1] or " "]


def _cut(text: str, limit: int) -> tuple[str, str]:
    window = _prefix(text, limit)
    for mark in BREAKS:
        at = window.rfind(mark)
        if at > 0:
            return text[:at].rstrip(), text[at + len(mark):].lstrip()
    return window, text[len(window):]


def _prefix(text: str, limit: int) -> str:
    """The longest prefix within ``limit`` units (a code point is one or two units)."""
    window = text[:limit]
    while (excess := units(window) - limit) > 0:
        window = window[:-max(1, excess // 2)]
    return window
