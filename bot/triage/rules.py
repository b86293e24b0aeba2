"""Escalation rules: patterns an admin writes to send an inquiry straight to a person.

Rules target signals of a real case (expansion, relocation, a new factory, a
changed local plan), not topics: "klage" alone is a question the knowledge base
may answer, "flytte virksomheden" never is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from bot.triage.text import normalise
from bot.types import Rule

DEFAULT_RULES = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "rules.jsonl"
ANY_DEPARTMENT = ""  # a rule with no department leaves routing to the department guess


def load_rules(path: Path) -> list[Rule]:
    """Rules from JSON lines with fields id, pattern, department, complexity, note."""
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            data = json.loads(line)
            rules.append(Rule(id=int(data["id"]), pattern=data["pattern"],
                              department=data.get("department", ANY_DEPARTMENT),
                              complexity=data.get("complexity", "medium"),
                              note=data.get("note", ""), active=data.get("active", True)))
    return rules


def load_default_rules() -> list[Rule]:
    return load_rules(DEFAULT_RULES)


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None  # a broken admin pattern must not stop triage; it simply never matches


def matching_rule(text: str, rules: Sequence[Rule]) -> Rule | None:
    """The first active rule whose pattern occurs in the normalised text."""
    normalised = normalise(text)
    for rule in rules:
        compiled = _compiled(rule.pattern) if rule.active else None
        if compiled is not None and compiled.search(normalised):
            return rule
    return None


def describe(rule: Rule) -> str:
    name = rule.note or rule.pattern
    where = rule.department or "department by content"
    return f"rule {rule.id} '{name}' matched -> {where}, {rule.complexity}"
