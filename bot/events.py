"""The event log: what happened to each thread, by whom, so "why?" always has an answer."""

from __future__ import annotations

import logging
from typing import Any

from sqlite_utils import Database

from bot.store import dumps, fetch_all, insert, loads, now_iso

audit = logging.getLogger("indgang.audit")


def record(db: Database, kind: str, thread_id: int | None, actor: str = "bot",
           case_id: int | None = None, **detail: Any) -> None:
    text = dumps(detail)
    insert(db, "events", {"thread_id": thread_id, "case_id": case_id, "at": now_iso(),
                          "kind": kind, "actor": actor, "detail": text})
    if audit.isEnabledFor(logging.INFO):
        audit.info("%s thread=%s case=%s actor=%s %s", kind, thread_id, case_id, actor, text)


def of_thread(db: Database, thread_id: int) -> list[dict[str, Any]]:
    rows = fetch_all(db, "SELECT * FROM events WHERE thread_id = ? ORDER BY id", [thread_id])
    return [{**r, "detail": loads(r["detail"], {})} for r in rows]
