"""The staff directory: who works in which department, who is away, who stands in."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from bot.errors import UserError
from bot.store import dumps, fetch_all, fetch_one, loads, now_iso
from escalation.departments import DEPARTMENTS

ROLES = ("staff", "admin")


def add(db: Database, name: str, email: str, departments: list[str], role: str = "staff",
        deputy_email: str | None = None, lang: str = "da") -> dict[str, Any]:
    email = email.strip().lower()
    _check(name, email, departments, role)
    if db.execute("SELECT 1 FROM staff WHERE email = ?", [email]).fetchone():
        raise UserError(f"a staff member with email {email} already exists")
    deputy_id = by_email(db, deputy_email)["id"] if deputy_email else None
    row = {"name": name.strip(), "email": email, "departments": dumps(departments), "role": role,
           "deputy_id": deputy_id, "lang": lang, "created_at": now_iso()}
    new_id = db["staff"].insert(row).last_pk
    return get(db, new_id)


def _check(name: str, email: str, departments: list[str], role: str) -> None:
    if not name.strip():
        raise UserError("a staff member needs a name")
    if "@" not in email:
        raise UserError(f"not an email address: {email!r}")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    unknown = [d for d in departments if d not in DEPARTMENTS]
    if unknown:
        raise UserError(f"unknown department(s): {', '.join(unknown)}; known: {', '.join(DEPARTMENTS)}")


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "departments": loads(row["departments"], [])}


def get(db: Database, staff_id: int) -> dict[str, Any]:
    row = fetch_one(db, "SELECT * FROM staff WHERE id = ?", [staff_id])
    if row is None:
        raise UserError(f"no staff member with id {staff_id}")
    return _decode(row)


def by_email(db: Database, email: str | None) -> dict[str, Any]:
    row = fetch_one(db, "SELECT * FROM staff WHERE email = ?", [(email or "").strip().lower()])
    if row is None:
        raise UserError(f"no staff member with email {email}")
    return _decode(row)


def all_staff(db: Database) -> list[dict[str, Any]]:
    return [_decode(r) for r in fetch_all(db, "SELECT * FROM staff WHERE active = 1 ORDER BY name")]


def set_absence(db: Database, email: str, start: date | None, end: date | None) -> dict[str, Any]:
    """Mark a staff member away from ``start`` to ``end`` inclusive; None clears it."""
    member = by_email(db, email)
    if start and end and end < start:
        raise UserError("the absence ends before it starts")
    db["staff"].update(member["id"], {"absent_from": start and start.isoformat(),
                                      "absent_to": end and end.isoformat()})
    return get(db, member["id"])


def set_deputy(db: Database, email: str, deputy_email: str | None) -> dict[str, Any]:
    member = by_email(db, email)
    deputy_id = by_email(db, deputy_email)["id"] if deputy_email else None
    if deputy_id == member["id"]:
        raise UserError("a staff member cannot be their own deputy")
    db["staff"].update(member["id"], {"deputy_id": deputy_id})
    return get(db, member["id"])


def set_password_hash(db: Database, staff_id: int, password_hash: str) -> None:
    db["staff"].update(staff_id, {"password_hash": password_hash})


def is_absent(member: dict[str, Any], day: date) -> bool:
    start, end = member.get("absent_from"), member.get("absent_to")
    if not start and not end:
        return False
    after_start = not start or date.fromisoformat(start) <= day
    before_end = not end or day <= date.fromisoformat(end)
    return after_start and before_end
