"""Read-only questions the staff pages ask: the case inbox and everything about one thread."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from bot import events, threads
from escalation import cases
from escalation.deadlines import working_days_between

VIEWS = ("mine", "department", "unassigned", "all")


@dataclass(frozen=True)
class InboxQuery:
    view: str = "mine"
    q: str = ""
    phase: str = ""
    complexity: str = ""
    channel: str = ""
    department: str = ""
    status: str = "open"

    @classmethod
    def from_params(cls, params: Any) -> InboxQuery:
        view = params.get("view", "mine")
        return cls(view if view in VIEWS else "mine", params.get("q", "").strip()[:200],
                   params.get("phase", ""), params.get("complexity", ""), params.get("channel", ""),
                   params.get("department", ""), params.get("status", "open"))


def inbox(db: Database, user: dict[str, Any], query: InboxQuery, today: date | None = None) -> list[dict[str, Any]]:
    where, args = _view_clause(user, query.view)
    for column, value in (("c.phase", query.phase), ("c.complexity", query.complexity),
                          ("t.channel", query.channel), ("c.department", query.department)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if query.status in ("open", "closed"):
        where.append("c.status = ?")
        args.append(query.status)
    if query.q:
        like = f"%{query.q}%"
        where.append("(c.number LIKE ? OR t.address LIKE ? OR t.name LIKE ? OR t.subject LIKE ? OR "
                     "EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id AND m.text LIKE ?))")
        args += [like] * 5
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = db.query(f"{cases.CASE_SELECT}{clause} ORDER BY c.status = 'closed', c.deadline, c.id", args)
    return [_inbox_row(db, row, today or date.today()) for row in rows]


def _view_clause(user: dict[str, Any], view: str) -> tuple[list[str], list[Any]]:
    if view == "mine":
        return ["(c.assignee_id = ? OR t.owner_id = ?)"], [user["id"], user["id"]]
    if view == "department":
        departments = user["departments"] or ["-"]
        return [f"c.department IN ({','.join('?' for _ in departments)})"], list(departments)
    if view == "unassigned":
        return ["c.assignee_id IS NULL"], []
    return [], []


def _inbox_row(db: Database, case: dict[str, Any], today: date) -> dict[str, Any]:
    first = db.execute("SELECT text FROM messages WHERE thread_id = ? AND direction = 'in' ORDER BY id LIMIT 1",
                       [case["thread_id"]]).fetchone()
    updated = db.execute("SELECT updated_at FROM threads WHERE id = ?", [case["thread_id"]]).fetchone()
    left = working_days_between(today, date.fromisoformat(case["deadline"]))
    first_line = next((line for line in (first[0] if first else "").splitlines() if line.strip()), "")
    return {**case, "first_line": first_line[:140], "days_left": left,
            "overdue": left < 0 and case["status"] == "open",
            "due_soon": left == 0 and case["status"] == "open", "last_activity": updated[0] if updated else ""}


def thread_view(db: Database, thread_id: int) -> dict[str, Any] | None:
    """The whole conversation in order, with decisions, attachments and the event log."""
    thread = threads.get_thread(db, thread_id)
    if thread is None:
        return None
    messages = [_message(db, m) for m in threads.messages_of(db, thread_id)]
    log = events.of_thread(db, thread_id)
    case = cases.of_thread(db, thread_id)
    owner = _staff_name(db, thread["owner_id"]) if thread["owner_id"] else None
    why = [e for e in log if e["kind"] in ("escalated", "acknowledged")]
    return {"thread": thread, "case": case, "messages": messages, "events": log, "owner_name": owner,
            "why": why, "staff_names": _staff_names(db), "simple_answered": _simple_answered(case, messages)}


def _message(db: Database, message: dict[str, Any]) -> dict[str, Any]:
    files = list(db.query("SELECT id, filename, content_type, size, data IS NOT NULL AS kept FROM attachments "
                          "WHERE message_id = ? ORDER BY id", [message["id"]]))
    decision = json.loads(message["decision"]) if message["decision"] else None
    return {**message, "decision": decision, "attachments": files}


def _simple_answered(case: dict[str, Any] | None, messages: list[dict[str, Any]]) -> bool:
    """A person answered a simple question: worth offering to make it a knowledge entry."""
    staff_reply = any(m["direction"] == "out" and m["author"].startswith("staff:") for m in messages)
    return bool(case and case["complexity"] == "simple" and staff_reply)


def _staff_name(db: Database, staff_id: int) -> str | None:
    row = db.execute("SELECT name FROM staff WHERE id = ?", [staff_id]).fetchone()
    return row[0] if row else None


def _staff_names(db: Database) -> dict[str, str]:
    return {f"staff:{i}": name for i, name in db.execute("SELECT id, name FROM staff").fetchall()}


def attachment(db: Database, attachment_id: int) -> dict[str, Any] | None:
    rows = list(db["attachments"].rows_where("id = ?", [attachment_id]))
    return rows[0] if rows else None


def staff_choices(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT id, name, departments, role FROM staff WHERE active = 1 ORDER BY name"))
