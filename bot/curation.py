"""Curating the knowledge base from what businesses actually asked.

Simple questions the bot could not answer are the cheapest way to grow the knowledge
base: grouped by similar wording, an admin adds them as phrasings of an entry or starts
a new entry. Per-entry figures show which answers work: how often an entry answered,
and how often the business came back unsatisfied right after it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz, utils
from sqlite_utils import Database

from bot.errors import UserError
from bot.types import Entry
from knowledge import entries as kb

GROUP_THRESHOLD = 72.0


@dataclass
class Inquiry:
    message_id: int
    thread_id: int
    text: str
    department: str | None
    created_at: str


@dataclass
class Group:
    """Inquiries worded alike; the first is the representative shown to the admin."""

    inquiries: list[Inquiry] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [i.text for i in self.inquiries]

    @property
    def department(self) -> str | None:
        known = [i.department for i in self.inquiries if i.department]
        return max(set(known), key=known.count) if known else None


def unanswered(db: Database, limit: int = 500) -> list[Inquiry]:
    """Inquiries triage judged simple yet escalated, which no entry yet lists as a phrasing."""
    rows = db.execute(
        "SELECT id, thread_id, text, decision, created_at FROM messages WHERE direction = 'in' "
        "AND decision IS NOT NULL AND json_extract(decision, '$.decision') = 'escalate' "
        "AND json_extract(decision, '$.complexity') = 'simple' ORDER BY id DESC LIMIT ?", [limit]).fetchall()
    known = _known_phrasings(db)
    found = []
    for message_id, thread_id, text, decision, created_at in rows:
        if text.strip() and utils.default_process(text) not in known:
            department = json.loads(decision).get("department")
            found.append(Inquiry(message_id, thread_id, text.strip(), department, created_at))
    return found


def _known_phrasings(db: Database) -> set[str]:
    return {utils.default_process(q) for entry in kb.all_entries(db) for q in entry.questions}


def group_similar(inquiries: list[Inquiry], threshold: float = GROUP_THRESHOLD) -> list[Group]:
    """Greedy single pass: each inquiry joins the first group whose representative it resembles."""
    groups: list[Group] = []
    for inquiry in inquiries:
        for group in groups:
            score = fuzz.token_sort_ratio(inquiry.text, group.inquiries[0].text, processor=utils.default_process)
            if score >= threshold:
                group.inquiries.append(inquiry)
                break
        else:
            groups.append(Group([inquiry]))
    return sorted(groups, key=lambda g: -len(g.inquiries))


def entry_stats(db: Database) -> dict[str, dict[str, int]]:
    """Per entry: times it answered, and times the business came back unsatisfied afterwards.

    "Came back unsatisfied" is an escalation on the same thread after the bot's answer,
    counted against the entry of the last answer before it.
    """
    stats: dict[str, dict[str, int]] = defaultdict(lambda: {"answered": 0, "unsatisfied": 0})
    last_entry: dict[int, str] = {}
    rows = db.execute("SELECT thread_id, kind, detail FROM events WHERE kind IN ('answered', 'escalated') "
                      "ORDER BY id").fetchall()
    for thread_id, kind, detail in rows:
        if kind == "answered":
            entry_id = json.loads(detail or "{}").get("entry")
            if entry_id:
                stats[entry_id]["answered"] += 1
                last_entry[thread_id] = entry_id
        elif thread_id in last_entry:
            stats[last_entry.pop(thread_id)]["unsatisfied"] += 1
    return dict(stats)


def add_phrasing(db: Database, entry_id: str, text: str, by: str) -> Entry:
    """Add a business's wording to an entry, so the next inquiry worded like it is answered."""
    entry = kb.get(db, entry_id)
    if entry is None:
        raise UserError(f"no knowledge entry with id {entry_id!r}")
    text = " ".join(text.split())
    if not text:
        raise UserError("an empty phrasing cannot be added")
    if utils.default_process(text) in {utils.default_process(q) for q in entry.questions}:
        return entry
    return kb.save(db, replace(entry, questions=(*entry.questions, text)), by)


def draft_from_texts(texts: list[str], department: str | None = None, answer: str = "") -> dict[str, Any]:
    """A prefilled editor for a new entry: the wordings become its phrasings."""
    phrasings = [" ".join(t.split()) for t in texts if t.strip()]
    title = phrasings[0][:80] if phrasings else ""
    return {"id": "", "title": title, "questions": phrasings, "answer": answer, "answer_en": "",
            "department": department or "Erhvervsservice", "tags": [], "links": [], "active": True}


def draft_from_thread(db: Database, thread_id: int) -> dict[str, Any]:
    """Turn a person's answer to a simple question into a new entry's first draft."""
    rows = db.execute("SELECT direction, author, text FROM messages WHERE thread_id = ? ORDER BY id",
                      [thread_id]).fetchall()
    question = next((t for d, _, t in rows if d == "in" and t.strip()), "")
    answer = next((t for d, a, t in reversed(rows) if d == "out" and a.startswith("staff:")), "")
    department = db.execute("SELECT department FROM cases WHERE thread_id = ? ORDER BY id DESC LIMIT 1",
                            [thread_id]).fetchone()
    return draft_from_texts([question], department[0] if department else None, answer)


def slug(text: str) -> str:
    """A lowercase ascii id for a new entry, from its title."""
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae"})
    cleaned = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower().translate(table))
    return "-".join(part for part in cleaned.split("-") if part)[:60] or "emne"
