"""Knowledge entries: reading the import format, storing, and keeping a change history.

The import format is JSON Lines with ``id, title, questions, answer, answer_en,
department, tags`` (plus optional ``links, keywords, active``). A file is validated
whole before anything is written, so a bad line never leaves half an import behind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.errors import UserError
from bot.store import dumps, loads, now_iso, transaction
from bot.types import Entry
from escalation.departments import DEPARTMENTS

DEFAULT_KB = Path(__file__).parent / "data" / "default_kb.jsonl"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
LIST_FIELDS = ("questions", "tags", "links", "keywords")
TEXT_FIELDS = ("id", "title", "answer", "department")


def parse_jsonl(text: str, source: str = "input") -> list[Entry]:
    """Every line must be a valid entry; the first bad one names its line and field."""
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"{source}, line {number}: not valid JSON ({exc.msg})") from None
        entry = entry_from_dict(data, where=f"{source}, line {number}")
        if entry.id in seen:
            raise UserError(f"{source}, line {number}: field 'id': duplicate id {entry.id!r}")
        seen.add(entry.id)
        entries.append(entry)
    return entries


def entry_from_dict(data: Any, where: str = "entry") -> Entry:
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected a JSON object")
    for name in TEXT_FIELDS:
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise UserError(f"{where}: field {name!r} is missing or empty")
    if not ID_RE.match(data["id"]):
        raise UserError(f"{where}: field 'id': {data['id']!r} is not a lowercase ascii slug")
    if data["department"] not in DEPARTMENTS:
        raise UserError(f"{where}: field 'department': unknown department {data['department']!r}")
    lists = {name: _string_list(data.get(name, []), name, where) for name in LIST_FIELDS}
    if not lists["questions"]:
        raise UserError(f"{where}: field 'questions' needs at least one phrasing")
    answer_en = data.get("answer_en", "")
    if not isinstance(answer_en, str):
        raise UserError(f"{where}: field 'answer_en' must be a string")
    return Entry(
        id=data["id"], title=data["title"].strip(), answer=data["answer"].strip(),
        department=data["department"], answer_en=answer_en.strip(),
        questions=lists["questions"], tags=lists["tags"], links=lists["links"],
        keywords=lists["keywords"], active=bool(data.get("active", True)),
    )


def _string_list(value: Any, name: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(f"{where}: field {name!r} must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    data = asdict(entry)
    for name in LIST_FIELDS:
        data[name] = list(data[name])
    return data


def read_file(path: str | Path) -> list[Entry]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None
    return parse_jsonl(text, source=str(path))


def _row(entry: Entry) -> dict[str, Any]:
    row = entry_to_dict(entry)
    for name in LIST_FIELDS:
        row[name] = dumps(row[name])
    row["active"] = int(entry.active)
    return row


def _entry(row: dict[str, Any]) -> Entry:
    values = dict(row)
    for name in LIST_FIELDS:
        values[name] = tuple(loads(values[name], []))
    values["active"] = bool(values["active"])
    return Entry(**values)


def get(db: Database, entry_id: str) -> Entry | None:
    rows = list(db["entries"].rows_where("id = ?", [entry_id]))
    return _entry(rows[0]) if rows else None


def all_entries(db: Database, active_only: bool = False) -> list[Entry]:
    where = "active = 1" if active_only else None
    return [_entry(r) for r in db["entries"].rows_where(where, order_by="id")]


def save(db: Database, entry: Entry, by: str) -> Entry:
    """Insert or update one entry and record what changed, by whom."""
    entry = replace(entry, updated_by=by, updated_at=now_iso())
    with transaction(db):
        before = get(db, entry.id)
        changes = _diff(before, entry)
        db["entries"].upsert(_row(entry), pk="id")
        if changes:
            action = "created" if before is None else "updated"
            _history(db, entry.id, action, by, changes)
    return entry


def retire(db: Database, entry_id: str, by: str) -> Entry:
    entry = get(db, entry_id)
    if entry is None:
        raise UserError(f"no knowledge entry with id {entry_id!r}")
    return save(db, replace(entry, active=False), by)


def import_entries(db: Database, entries: Iterable[Entry], by: str, replace_all: bool = False) -> int:
    """Upsert by id; with ``replace_all`` the entries not in the file are removed."""
    entries = list(entries)
    with transaction(db):
        if replace_all:
            keep = {e.id for e in entries}
            for old in all_entries(db):
                if old.id not in keep:
                    db["entries"].delete(old.id)
                    _history(db, old.id, "deleted", by, {})
        for entry in entries:
            save(db, entry, by)
    return len(entries)


def history(db: Database, entry_id: str) -> list[dict[str, Any]]:
    rows = db["entry_history"].rows_where("entry_id = ?", [entry_id], order_by="id desc")
    return [{**r, "changes": loads(r["changes"], {})} for r in rows]


def _history(db: Database, entry_id: str, action: str, by: str, changes: dict) -> None:
    db["entry_history"].insert(
        {"entry_id": entry_id, "action": action, "changed_by": by,
         "changed_at": now_iso(), "changes": dumps(changes)}
    )


def _diff(before: Entry | None, after: Entry) -> dict[str, Any]:
    new = entry_to_dict(after)
    old = entry_to_dict(before) if before else {}
    skip = {"updated_by", "updated_at"}
    return {k: {"from": old.get(k), "to": v} for k, v in new.items() if k not in skip and old.get(k) != v}


def export_jsonl(entries: Iterable[Entry]) -> str:
    keys = ("id", "title", "questions", "answer", "answer_en", "department", "tags", "links", "keywords", "active")
    lines = []
    for entry in entries:
        data = entry_to_dict(entry)
        lines.append(json.dumps({k: data[k] for k in keys}, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")
