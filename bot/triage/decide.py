"""Triage: answer from the knowledge base, or escalate to a person, and say why.

Ordered like a policy table: escalation rules first, then the best entry must
clear every check (score, margin over the runner-up, the inquiry's intent, the
entry's required keywords) and the inquiry must not read like a real case.
Pure and deterministic: no I/O, same text and index give the same decision.
"""

from __future__ import annotations

from typing import Sequence

from bot.triage.cases import case_points
from bot.triage.cleanup import clean_inquiry
from bot.triage.features import Analysis
from bot.triage.index import KnowledgeIndex
from bot.triage.routing import guess_department
from bot.triage.rules import describe, matching_rule
from bot.triage.scoring import Scored, score_entries
from bot.triage.settings import TriageSettings
from bot.triage.text import detect_language, stems
from bot.types import Complexity, Decision, Lang, Rule

_DEFAULT_SETTINGS = TriageSettings()


def decide(text: str, index: KnowledgeIndex, rules: Sequence[Rule] = (),
           settings: TriageSettings = _DEFAULT_SETTINGS, *, subject: str = "",
           lang_hint: Lang | None = None) -> Decision:
    body = clean_inquiry(text) or text.strip()
    full = body if not subject or _is_reply(subject) else f"{subject}\n{body}"
    lang: Lang = lang_hint or detect_language(body)
    query = index.analyse(full)
    scored = score_entries(query, index, settings.shortlist)
    candidates = tuple((s.entry_id, round(s.score, 4)) for s in scored[: settings.max_candidates])
    points, hits = case_points(full)
    rule = matching_rule(full, rules)
    if rule is not None:
        department = rule.department or guess_department(query, scored, index, rule.complexity, settings)
        return Decision("escalate", lang, _best(scored), None, rule.complexity, department,
                        (describe(rule),), candidates)
    problems = _objections(query, scored, index, settings)
    if points >= settings.case_threshold:
        problems.append(f"reads like a case ({points:g} points: {', '.join(hits)})")
    if not problems:
        best = scored[0]
        entry = index.item(best.entry_id).entry
        return Decision("answer", lang, best.score, entry.id, "simple", entry.department,
                        (_summary(scored),), candidates)
    complexity = _complexity(points, settings)
    department = guess_department(query, scored, index, complexity, settings)
    reasons = ([_summary(scored)] if scored else []) + problems
    return Decision("escalate", lang, _best(scored), None, complexity, department,
                    tuple(reasons), candidates)


def _objections(query: Analysis, scored: list[Scored], index: KnowledgeIndex,
                settings: TriageSettings) -> list[str]:
    """Why the best entry must not be sent; empty when it may."""
    if not scored:
        return ["no knowledge entry shares the inquiry's words"]
    best = scored[0]
    problems = []
    if best.score < settings.answer_threshold:
        problems.append(f"below answer threshold {settings.answer_threshold:g}")
    if len(scored) > 1 and best.score - scored[1].score < settings.min_margin * best.score:
        problems.append(f"runner-up {scored[1].entry_id} too close (margin below {settings.min_margin:.0%} of the best score)")
    item = index.item(best.entry_id)
    for intent in sorted(g for g in query.groups if g[0] == "!" and g not in item.groups):
        problems.append(f"negated intent: asks about {intent[1:]}, entry {best.entry_id} does not cover it")
    missing = [k for k in item.entry.keywords if not set(stems(k)) & set(query.stems)]
    if item.entry.keywords and len(missing) == len(item.entry.keywords):
        problems.append(f"none of the entry's required keywords: {', '.join(item.entry.keywords)}")
    return problems


def _complexity(points: float, settings: TriageSettings) -> Complexity:
    if points >= settings.complex_threshold:
        return "complex"
    return "medium" if points >= settings.case_threshold else "simple"


def _summary(scored: list[Scored]) -> str:
    best = scored[0]
    runner_up = scored[1].score if len(scored) > 1 else 0.0
    return (f"best entry {best.entry_id} score {best.score:.2f}, runner-up {runner_up:.2f} "
            f"(margin {best.score - runner_up:.2f})")


def _best(scored: list[Scored]) -> float:
    return scored[0].score if scored else 0.0


def _is_reply(subject: str) -> bool:
    return subject.strip().lower().startswith(("re:", "sv:", "vs:", "fw:", "fwd:"))
