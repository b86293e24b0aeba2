"""Turn raw inbound mail into a neutral ``Message``, whatever shape the mail is in.

Businesses write from every mail program there is, and some of them are broken:
wrong charset labels, 8-bit headers, missing boundaries. A message we cannot
read perfectly must still reach a person, so every step here degrades instead of
failing; ``MailParseError`` is kept for input with nothing usable in it at all.
Headers are read from the raw header lines and decoded here, because the stdlib's
lazy header objects can raise on malformed values (an odd Message-ID raises
IndexError) and turn 8-bit bytes into replacement characters.
"""

from __future__ import annotations

import email
import hashlib
import mimetypes
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.message import Message as StdMessage
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, TypeVar

from bot.channels.email.charsets import decode_text, decode_words, unescape_8bit
from bot.channels.email.loops import automatic_reason
from bot.channels.email.quotes import html_to_text, strip_quoted
from bot.types import Attachment, Lang, Message, utcnow

T = TypeVar("T")
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_ADDR_SPEC = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
_ID = re.compile(r"<([^<>\s]+)>")
_HEADER_LINE = re.compile(rb"[!-9;-~]{1,76}:")
_MAX_DEPTH = 40


class MailParseError(Exception):
    """Raised only when the input holds nothing usable; the text says why, for people."""


@dataclass
class _Body:
    full: list[str] = field(default_factory=list)
    latest: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    html: bool = False
    problems: list[str] = field(default_factory=list)  # charset trouble, per part
    defects: list[str] = field(default_factory=list)  # structure we gave up on


def parse_email(
    raw: bytes, *, own_addresses: Sequence[str] = (), attachment_cap: int = 10_000_000, source_hint: str = ""
) -> Message:
    """Parse one raw message; ``source_hint`` (e.g. a mailbox uid) only labels errors and extras."""
    raw = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw)
    _check_usable(raw, source_hint)
    msg = _parse_bytes(raw, source_hint)
    headers = _first_headers(msg)
    body = _Body()
    _walk(msg, body, attachment_cap, depth=0)
    full_text = "\n\n".join(p.strip("\n") for p in body.full if p.strip()).strip()
    if not headers and not full_text and not body.attachments:
        raise MailParseError(_label("no headers and no body", source_hint))
    return _message(raw, msg, headers, body, full_text, own_addresses, source_hint)


def _message(
    raw: bytes, msg: EmailMessage, headers: dict[str, str], body: _Body, full_text: str,
    own_addresses: Sequence[str], source_hint: str,
) -> Message:
    sender, sender_name = _sender(headers)
    message_id = _first_id(headers.get("message-id", ""))
    extras: dict[str, Any] = {
        "message_id": message_id,
        "to": [addr for _, addr in _addresses(headers.get("to", ""))],
        "cc": [addr for _, addr in _addresses(headers.get("cc", ""))],
        "html": body.html,
        "charset_problems": body.problems,
        "defects": _defects(msg) + body.defects,
    }
    if source_hint:
        extras["source"] = source_hint
    return Message(
        channel="email",
        sender=sender,
        sender_name=sender_name,
        subject=" ".join(decode_words(headers.get("subject", "")).split()),
        source_id=message_id or "sha256:" + hashlib.sha256(raw).hexdigest(),
        in_reply_to=_first_id(headers.get("in-reply-to", "")),
        references=_all_ids(headers.get("references", "")),
        received_at=_date(headers.get("date", "")),
        text="\n\n".join(p.strip("\n") for p in body.latest if p.strip()).strip(),
        full_text=full_text,
        attachments=tuple(body.attachments),
        raw=raw,
        lang_hint=_lang(headers.get("content-language", "")),
        automatic=_safe(lambda: automatic_reason(msg, own_addresses), None),
        extras=extras,
    )


def _check_usable(raw: bytes, source_hint: str) -> None:
    if not raw.strip():
        raise MailParseError(_label("the message is empty", source_hint))
    sample = raw[:4096]  # a binary attachment further down is fine; garbage shows at once
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if controls > 0.3 * len(sample) and not _HEADER_LINE.match(raw):
        raise MailParseError(_label("the data is binary, not an email", source_hint))


def _parse_bytes(raw: bytes, source_hint: str) -> EmailMessage:
    try:
        return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]
    except Exception as exc:  # the stdlib parser is lenient; this is a last resort
        raise MailParseError(_label(f"the message could not be read ({type(exc).__name__})", source_hint)) from exc


def _label(reason: str, source_hint: str) -> str:
    return f"{reason} ({source_hint})" if source_hint else reason


def _safe(fn: Callable[[], T], default: T) -> T:
    try:
        return fn()
    except Exception:
        return default


# --- headers -----------------------------------------------------------------


def _first_headers(msg: StdMessage) -> dict[str, str]:
    """The first value of each header, unfolded, with 8-bit bytes decoded."""
    found: dict[str, str] = {}
    for name, value in _safe(lambda: list(msg.raw_items()), []):
        key = str(name).strip().lower()
        if key not in found:
            found[key] = unescape_8bit(re.sub(r"\r?\n(?=[ \t])", "", str(value))).strip()
    return found


def _addresses(value: str) -> list[tuple[str, str]]:
    """(display name, lowercased addr-spec) pairs; a regex rescues what getaddresses cannot."""
    pairs = _safe(lambda: getaddresses([value]), [])
    good = [(decode_words(n).strip(), a.strip().lower()) for n, a in pairs if _ADDR_SPEC.fullmatch(a.strip())]
    return good or [("", a.lower()) for a in _ADDR_SPEC.findall(value)]


def _sender(headers: dict[str, str]) -> tuple[str, str]:
    for name in ("from", "reply-to", "return-path", "sender"):
        pairs = _addresses(headers.get(name, ""))
        if pairs:
            return pairs[0][1], " ".join(pairs[0][0].strip("\"' ").split())
    return "", ""


def _first_id(value: str) -> str | None:
    ids = _all_ids(value)
    return ids[0] if ids else None


def _all_ids(value: str) -> tuple[str, ...]:
    ids = _ID.findall(value) or [t.strip("<>") for t in value.split() if "@" in t]
    return tuple(i for i in ids if i)


def _lang(value: str) -> Lang | None:
    primary = value.strip().lower()[:2]
    return "da" if primary == "da" else "en" if primary == "en" else None


def _date(value: str) -> datetime:
    parsed = _safe(lambda: parsedate_to_datetime(value), None) if value else None
    if parsed is None:
        return utcnow()
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _defects(msg: StdMessage) -> list[str]:
    parts = _safe(lambda: list(msg.walk()), [msg])
    return [type(d).__name__ for part in parts for d in getattr(part, "defects", [])]


# --- body --------------------------------------------------------------------


def _walk(part: StdMessage, body: _Body, cap: int, depth: int) -> None:
    ctype = _safe(part.get_content_type, "text/plain")
    if depth > _MAX_DEPTH:
        body.defects.append("MIME nesting too deep; inner parts skipped")
    elif ctype == "message/delivery-status":
        body.full.append(_status_text(part))
    elif ctype.startswith("message/") and part.is_multipart():
        _forwarded(part, body, cap, depth)
    elif part.is_multipart():
        children = _safe(lambda: list(part.iter_parts()), [])
        if ctype == "multipart/alternative":
            _alternative(children, body, cap, depth)
        else:
            for child in children:
                _walk(child, body, cap, depth + 1)
    elif _is_attachment(part, ctype):
        body.attachments.append(_attachment(part, ctype, cap))
    else:
        _text(part, ctype, body)


def _alternative(children: list[StdMessage], body: _Body, cap: int, depth: int) -> None:
    """Prefer non-empty text/plain; otherwise the richest (last) HTML or multipart version."""
    plain = [c for c in children if _safe(c.get_content_type, "") == "text/plain" and _part_text(c).strip()]
    rich = [c for c in children if _safe(c.get_content_type, "").split("/")[0] in ("text", "multipart")
            and _safe(c.get_content_type, "") not in ("text/plain", "text/calendar")]
    chosen = plain[0] if plain else rich[-1] if rich else children[0] if children else None
    for child in children:
        if child is chosen:
            _walk(child, body, cap, depth + 1)
        else:
            _attachments_only(child, body, cap)


def _attachments_only(part: StdMessage, body: _Body, cap: int) -> None:
    """Inline images and invites in the version not shown still count as attachments."""
    for leaf in _safe(lambda: list(part.walk()), []):
        ctype = _safe(leaf.get_content_type, "text/plain")
        if not leaf.is_multipart() and ctype not in ("text/plain", "text/html") and _is_attachment(leaf, ctype):
            body.attachments.append(_attachment(leaf, ctype, cap))


def _text(part: StdMessage, ctype: str, body: _Body) -> None:
    text = _part_text(part, body.problems)
    if ctype == "text/html":
        body.html = True
        body.full.append(_safe(lambda: html_to_text(text, drop_quotes=False), text))
        body.latest.append(strip_quoted(_safe(lambda: html_to_text(text), text)))
    else:
        body.full.append(text)
        body.latest.append(strip_quoted(text))


def _forwarded(part: StdMessage, body: _Body, cap: int, depth: int) -> None:
    """A forwarded message is part of what the sender is asking about, so its text is kept."""
    inner = _safe(lambda: part.get_payload()[0], None)  # type: ignore[index]
    if not isinstance(inner, StdMessage):
        return
    headers = _first_headers(inner)
    subject = " ".join(decode_words(headers.get("subject", "")).split())
    sender = decode_words(headers.get("from", ""))
    body.full.append(f"---------- Videresendt besked ----------\nFra: {sender}\nDato: {headers.get('date', '')}\n"
                     f"Emne: {subject}")
    body.latest.append(f"--- Videresendt: {subject} ({sender}) ---")
    _walk(inner, body, cap, depth + 1)


def _status_text(part: StdMessage) -> str:
    blocks = _safe(lambda: list(part.get_payload()), [])  # type: ignore[arg-type]
    return "\n\n".join("\n".join(f"{k}: {v}" for k, v in _safe(lambda b=b: list(b.raw_items()), [])) for b in blocks)


def _part_text(part: StdMessage, problems: list[str] | None = None) -> str:
    charset = _safe(lambda: part.get_param("charset"), None)
    text, problem = decode_text(_payload(part), charset if isinstance(charset, str) else None)
    if problem and problems is not None:
        problems.append(problem)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _payload(part: StdMessage) -> bytes:
    """Transfer-decoded bytes; on broken base64/quoted-printable, the bytes as they came."""
    data = _safe(lambda: part.get_payload(decode=True), None)
    if isinstance(data, bytes):
        return data
    raw = _safe(lambda: part.get_payload(), "")
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _is_attachment(part: StdMessage, ctype: str) -> bool:
    disposition = (_safe(part.get_content_disposition, None) or "").lower()
    maintype = ctype.split("/")[0]
    return (disposition == "attachment" or bool(_filename(part)) or ctype == "text/calendar"
            or maintype not in ("text", "multipart", "message"))


def _attachment(part: StdMessage, ctype: str, cap: int) -> Attachment:
    data = _payload(part)
    name = _filename(part) or "attachment" + (mimetypes.guess_extension(ctype) or ".bin")
    return Attachment(filename=name, content_type=ctype, size=len(data), data=data if len(data) <= cap else None)


def _filename(part: StdMessage) -> str:
    """RFC 2231 is decoded by the stdlib; RFC 2047 words and raw 8-bit names are decoded here."""
    name = _safe(part.get_filename, None)
    if not isinstance(name, str):
        return ""
    return " ".join(decode_words(unescape_8bit(name)).split()).replace("/", "_").replace("\\", "_")
