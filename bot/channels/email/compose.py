"""Build the outbound email for a ``Reply``, threaded so the business's mail program
shows our answer under its own question, and marked so auto-responders stay quiet.
"""

from __future__ import annotations

import html
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from bot.types import Reply, utcnow

_REPLY_PREFIX = re.compile(r"^\s*(re|sv|aw|vs|antw)(\[\d+\])?\s*:", re.I)
_URL = re.compile(r"\b(https?://[^\s<>\"]+|www\.[^\s<>\"]+)", re.I)
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""
_CASE_NUMBER = re.compile(
    r"(?:\[\s*(?:sag|case)\s*(?:nr\.?|no\.?)?\s*(\d{4}-\d{4,6})\s*\])"
    r"|(?:\b(?:sag|case|sagsnr\.?|sagsnummer)\s*(?:nr\.?|no\.?|number)?\s*[:#]?\s*(\d{4}-\d{4,6})\b)",
    re.I,
)


def compose_email(reply: Reply, *, from_address: str, from_name: str, domain: str | None = None) -> EmailMessage:
    """The full message ready for SMTP: headers for threading, a text part and an HTML alternative."""
    msg = EmailMessage()
    msg["From"] = Address(display_name=from_name, addr_spec=from_address)
    msg["To"] = reply.recipient
    msg["Subject"] = reply_subject(reply.subject, replying=bool(reply.in_reply_to or reply.references))
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = _bracket(reply.message_id) if reply.message_id else make_msgid(domain=_domain(from_address, domain))
    if reply.in_reply_to:
        msg["In-Reply-To"] = _bracket(reply.in_reply_to)
    references = thread_references(reply.references, reply.in_reply_to)
    if references:
        msg["References"] = " ".join(references)
    if reply.automatic:  # RFC 3834: tells other robots not to answer us (a notice to staff answers nothing)
        msg["Auto-Submitted"] = "auto-generated" if reply.extras.get("notice") else "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    # quoted-printable keeps the message 7-bit clean for relays without 8BITMIME
    msg.set_content(reply.text, charset="utf-8", cte="quoted-printable")
    html_body = reply.html if reply.html is not None else text_to_html(reply.text, reply.lang)
    msg.add_alternative(html_body, subtype="html", charset="utf-8", cte="quoted-printable")
    msg["Content-Language"] = reply.lang  # after set_content, which clears Content-* headers
    return msg


def reply_subject(subject: str, *, replying: bool) -> str:
    """Subject on one line; "Re: " added when answering, unless some reply prefix is already there."""
    subject = " ".join(subject.split())
    if replying and subject and not _REPLY_PREFIX.match(subject):
        return f"Re: {subject}"
    return subject


def thread_references(references: tuple[str, ...], in_reply_to: str | None) -> list[str]:
    """References then the parent, angle-bracketed, each once, oldest first as RFC 5322 asks."""
    seen: list[str] = []
    for ref in (*references, *((in_reply_to,) if in_reply_to else ())):
        bracketed = _bracket(ref)
        if bracketed != "<>" and bracketed not in seen:
            seen.append(bracketed)
    return seen


def text_to_html(text: str, lang: str = "da") -> str:
    """A plain HTML rendering of the text: escaped, one <p> per paragraph, links clickable."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(f"<p>{'<br>'.join(_linkify(line) for line in p.splitlines())}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8"></head>\n'
        f'<body style="font-family: sans-serif; line-height: 1.4">\n{body}\n</body></html>\n'
    )


def case_tag(number: str) -> str:
    """The tag we put in subjects so a reply finds its case again."""
    return f"[Sag {number}]"


def find_case_number(subject: str) -> str | None:
    """The case number in "[Sag 2026-0007]", "[Case 2026-0007]" or "Sag nr. 2026-0007"."""
    match = _CASE_NUMBER.search(subject or "")
    return (match.group(1) or match.group(2)) if match else None


def _linkify(line: str) -> str:
    out: list[str] = []
    position = 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        out.append(html.escape(line[position : match.start()]))
        href = url if url.lower().startswith("http") else f"https://{url}"
        out.append(f'<a href="{html.escape(href)}">{html.escape(url)}</a>')
        position = match.start() + len(url)
    out.append(html.escape(line[position:]))
    return "".join(out)


def _bracket(message_id: str) -> str:
    return f"<{message_id.strip().strip('<>').strip()}>"


def _domain(from_address: str, domain: str | None) -> str:
    """Never let make_msgid ask DNS for our hostname: that can stall a send for seconds."""
    return domain or from_address.rpartition("@")[2] or "localhost"
