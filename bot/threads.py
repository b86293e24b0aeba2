"""Threads and their messages: finding the conversation an inbound message belongs to.

A thread is one conversation with one business on one channel. Email joins a thread by
In-Reply-To/References or a case number in the subject; chat channels continue the
open thread of the same chat.
"""

from __future__ import annotations

import re
from typing import Any

from sqlite_utils import Database

from bot.store import dumps, fetch_all, fetch_one, get_row, insert, insert_returning, now_iso, update
from bot.types import Decision, Message

CASE_NUMBER_RE = re.compile(r"\[(?:sag|case)\s+(\d{4}-\d{4,})\]|sag\s*nr\.?\s*(\d{4}-\d{4,})", re.I)


def find_thread(db: Database, message: Message) -> dict[str, Any] | None:
    if message.channel == "email":
        return _email_thread(db, message)
    return fetch_one(
        db, "SELECT * FROM threads WHERE channel = ? AND address = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
        [message.channel, message.sender],
    )


def _email_thread(db: Database, message: Message) -> dict[str, Any] | None:
    """Only inbound email carries a ``source_id`` on the email channel; saying so lets SQLite
    look both ids up by index instead of reading every message from the newest back."""
    ids = [i for i in (message.in_reply_to, *reversed(message.references)) if i]
    for email_id in ids:
        row = db.execute(
            "SELECT thread_id FROM messages WHERE id = (SELECT max(id) FROM messages WHERE email_id = ? "
            "OR (source_id = ? AND channel = 'email' AND direction = 'in'))", [email_id, email_id]
        ).fetchone()
        if row:
            return get_thread(db, row[0])
    number = case_number_in(message.subject)
    if number:
        row = db.execute("SELECT thread_id FROM cases WHERE number = ?", [number]).fetchone()
        if row:
            return get_thread(db, row[0])
    return None


def case_number_in(subject: str) -> str | None:
    match = CASE_NUMBER_RE.search(subject or "")
    return (match.group(1) or match.group(2)) if match else None


def get_thread(db: Database, thread_id: int) -> dict[str, Any] | None:
    return get_row(db, "threads", thread_id)


def create_thread(db: Database, message: Message, lang: str) -> dict[str, Any]:
    stamp = now_iso()
    return insert_returning(db, "threads", {
        "channel": message.channel, "address": message.sender, "name": message.sender_name,
        "subject": message.subject, "lang": lang, "owner": "bot", "status": "open",
        "created_at": stamp, "updated_at": stamp,
    })


def is_duplicate(db: Database, message: Message) -> int | None:
    row = db.execute(
        "SELECT id FROM messages WHERE channel = ? AND source_id = ? AND direction = 'in'",
        [message.channel, message.source_id],
    ).fetchone()
    return row[0] if row else None


def store_inbound(db: Database, thread_id: int, message: Message, *, touch_thread: bool = True) -> int:
    """Save an inbound message; ``touch_thread=False`` for a thread it has just opened,
    whose ``updated_at`` is already now."""
    # A content hash stands in for a missing Message-ID: unique, but never a header to reply to.
    email_id = message.source_id if message.channel == "email" and not message.source_id.startswith("sha256:") else None
    message_id = insert(db, "messages", {
        "thread_id": thread_id, "direction": "in", "channel": message.channel,
        "source_id": message.source_id, "author": "business", "subject": message.subject,
        "text": message.text, "full_text": message.full_text or message.text, "raw": message.raw,
        "email_id": email_id, "automatic": message.automatic, "status": "received",
        "created_at": now_iso(),
    })
    for attachment in message.attachments:
        insert(db, "attachments", {
            "message_id": message_id, "filename": attachment.filename,
            "content_type": attachment.content_type, "size": attachment.size, "data": attachment.data,
        })
    if touch_thread:
        touch(db, thread_id)
    return message_id


def store_outbound(db: Database, thread_id: int, channel: str, text: str, author: str,
                   subject: str = "", email_id: str | None = None, direction: str = "out") -> int:
    message_id = insert(db, "messages", {
        "thread_id": thread_id, "direction": direction, "channel": channel, "author": author,
        "subject": subject, "text": text, "full_text": text, "email_id": email_id,
        "status": "queued" if direction == "out" else "note", "created_at": now_iso(),
    })
    touch(db, thread_id)
    return message_id


def record_decision(db: Database, message_id: int, decision: Decision, status: str) -> None:
    update(db, "messages", message_id, {
        "decision": dumps({**decision.to_json(), "reasons": list(decision.reasons),
                           "candidates": [list(c) for c in decision.candidates]}),
        "entry_id": decision.entry_id, "score": decision.score, "status": status,
    })


def set_status(db: Database, message_id: int, status: str, error: str | None = None) -> None:
    update(db, "messages", message_id, {"status": status, "error": error})


def touch(db: Database, thread_id: int, **changes: Any) -> None:
    update(db, "threads", thread_id, {"updated_at": now_iso(), **changes})


def messages_of(db: Database, thread_id: int) -> list[dict[str, Any]]:
    return fetch_all(db, "SELECT id, thread_id, direction, channel, source_id, author, subject, text, full_text, "
                         "email_id, automatic, status, decision, entry_id, score, error, created_at "
                         "FROM messages WHERE thread_id = ? ORDER BY id", [thread_id])


def bot_answered(db: Database, thread_id: int) -> bool:
    row = db.execute(
        "SELECT 1 FROM events WHERE thread_id = ? AND kind = 'answered' LIMIT 1", [thread_id]
    ).fetchone()
    return row is not None


def email_ids_of(db: Database, thread_id: int) -> list[str]:
    """Every Message-ID on the thread, oldest first, for the References header."""
    rows = db.execute(
        "SELECT email_id FROM messages WHERE thread_id = ? AND email_id IS NOT NULL ORDER BY id",
        [thread_id],
    ).fetchall()
    return [r[0] for r in rows]
