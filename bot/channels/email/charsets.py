"""Decoding mail text whatever its charset label says, without ever raising.

Mail programs mislabel charsets (windows-1252 sent as iso-8859-1, UTF-8 sent as
Latin-1, names no codec knows) and put raw 8-bit bytes in headers; a business's
æ, ø and å must survive all of it.
"""

from __future__ import annotations

import codecs
from email.header import decode_header


def unescape_8bit(value: str) -> str:
    """Undo the parser's surrogate escapes for raw 8-bit header bytes (utf-8, else windows-1252)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_text(value.encode("utf-8", "surrogateescape"), None)[0]


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words, trusting the bytes over a wrong charset label."""
    if "=?" not in value:
        return value
    try:
        parts = decode_header(value)
    except Exception:
        return value
    return "".join(
        part if isinstance(part, str)
        else part.decode("raw-unicode-escape", "replace") if not charset
        else decode_text(part, charset)[0]
        for part, charset in parts
    )


def decode_text(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Decode body or header bytes, never raising; also say what was wrong with the label.

    Latin-1 labels are read as windows-1252 (its superset, which mail programs
    really send), and valid UTF-8 wins over a Latin-1 or ASCII label because
    Latin-1 text is practically never valid UTF-8 by accident.
    """
    codec = _codec(declared)
    if data.isascii():
        return data.decode("ascii"), None
    if declared and codec is None:
        return _utf8_or_cp1252(data)[0], f"unknown charset {declared.strip()!r}"
    if codec in (None, "ascii", "iso8859-1", "cp1252", "utf-8"):
        text, used = _utf8_or_cp1252(data)
        if codec and used != codec and not (used == "cp1252" and codec == "iso8859-1"):
            return text, f"declared {declared.strip()} but read as {used}"  # type: ignore[union-attr]
        return text, None
    try:
        return data.decode(codec), None
    except (UnicodeError, LookupError):
        return _utf8_or_cp1252(data)[0], f"invalid {declared} data"


def _utf8_or_cp1252(data: bytes) -> tuple[str, str]:
    """UTF-8 where the bytes are UTF-8, windows-1252 for the rest: mail mixing both exists."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("utf-8", _CP1252_FALLBACK), "cp1252"


def _cp1252_for_invalid_utf8(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("cp1252", "replace"), error.end


_CP1252_FALLBACK = "indgang-cp1252-fallback"
codecs.register_error(_CP1252_FALLBACK, _cp1252_for_invalid_utf8)


def _codec(charset: str | None) -> str | None:
    name = (charset or "").strip().strip("\"'").lower()
    if not name:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None  # not "base64", "zlib"...
