"""The email channel: IMAP in, SMTP out, and the one path every raw message takes.

``receive_raw`` is shared by the IMAP loop and ``indgang ingest --channel email``, so a
file on disk and a message in the mailbox are handled identically: parsed, then given
to the pipeline; or, when the parser finds nothing usable, stored as rejected mail on
its own thread, never answered, so a person can still see what came in.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import ssl
from typing import Literal

from sqlite_utils import Database

from bot import events, threads
from bot.channels.email.compose import compose_email
from bot.channels.email.imap import ImapOptions, ImapReceiver
from bot.channels.email.parse import MailParseError, parse_email
from bot.channels.email.smtp import SmtpSender
from bot.config import EmailSettings
from bot.store import Store, transaction
from bot.types import Inbox, Message, Outcome, Reply

log = logging.getLogger(__name__)

Status = Literal["answered", "escalated", "attached", "ignored", "duplicate", "failed", "rejected"]
REJECTED_SUBJECT = "Afvist e-mail (kunne ikke læses)"
_FROM_LINE = re.compile(rb"^from:[^\r\n]*?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", re.I | re.M)


class EmailChannel:
    """Receives from one IMAP folder and sends through one SMTP server."""

    name = "email"

    def __init__(self, settings: EmailSettings, store: Store, *, idle_seconds: float | None = None,
                 poll_seconds: float | None = None, reconnect_max: float = 60.0, timeout: float = 30.0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.store = store
        self.options = ImapOptions(
            idle_seconds=settings.idle_seconds if idle_seconds is None else idle_seconds,
            poll_seconds=settings.poll_seconds if poll_seconds is None else poll_seconds,
            reconnect_max=reconnect_max, timeout=timeout, ssl_context=ssl_context)
        self.sender = SmtpSender(settings, ssl_context=ssl_context, timeout=timeout)
        self.connected = asyncio.Event()  # set while the IMAP folder is selected

    async def run(self, inbox: Inbox) -> None:
        async def handle(raw: bytes, source: str) -> None:
            status, outcome = await receive_raw(raw, inbox, self.store, self.settings, source)
            log.info("email %s: %s thread=%s %s", source, status, outcome.thread_id, outcome.reason)

        await ImapReceiver(self.settings, self.store, handle, self.options, self.connected).run()

    async def send(self, reply: Reply) -> str | None:
        """Compose and hand to SMTP; an exception leaves the reply queued for a retry."""
        if not reply.recipient:
            raise ValueError(f"thread {reply.thread_id} has no email address to answer")
        message = compose_email(reply, from_address=self.settings.address, from_name=self.settings.display_name,
                                domain=self.settings.address.rpartition("@")[2] or None)
        await self.sender.send(message)
        return str(message["Message-ID"])

    async def close(self) -> None:
        await self.sender.close()


def own_addresses(settings: EmailSettings) -> tuple[str, ...]:
    return tuple(a.strip() for a in settings.address.split(",") if a.strip())


async def receive_raw(raw: bytes, inbox: Inbox, store: Store, settings: EmailSettings,
                      source: str = "") -> tuple[Status, Outcome]:
    """Parse and hand to the inbox; unreadable mail is stored as rejected. Nothing is dropped."""
    try:
        message = parse_email(raw, own_addresses=own_addresses(settings),
                              attachment_cap=settings.attachment_cap, source_hint=source)
    except MailParseError as exc:
        return "rejected", await store.call(store_rejected, raw, str(exc))
    except Exception as exc:  # a parser bug must not lose the mail either
        log.exception("parsing %s failed", source or "a message")
        return "rejected", await store.call(store_rejected, raw, f"parser error: {type(exc).__name__}: {exc}")
    outcome = await inbox(message)
    return outcome.status, outcome


def store_rejected(db: Database, raw: bytes, reason: str) -> Outcome:
    """Keep mail the parser rejected, raw, on its own thread for a person; it is never answered."""
    source_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    with transaction(db):
        row = db.execute("SELECT id, thread_id FROM messages WHERE channel = 'email' AND source_id = ? "
                         "AND direction = 'in'", [source_id]).fetchone()
        if row:
            return Outcome("duplicate", row[1], row[0], reason="already received")
        sender = _guess_sender(raw)
        message = Message(channel="email", sender=sender, text="", source_id=source_id, subject=REJECTED_SUBJECT,
                          raw=raw, full_text=_preview(raw), automatic=f"rejected: {reason}")
        thread = threads.create_thread(db, message, "da")
        message_id = threads.store_inbound(db, thread["id"], message)
        threads.set_status(db, message_id, "rejected", reason)
        events.record(db, "received", thread["id"], channel="email", message_id=message_id)
        events.record(db, "rejected", thread["id"], message_id=message_id, reason=reason, sender=sender)
    log.warning("rejected mail stored on thread %s: %s", thread["id"], reason)
    return Outcome("ignored", thread["id"], message_id, reason=f"rejected: {reason}")


def _guess_sender(raw: bytes) -> str:
    found = _FROM_LINE.search(raw[:65536])
    return found.group(1).decode("ascii", "replace").lower() if found else ""


def _preview(raw: bytes, limit: int = 4000) -> str:
    """What a person can read of it: printable text only, the rest is in ``raw``."""
    text = raw[:limit].decode("utf-8", "replace")
    return "".join(ch if ch.isprintable() or ch in "\n\t" else "·" for ch in text)
