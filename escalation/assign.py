"""Choosing the contact person: the department member with the fewest open cases who is
not away; if all are away, a present deputy of theirs; failing that, Erhvervsservice.

The business is promised one named person, so an absent colleague must never be named.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from escalation.departments import FALLBACK
from escalation.staff import all_staff, is_absent


def open_load(db: Database) -> dict[int, int]:
    rows = db.execute(
        "SELECT assignee_id, count(*) FROM cases WHERE status = 'open' AND assignee_id IS NOT NULL "
        "GROUP BY assignee_id"
    ).fetchall()
    return {staff_id: count for staff_id, count in rows}


def choose_assignee(db: Database, department: str, today: date) -> tuple[dict[str, Any] | None, str]:
    """Return the person and a short reason for the event log."""
    staff = all_staff(db)
    load = open_load(db)
    members = [m for m in staff if department in m["departments"]]
    present = [m for m in members if not is_absent(m, today)]
    if present:
        return _least_loaded(present, load), f"member of {department} with fewest open cases"
    by_id = {m["id"]: m for m in staff}
    deputies = [by_id[m["deputy_id"]] for m in members if m.get("deputy_id") in by_id]
    deputies = [d for d in deputies if not is_absent(d, today)]
    if deputies:
        return _least_loaded(deputies, load), f"all of {department} away: deputy"
    fallback = [m for m in staff if FALLBACK in m["departments"] and not is_absent(m, today)]
    if fallback:
        return _least_loaded(fallback, load), f"nobody in {department} available: {FALLBACK}"
    anyone = [m for m in staff if not is_absent(m, today)]
    if anyone:
        return _least_loaded(anyone, load), "nobody in the department or Erhvervsservice: any present staff"
    return None, "no staff present: case left unassigned"


def _least_loaded(candidates: list[dict[str, Any]], load: dict[int, int]) -> dict[str, Any]:
    return min(candidates, key=lambda m: (load.get(m["id"], 0), m["id"]))
