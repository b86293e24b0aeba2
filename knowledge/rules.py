"""Escalation rules in the database: admins edit them (web, CLI, file); triage reads them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.errors import UserError
from bot.store import transaction
from bot.types import Rule
from escalation.departments import DEPARTMENTS

COMPLEXITIES = ("simple", "medium", "complex")


def _rule(row: dict[str, Any]) -> Rule:
    return Rule(id=row["id"], pattern=row["pattern"], department=row["department"],
                complexity=row["complexity"], note=row["note"], active=bool(row["active"]))


def active_rules(db: Database) -> list[Rule]:
    return [_rule(r) for r in db["rules"].rows_where("active = 1", order_by="id")]


def all_rules(db: Database) -> list[Rule]:
    return [_rule(r) for r in db["rules"].rows_where(order_by="id")]


def validate(pattern: str, department: str, complexity: str, where: str = "rule") -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise UserError(f"{where}: pattern {pattern!r} is not a valid regular expression ({exc})") from None
    if department and department not in DEPARTMENTS:  # empty: routed by content
        raise UserError(f"{where}: unknown department {department!r}")
    if complexity not in COMPLEXITIES:
        raise UserError(f"{where}: complexity must be one of {', '.join(COMPLEXITIES)}")


def save(db: Database, pattern: str, department: str, complexity: str, note: str = "",
         active: bool = True, rule_id: int | None = None) -> Rule:
    validate(pattern, department, complexity)
    row = {"pattern": pattern, "department": department, "complexity": complexity,
           "note": note, "active": int(active)}
    if rule_id is None:
        rule_id = db["rules"].insert(row).last_pk
    else:
        db["rules"].update(rule_id, row)
    return _rule(db["rules"].get(rule_id))


def delete(db: Database, rule_id: int) -> None:
    db["rules"].delete(rule_id)


def read_file(path: str | Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}, line {number}: not valid JSON ({exc.msg})") from None
        validate(data.get("pattern", ""), data.get("department", ""), data.get("complexity", "medium"),
                 where=f"{path}, line {number}")
        rows.append(data)
    return rows


def replace_all(db: Database, rules: Iterable[Rule | dict[str, Any]]) -> int:
    count = 0
    with transaction(db):
        db.execute("DELETE FROM rules")
        for rule in rules:
            data = rule if isinstance(rule, dict) else rule.__dict__
            save(db, data["pattern"], data["department"], data["complexity"], data.get("note", ""),
                 bool(data.get("active", True)))
            count += 1
    return count


def export_jsonl(rules: Iterable[Rule]) -> str:
    return "".join(json.dumps({"pattern": r.pattern, "department": r.department, "complexity": r.complexity,
                               "note": r.note, "active": r.active}, ensure_ascii=False) + "\n" for r in rules)
