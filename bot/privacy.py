"""Retention and erasure: a public authority keeps what it needs, for as long as it needs it.

Deleting a thread cascades to its messages, attachments, outbox rows, events and case.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

from bot import events
from bot.store import transaction


def expired_threads(db: Database, days: int) -> list[int]:
    """Threads with no open case, untouched for ``days`` days."""
    cutoff = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat()
    rows = db.execute(
        "SELECT t.id FROM threads t WHERE t.updated_at < ? AND NOT EXISTS "
        "(SELECT 1 FROM cases c WHERE c.thread_id = t.id AND c.status = 'open')", [cutoff]
    ).fetchall()
    return [r[0] for r in rows]


def delete_threads(db: Database, thread_ids: list[int], reason: str) -> int:
    with transaction(db):
        for thread_id in thread_ids:
            db.execute("DELETE FROM threads WHERE id = ?", [thread_id])
        events.record(db, "erased", None, actor="system", threads=len(thread_ids), reason=reason)
    return len(thread_ids)


def apply_retention(db: Database, days: int, dry_run: bool = False) -> int:
    ids = expired_threads(db, days)
    if dry_run or not ids:  # a daily pass with nothing to erase leaves no trace
        return len(ids)
    return delete_threads(db, ids, f"retention {days} days")


def erase_address(db: Database, address: str) -> int:
    """Everything stored about one business address (email, chat id or left contact)."""
    address = address.strip()
    rows = db.execute(
        "SELECT id FROM threads WHERE lower(address) = lower(?) OR lower(contact) = lower(?)", [address, address]
    ).fetchall()
    return delete_threads(db, [r[0] for r in rows], "erasure on request")
