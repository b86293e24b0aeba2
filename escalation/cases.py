"""Cases: opened from an escalated thread, numbered per year, owned by one contact person."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlite_utils import Database

from bot import events
from bot.errors import UserError
from bot.store import fetch_all, fetch_one, get_state, insert, now_iso, set_state, transaction, update
from bot.types import PHASES
from escalation.assign import choose_assignee
from escalation.deadlines import answer_deadline, first_answer_due, working_days_between
from escalation.departments import normalise_department

OUTCOMES = ("answered", "referred", "refused")
COMPLEXITIES = ("simple", "medium", "complex")


def next_number(db: Database, year: int) -> str:
    """The year's highest number plus one: erased cases never free a number for reuse.

    The highest number handed out is also kept in ``state``, since retention and
    erasure delete cases and the table's maximum would fall back. Read from the
    ``cases_year_number`` index (same expressions), not by casting every number."""
    row = db.execute("SELECT max(CAST(substr(number, 6) AS INTEGER)) FROM cases WHERE substr(number, 1, 5) = ?",
                     [f"{year}-"]).fetchone()
    key = f"case_number:{year}"
    number = max(row[0] or 0, int(get_state(db, key, "0") or 0)) + 1
    set_state(db, key, str(number))
    return f"{year}-{number:04d}"


def open_case(db: Database, thread_id: int, complexity: str, department: str | None,
              received: datetime | None = None, working_days: int = 5) -> dict[str, Any]:
    """Create the case, assign the contact person and record both in the event log."""
    received = received or datetime.now(timezone.utc)
    department = normalise_department(department)
    complexity = complexity if complexity in COMPLEXITIES else "medium"
    with transaction(db):
        assignee, why = choose_assignee(db, department, received.date())
        case_id = insert(db, "cases", {
            "number": next_number(db, received.year), "thread_id": thread_id,
            "complexity": complexity, "department": department, "phase": "clarification",
            "status": "open", "assignee_id": assignee and assignee["id"],
            "deadline": answer_deadline(received, working_days).isoformat(),
            "first_answer_due": first_answer_due(received).isoformat(timespec="seconds"),
            "created_at": now_iso(),
        })
        case = get(db, case_id)
        events.record(db, "escalated", thread_id, case_id=case_id, number=case["number"],
                      department=department, complexity=complexity)
        events.record(db, "assigned", thread_id, case_id=case_id,
                      assignee=assignee and assignee["name"], reason=why)
    return case


CASE_SELECT = (
    "SELECT c.*, s.name AS assignee_name, s.email AS assignee_email, t.channel, t.address, t.name AS business, "
    "t.subject, t.owner, t.contact FROM cases c JOIN threads t ON t.id = c.thread_id LEFT JOIN staff s ON s.id = c.assignee_id"
)


def get(db: Database, case_id: int) -> dict[str, Any]:
    case = fetch_one(db, f"{CASE_SELECT} WHERE c.id = ?", [case_id])
    if case is None:
        raise UserError(f"no case with id {case_id}")
    return case


def by_number(db: Database, number: str) -> dict[str, Any]:
    row = db.execute("SELECT id FROM cases WHERE number = ?", [number]).fetchone()
    if not row:
        raise UserError(f"no case with number {number}")
    return get(db, row[0])


def of_thread(db: Database, thread_id: int) -> dict[str, Any] | None:
    return fetch_one(db, f"{CASE_SELECT} WHERE c.thread_id = ? ORDER BY c.id DESC LIMIT 1", [thread_id])


def list_cases(db: Database, status: str | None = "open", assignee_id: int | None = None,
               department: str | None = None) -> list[dict[str, Any]]:
    where, args = [], []
    for column, value in (("c.status", status), ("c.assignee_id", assignee_id), ("c.department", department)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return fetch_all(db, f"{CASE_SELECT}{clause} ORDER BY c.deadline, c.id", args)


def days_left(case: dict[str, Any], today: date | None = None) -> int:
    return working_days_between(today or date.today(), date.fromisoformat(case["deadline"]))


def set_phase(db: Database, case_id: int, phase: str, actor: str) -> None:
    if phase not in PHASES:
        raise UserError(f"phase must be one of {', '.join(PHASES)}")
    _update(db, case_id, actor, "phase", phase=phase)


def set_complexity(db: Database, case_id: int, complexity: str, actor: str) -> None:
    if complexity not in COMPLEXITIES:
        raise UserError(f"complexity must be one of {', '.join(COMPLEXITIES)}")
    _update(db, case_id, actor, "complexity", complexity=complexity)


def reassign(db: Database, case_id: int, actor: str, staff_id: int | None = None,
             department: str | None = None) -> None:
    changes: dict[str, Any] = {}
    if department:
        changes["department"] = normalise_department(department)
        if staff_id is None:
            assignee, _ = choose_assignee(db, changes["department"], date.today())
            staff_id = assignee and assignee["id"]
    changes["assignee_id"] = staff_id
    _update(db, case_id, actor, "reassigned", **changes)


def close(db: Database, case_id: int, outcome: str, actor: str) -> None:
    if outcome not in OUTCOMES:
        raise UserError(f"outcome must be one of {', '.join(OUTCOMES)}")
    _update(db, case_id, actor, "closed", status="closed", outcome=outcome, closed_at=now_iso())


def reopen(db: Database, case_id: int, actor: str) -> None:
    _update(db, case_id, actor, "reopened", status="open", outcome=None, closed_at=None)


def mark_answered(db: Database, case_id: int) -> None:
    case = get(db, case_id)
    if not case["answered_at"]:
        update(db, "cases", case_id, {"answered_at": now_iso()})


def _update(db: Database, case_id: int, actor: str, kind: str, **changes: Any) -> None:
    with transaction(db):
        case = get(db, case_id)
        update(db, "cases", case_id, changes)
        events.record(db, kind, case["thread_id"], actor=actor, case_id=case_id, **changes)
