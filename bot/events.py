"""The event log: what happened to each thread, by whom, so "why?" always has an answer."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from bot.store import dumps, fetch_all, insert, loads, now_iso

audit = logging.getLogger("indgang.audit")


def record(db: Database, kind: str, thread_id: int | None, actor: str = "bot",
           case_id: int | None = None, **detail: Any) -> None:
    text = dumps(detail)
    insert(db, "events", {"thread_id": thread_id, "case_id": case_id, "at": now_iso(),
                          "kind": kind, "actor": actor, "detail": text})
    _log(kind, thread_id, case_id, actor, text)


def record_many(db: Database, kind: str, happened: Iterable[tuple[int | None, dict[str, Any]]],
                actor: str = "bot") -> None:
    """Events of one kind on several threads, (thread id, detail) each, in one statement: an
    outbox drain records one per reply it sent."""
    at = now_iso()
    rows = [(thread_id, at, kind, actor, dumps(detail)) for thread_id, detail in happened]
    db.conn.executemany("INSERT INTO events (thread_id, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)", rows)
    for thread_id, _, _, _, text in rows:
        _log(kind, thread_id, None, actor, text)


def _log(kind: str, thread_id: int | None, case_id: int | None, actor: str, text: str) -> None:
    if audit.isEnabledFor(logging.INFO):
        audit.info("%s thread=%s case=%s actor=%s %s", kind, thread_id, case_id, actor, text)


def of_thread(db: Database, thread_id: int) -> list[dict[str, Any]]:
    rows = fetch_all(db, "SELECT * FROM events WHERE thread_id = ? ORDER BY id", [thread_id])
    return [{**r, "detail": loads(r["detail"], {})} for r in rows]
