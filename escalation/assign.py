"""Choosing the contact person: the department member with the fewest open cases who is
not away; if all are away, a present deputy of theirs; failing that, Erhvervsservice.

The business is promised one named person, so an absent colleague must never be named.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlite_utils import Database

from escalation.departments import FALLBACK
from escalation.staff import all_staff, is_absent


def open_load(db: Database, staff_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Open cases per assignee; with ``staff_ids``, only theirs (read through the
    assignee index rather than counting every open case)."""
    if staff_ids is None:
        rows = db.execute(
            "SELECT assignee_id, count(*) FROM cases WHERE status = 'open' AND assignee_id IS NOT NULL "
            "GROUP BY assignee_id"
        ).fetchall()
    else:
        marks = ",".join("?" for _ in staff_ids)
        rows = db.execute(
            f"SELECT assignee_id, count(*) FROM cases WHERE assignee_id IN ({marks}) AND status = 'open' "
            "GROUP BY assignee_id", list(staff_ids)
        ).fetchall()
    return {staff_id: count for staff_id, count in rows}


def choose_assignee(db: Database, department: str, today: date) -> tuple[dict[str, Any] | None, str]:
    """Return the person and a short reason for the event log."""
    staff = all_staff(db)
    members = [m for m in staff if department in m["departments"]]
    present = [m for m in members if not is_absent(m, today)]
    if present:
        return _least_loaded(db, present), f"member of {department} with fewest open cases"
    by_id = {m["id"]: m for m in staff}
    deputies = [by_id[m["deputy_id"]] for m in members if m.get("deputy_id") in by_id]
    deputies = [d for d in deputies if not is_absent(d, today)]
    if deputies:
        return _least_loaded(db, deputies), f"all of {department} away: deputy"
    fallback = [m for m in staff if FALLBACK in m["departments"] and not is_absent(m, today)]
    if fallback:
        return _least_loaded(db, fallback), f"nobody in {department} available: {FALLBACK}"
    anyone = [m for m in staff if not is_absent(m, today)]
    if anyone:
        return _least_loaded(db, anyone), "nobody in the department or Erhvervsservice: any present staff"
    return None, "no staff present: case left unassigned"


def _least_loaded(db: Database, candidates: list[dict[str, Any]]) -> dict[str, Any]:
    """The candidate with the fewest open cases (lowest id on a tie); a sole candidate
    needs no counting."""
    if len(candidates) == 1:
        return candidates[0]
    load = open_load(db, [m["id"] for m in candidates])
    return min(candidates, key=lambda m: (load.get(m["id"], 0), m["id"]))
