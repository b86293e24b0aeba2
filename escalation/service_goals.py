"""Service goals: reminders before a deadline, breaches after it, and the figures for the
weekly status meeting (first answer within 24 hours, case answer within 5 working days,
satisfaction with the cooperation).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from bot import events, outbox
from bot.store import fetch_all, fetch_one, transaction, update
from escalation import notices
from escalation.deadlines import working_days_between
from escalation.staff import is_absent

SATISFACTION_WORDS = {
    "meget tilfreds": 5, "very satisfied": 5, "tilfreds": 4, "satisfied": 4,
    "hverken": 3, "neither": 3, "utilfreds": 2, "dissatisfied": 2, "unsatisfied": 2,
    "meget utilfreds": 1, "very dissatisfied": 1,
}


def check_deadlines(db: Database, today: date | None = None,
                    mailing: notices.Mailing | None = None) -> dict[str, int]:
    """Record a reminder one working day before the deadline and a breach after it, once each.

    With ``mailing`` (there is an email channel) the contact person is mailed when either is
    recorded, in the same transaction: the event that makes the check skip a case next hour
    is the notice's proof of having been queued, so it goes out exactly once."""
    today = today or date.today()
    counts = {"reminded": 0, "breached": 0}
    for case in fetch_all(db, "SELECT * FROM cases WHERE status = 'open' AND answered_at IS NULL"):
        kind = _deadline_kind(case, today)
        if kind and not _has_event(db, case["id"], kind):
            _record_deadline(db, case, kind, today, mailing)
            counts["breached" if kind == notices.BREACH else "reminded"] += 1
    return counts


def _deadline_kind(case: dict[str, Any], today: date) -> str | None:
    left = working_days_between(today, date.fromisoformat(case["deadline"]))
    return notices.BREACH if left < 0 else notices.REMINDER if left <= 1 else None


def _record_deadline(db: Database, case: dict[str, Any], kind: str, today: date,
                     mailing: notices.Mailing | None) -> None:
    with transaction(db):
        notified: dict[str, Any] = {"notified": _mail_notices(db, case, kind, today, mailing)} if mailing else {}
        events.record(db, kind, case["thread_id"], case_id=case["id"], number=case["number"],
                      deadline=case["deadline"], assignee_id=case["assignee_id"], **notified)


def _mail_notices(db: Database, case: dict[str, Any], kind: str, today: date, mailing: notices.Mailing) -> list[str]:
    """Queue each recipient's notice; the addresses go into the event, so the case's history
    says who was told."""
    link = mailing.case_link(case["thread_id"])
    told = []
    for member, as_deputy in _notice_recipients(db, case, kind, today):
        notice = notices.compose(kind, case, member["lang"], link, as_deputy)
        outbox.enqueue_notice(db, case["thread_id"], member["email"], notice.subject, notice.text, notice.lang,
                              domain=mailing.domain)
        told.append(member["email"])
    return told


def _notice_recipients(db: Database, case: dict[str, Any], kind: str,
                       today: date) -> list[tuple[dict[str, Any], bool]]:
    """(member, as deputy): the contact person, and the deputy too once the deadline has passed;
    a reminder goes to the deputy instead while the contact person is away, since it is meant
    for someone who can still answer in time."""
    assignee = _reachable(db, case["assignee_id"])
    if assignee is None:
        return []
    deputy = _reachable(db, assignee["deputy_id"])
    if kind == notices.BREACH:
        return [(assignee, False), *([(deputy, True)] if deputy else [])]
    if deputy and is_absent(assignee, today):
        return [(deputy, True)]
    return [(assignee, False)]


def _reachable(db: Database, staff_id: int | None) -> dict[str, Any] | None:
    if staff_id is None:
        return None
    return fetch_one(db, "SELECT * FROM staff WHERE id = ? AND active = 1 AND email != ''", [staff_id])


def _has_event(db: Database, case_id: int, kind: str) -> bool:
    return fetch_one(db, "SELECT 1 AS x FROM events WHERE case_id = ? AND kind = ?", [case_id, kind]) is not None


def satisfaction_score(text: str) -> int | None:
    """A reply to the satisfaction question: a digit 1-5 or the survey's own words."""
    cleaned = text.strip().lower()
    digit = re.fullmatch(r"\W*([1-5])\W*(?:/\s*5)?\W*", cleaned)
    if digit:
        return int(digit.group(1))
    for words, score in sorted(SATISFACTION_WORDS.items(), key=lambda kv: -len(kv[0])):
        if re.fullmatch(rf"\W*(jeg er |i am |i'm )?{words}\W*", cleaned):
            return score
    return None


def record_satisfaction(db: Database, case_id: int, score: int) -> None:
    update(db, "cases", case_id, {"satisfaction": score})
    case = fetch_one(db, "SELECT thread_id FROM cases WHERE id = ?", [case_id])
    events.record(db, "satisfaction", case and case["thread_id"], case_id=case_id, score=score)


def statistics(db: Database, since: str = "") -> dict[str, Any]:
    """The figures the weekly meeting and the quarterly report look at."""
    threads = _scalar(db, "SELECT count(*) FROM threads WHERE created_at >= ?", [since])
    answered = _scalar(db, "SELECT count(DISTINCT thread_id) FROM events WHERE kind = 'answered' AND at >= ?", [since])
    cases = fetch_all(db, "SELECT * FROM cases WHERE created_at >= ?", [since])
    breached = _scalar(db, "SELECT count(DISTINCT case_id) FROM events WHERE kind = 'deadline_breached' AND at >= ?", [since])
    scores = [c["satisfaction"] for c in cases if c["satisfaction"]]
    first_answer = _first_answer_within(db, since)
    return {
        "inquiries": threads,
        "answered_by_bot": answered,
        "cases": len(cases),
        "cases_by_complexity": _count_by(cases, "complexity"),
        "open_cases_by_phase": _count_by([c for c in cases if c["status"] == "open"], "phase"),
        "cases_answered_in_time": sum(1 for c in cases if c["answered_at"] and c["answered_at"][:10] <= c["deadline"]),
        "deadlines_breached": breached,
        "first_answer_within_24h": first_answer,
        "satisfaction_answers": len(scores),
        "satisfied_share": round(sum(1 for s in scores if s >= 4) / len(scores), 3) if scores else None,
    }


def _first_answer_within(db: Database, since: str, hours: int = 24) -> float | None:
    rows = fetch_all(db, "SELECT t.created_at AS asked, min(o.sent_at) AS first FROM threads t JOIN outbox o "
                         "ON o.thread_id = t.id AND o.status = 'sent' AND o.message_id IS NOT NULL WHERE t.created_at >= ? GROUP BY t.id", [since])
    if not rows:
        return None
    quick = sum(1 for r in rows if _hours(r["asked"], r["first"]) <= hours)
    return round(quick / len(rows), 3)


def _hours(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


def _scalar(db: Database, sql: str, args: list[Any]) -> int:
    return db.execute(sql, args).fetchone()[0]


def _count_by(rows: list[dict[str, Any]], key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
    return counts


def ask_satisfaction(db: Database, case_id: int) -> int | None:
    """Queue the survey question on the case's thread (after the case is closed)."""
    from bot import threads
    from escalation import texts
    case = fetch_one(db, "SELECT id, number, thread_id FROM cases WHERE id = ?", [case_id])
    thread = threads.get_thread(db, case["thread_id"]) if case else None
    if not case or not thread:
        return None
    outbox_id = outbox.enqueue(db, thread, texts.satisfaction_question(case["number"], thread["lang"]),
                               subject=texts.subject_for(thread["subject"], case["number"], thread["lang"]))
    events.record(db, "survey_sent", thread["id"], case_id=case_id)
    return outbox_id


def awaiting_satisfaction(db: Database, case: dict[str, Any]) -> bool:
    return case["status"] == "closed" and case["satisfaction"] is None and _has_event(db, case["id"], "survey_sent")


PHASE_ORDER = ("attraction", "clarification", "case_processing")


def weekly_board(db: Database, today: date | None = None) -> dict[str, Any]:
    """The weekly status meeting: every open case by phase, new ones and problems marked."""
    from escalation import cases
    today = today or date.today()
    week_start = today.toordinal() - today.weekday()
    board: dict[str, list[dict[str, Any]]] = {phase: [] for phase in PHASE_ORDER}
    for case in cases.list_cases(db, "open"):
        left = working_days_between(today, date.fromisoformat(case["deadline"]))
        created = date.fromisoformat(case["created_at"][:10])
        board.setdefault(case["phase"], []).append({
            **case, "days_left": left, "overdue": left < 0, "due_soon": 0 <= left <= 1,
            "new_this_week": created.toordinal() >= week_start,
        })
    rows = [row for phase in board.values() for row in phase]
    return {"phases": board, "open": len(rows), "new": sum(r["new_this_week"] for r in rows),
            "overdue": sum(r["overdue"] for r in rows), "unassigned": sum(not r["assignee_id"] for r in rows)}
