"""The outbox: every outbound message is written here first and sent by one worker.

Because the row is committed in the same transaction as the decision that caused it,
a crash can never lose a reply; the worker retries with backoff while a server is down,
and rows left 'sending' by a crash are retried at start (a channel that threads by
Message-ID, like email, lets the business's client recognise a rare repeat).
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database

from bot import events, threads
from bot.store import Store, dumps, fetch_all, get_row, insert, loads, now_iso, transaction, update
from bot.types import Channel, Reply

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 30
MAX_BACKOFF = 600.0


def enqueue(db: Database, thread: Mapping[str, Any], text: str, *, author: str = "bot",
            automatic: bool = True, subject: str = "", html: str | None = None,
            domain: str = "indgang.local") -> int:
    """Queue a message to the business on its thread's channel; returns the outbox id."""
    channel, thread_id = thread["channel"], thread["id"]
    email_id = f"indgang.{uuid.uuid4().hex}@{domain}" if channel == "email" else ""
    refs = threads.email_ids_of(db, thread_id) if channel == "email" else []
    with transaction(db):
        message_id = threads.store_outbound(db, thread_id, channel, text, author,
                                            subject=subject, email_id=email_id or None)
        return insert(db, "outbox", {
            "thread_id": thread_id, "message_id": message_id, "channel": channel,
            "recipient": thread["address"], "subject": subject, "text": text, "html": html,
            "lang": thread["lang"], "email_id": email_id, "in_reply_to": refs[-1] if refs else None,
            "refs": dumps(refs), "automatic": int(automatic), "status": "pending",
            "next_attempt_at": now_iso(), "created_at": now_iso(),
        })


def enqueue_notice(db: Database, thread_id: int, recipient: str, subject: str, text: str, lang: str,
                   domain: str = "indgang.local") -> int:
    """Queue a mail to a member of staff about the case on ``thread_id`` (a deadline reminder).

    It rides the outbox so it survives a restart and is retried like a reply, but it is no
    message of the thread (``message_id`` NULL): the business never sees it in its history,
    it threads into none of the business's mail, and the hourly limit on automatic replies
    does not count it. The Message-ID is fixed now, so a repeat after a crash is the same mail."""
    stamp = now_iso()
    return insert(db, "outbox", {
        "thread_id": thread_id, "message_id": None, "channel": "email", "recipient": recipient,
        "subject": subject, "text": text, "html": None, "lang": lang,
        "email_id": f"indgang.{uuid.uuid4().hex}@{domain}", "in_reply_to": None, "refs": "[]",
        "automatic": 1, "status": "pending", "next_attempt_at": stamp, "created_at": stamp,
    })


def answers_a_notice(db: Database, message_ids: Sequence[str]) -> bool:
    """True when a mail replies to a notice sent to staff ("tak, jeg er på den"): it is no
    inquiry from a business, and the case it is about is answered in the workspace."""
    ids = [i for i in message_ids if i]
    if not ids:
        return False
    marks = ",".join("?" for _ in ids)
    return db.execute(f"SELECT 1 FROM outbox WHERE message_id IS NULL AND email_id IN ({marks}) LIMIT 1",
                      ids).fetchone() is not None


def recent_automatic(db: Database, recipient: str, hours: int = 1) -> int:
    """Automatic email replies to ``recipient`` in the last ``hours`` (only email replies are
    limited, notices to staff are not; the literal conditions let SQLite use the index kept
    for exactly these rows)."""
    since = (datetime.now(timezone.utc) - timedelta(hours=hours)).isoformat(timespec="milliseconds")
    return db.execute(
        "SELECT count(*) FROM outbox WHERE channel = 'email' AND automatic = 1 AND message_id IS NOT NULL "
        "AND recipient = ? AND created_at >= ?",
        [recipient, since],
    ).fetchone()[0]


def due(db: Database, channels: list[str], limit: int = 50) -> list[Reply]:
    """Claim the rows that are due (marked 'sending' so no second worker takes them). One
    statement claims and reads them, so it is atomic without a transaction around it."""
    if not channels:
        return []
    marks = ",".join("?" for _ in channels)
    rows = fetch_all(
        db, "UPDATE outbox SET status = 'sending' WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' "
            f"AND next_attempt_at <= ? AND channel IN ({marks}) ORDER BY id LIMIT ?) RETURNING *",
        [now_iso(), *channels, limit])
    return [_reply(row) for row in sorted(rows, key=lambda row: row["id"])]


def _reply(row: dict[str, Any]) -> Reply:
    return Reply(
        outbox_id=row["id"], thread_id=row["thread_id"], channel=row["channel"],
        recipient=row["recipient"], text=row["text"], lang=row["lang"], subject=row["subject"],
        html=row["html"], message_id=row["email_id"], in_reply_to=row["in_reply_to"],
        references=tuple(loads(row["refs"], [])), automatic=bool(row["automatic"]),
        extras={"notice": True} if row["message_id"] is None else {},
    )


def mark_all_sent(db: Database, sent: list[tuple[int, str | None]]) -> None:
    """The replies one drain handed over (outbox id, the channel's id for it), recorded in one
    transaction of three statements however many there are (four when notices went too: a
    notice is logged as ``notice_sent``, so the thread's history never reads as if the
    business had been sent something)."""
    native_ids = dict(sent)
    marks = ",".join("?" for _ in native_ids)
    with transaction(db):
        rows = fetch_all(db, f"UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id IN ({marks}) "
                             "RETURNING id, thread_id, message_id, channel", [now_iso(), *native_ids])
        by_id = {row["id"]: row for row in rows}
        handed = [by_id[outbox_id] for outbox_id in native_ids]
        replies = [row for row in handed if row["message_id"]]
        notices = [row for row in handed if not row["message_id"]]
        db.conn.executemany("UPDATE messages SET status = 'sent', source_id = coalesce(?, source_id) WHERE id = ?",
                            [(_source_id(row, native_ids[row["id"]]), row["message_id"]) for row in replies])
        events.record_many(db, "sent", _sent_events(replies))
        if notices:
            events.record_many(db, "notice_sent", _sent_events(notices))


def _sent_events(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return [(row["thread_id"], {"channel": row["channel"], "outbox_id": row["id"]}) for row in rows]


def _source_id(row: dict[str, Any], native_id: str | None) -> str | None:
    """The channel's own id becomes the message's source id; email keeps its Message-ID."""
    return native_id if native_id and row["channel"] != "email" else None


def mark_failed(db: Database, outbox_id: int, error: str, retry_after: float | None = None) -> None:
    """Schedule a retry with jittered exponential backoff, or honour the server's delay."""
    row = get_row(db, "outbox", outbox_id)
    assert row is not None
    attempts = row["attempts"] + 1
    delay = retry_after if retry_after is not None else min(MAX_BACKOFF, 2 ** attempts) * random.uniform(0.5, 1.0)
    status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
    at = datetime.now(timezone.utc) + timedelta(seconds=delay)
    update(db, "outbox", outbox_id, {"status": status, "attempts": attempts, "last_error": error[:500],
                                    "next_attempt_at": at.isoformat(timespec="milliseconds")})
    if status == "failed":
        events.record(db, "send_failed", row["thread_id"], outbox_id=outbox_id, error=error[:200])


def recover(db: Database) -> int:
    """Rows a crash left half-sent go back to pending."""
    return db.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'").rowcount


def pending_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]


class RetryLater(Exception):
    """A channel raises this when the far side asked for a pause (e.g. Telegram's 429)."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


class OutboxWorker:
    """Drains the outbox into the channels; woken at once when something is queued."""

    def __init__(self, store: Store, channels: Mapping[str, Channel], idle_seconds: float = 1.0) -> None:
        self.store = store
        self.channels = dict(channels)
        self.wakeup = asyncio.Event()
        self.idle_seconds = idle_seconds

    def poke(self) -> None:
        self.wakeup.set()

    async def run(self) -> None:
        await self.store.call(recover)
        while True:
            sent = await self.drain_once()
            if not sent:
                try:
                    await asyncio.wait_for(self.wakeup.wait(), self.idle_seconds)
                except TimeoutError:
                    pass
            self.wakeup.clear()

    async def drain_once(self) -> int:
        replies = await self.store.call(due, list(self.channels))
        sent: list[tuple[int, str | None]] = []

        async def deliver(reply: Reply) -> None:
            handed = await self._deliver(reply)
            if handed is not None:
                sent.append(handed)

        try:
            await asyncio.gather(*(deliver(r) for r in replies))
        finally:
            # also when stopped halfway: what went out is recorded before the shutdown's
            # recovery runs (the database thread takes jobs in order), so it is not re-sent
            if sent:
                await asyncio.shield(self.store.call(mark_all_sent, sent))
        return len(replies)

    async def _deliver(self, reply: Reply) -> tuple[int, str | None] | None:
        """Hand one reply to its channel; what was sent is recorded for the whole drain at
        once (one transaction instead of one per reply)."""
        try:
            native_id = await self.channels[reply.channel].send(reply)
        except RetryLater as exc:
            await self.store.call(mark_failed, reply.outbox_id, str(exc), exc.seconds)
        except Exception as exc:  # the error boundary: log, keep the row, retry later
            log.warning("send failed outbox=%s channel=%s: %s", reply.outbox_id, reply.channel, exc)
            await self.store.call(mark_failed, reply.outbox_id, f"{type(exc).__name__}: {exc}")
        else:
            return reply.outbox_id, native_id
        return None
