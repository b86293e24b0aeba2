"""Triage: answer from the knowledge base, or escalate to a person, and say why.

Ordered like a policy table: escalation rules first; then the answerability
model weighs the evidence for each of the best candidates (three matchers, what
the entry leaves unexplained, intents, case signals) and the most probable one is
answered only if its probability reaches the threshold and no hard check objects
(an intent the entry never covers, its required keywords, case signals, a price the
entry does not state, a business asking about the very licence or permit it already holds).
Pure and deterministic: no I/O beyond the cached model file, same text and
index give the same decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.triage.asks import PRICE_INTENT, asks_how_much, speaks_of_payment, states_a_price
from bot.triage.cases import case_points, describes_situation, scale_points
from bot.triage.cleanup import clean_inquiry
from bot.triage.evidence import Evidence, gather, question_sentences, sentences_of
from bot.triage.features import Analysis
from bot.triage.holdings import already_held, held_terms
from bot.triage.index import KnowledgeIndex
from bot.triage.model import DEFAULT_MODEL, AnswerModel, load_model
from bot.triage.routing import guess_department, named_departments
from bot.triage.rules import describe, matching_rule
from bot.triage.scoring import Scored, score_entries
from bot.triage.settings import TriageSettings
from bot.triage.text import detect_language, stems, words
from bot.types import Complexity, Decision, Lang, Rule

_DEFAULT_SETTINGS = TriageSettings()


@dataclass(frozen=True)
class Assessment:
    """Everything triage measured about one inquiry, before the threshold is applied."""

    lang: Lang
    query: Analysis
    scored: list[Scored]
    evidence: list[Evidence]
    points: float
    hits: list[str]
    rule: Rule | None
    scale: float = 0.0  # size/duration/parties points: they grade an escalation only
    scale_hits: tuple[str, ...] = ()
    named: frozenset[str] = frozenset()  # departments whose own words the inquiry uses
    described: bool = False  # long enough to describe a situation, not a quick question
    held: frozenset[str] = frozenset()  # what the business says it already has (its licence, permit...)
    how_much: bool = False  # asks for a figure ("hvad koster"), not only whether it costs


MAX_CHARS = 10_000  # the inquiry is at the start of a message; a 2 MB mail must not stall triage


def assess(text: str, index: KnowledgeIndex, rules: Sequence[Rule] = (),
           settings: TriageSettings = _DEFAULT_SETTINGS, *, subject: str = "",
           lang_hint: Lang | None = None) -> Assessment:
    text = text[:MAX_CHARS]
    body = clean_inquiry(text) or text.strip()
    full = body if not subject or _is_reply(subject) else f"{subject}\n{body}"
    lang: Lang = lang_hint or detect_language(body)
    analyses = _Analyses(index)
    query = analyses.of(full)
    scored = score_entries(query, index, settings.shortlist)
    points, hits = case_points(full)
    focus = question_sentences(full)
    sentences = [analyses.of(s) for s in sentences_of(full)]
    evidence = gather(full, query, scored, index, lang, points, analyses.of(focus), sentences)
    named = frozenset(named_departments(full, index.synonyms))
    scale, scale_hits = scale_points(full, len(named), settings.multi_department_min)
    return Assessment(lang, query, scored, evidence, points, hits, matching_rule(full, rules),
                      scale, tuple(scale_hits), named, describes_situation(full), held_terms(full),
                      asks_how_much(full))


class _Analyses:
    """The analyses of one inquiry's texts (whole, question sentences, each sentence), by word
    sequence: an analysis depends on the words only, and the question sentence of a chat
    line is often the whole line, so each distinct text is analysed once and every use of
    it gets the same object (which ``gather`` then measures once)."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index
        self._found: dict[tuple[str, ...], Analysis] = {}

    def of(self, text: str) -> Analysis:
        key = tuple(words(text))
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self.index.analyse(text)
        return found


def decide(text: str, index: KnowledgeIndex, rules: Sequence[Rule] = (),
           settings: TriageSettings = _DEFAULT_SETTINGS, *, subject: str = "",
           lang_hint: Lang | None = None) -> Decision:
    found = assess(text, index, rules, settings, subject=subject, lang_hint=lang_hint)
    return conclude(found, index, settings, model_for(settings))


def model_for(settings: TriageSettings) -> AnswerModel:
    return load_model(Path(settings.model_path) if settings.model_path else DEFAULT_MODEL)


def conclude(found: Assessment, index: KnowledgeIndex, settings: TriageSettings,
             model: AnswerModel) -> Decision:
    """The decision from an assessment: the threshold and hard checks applied."""
    ranked = sorted(((model.probability(e.values), e) for e in found.evidence),
                    key=lambda pe: (-pe[0], pe[1].entry_id))
    candidates = tuple((e.entry_id, round(p, 4)) for p, e in ranked[: settings.max_candidates])
    best_p = ranked[0][0] if ranked else 0.0
    if found.rule is not None:
        rule = found.rule
        department = guess_department(found.query, found.scored, index, rule.complexity,
                                      settings, found.named, rule.department)
        return Decision("escalate", found.lang, best_p, None, rule.complexity, department,
                        (describe(rule),), candidates)
    summary = [_summary(best_p, ranked[0][1])] if ranked else []
    problems = _objections(found, ranked, index, settings, answer_threshold(settings, model))
    if not problems:
        entry = index.item(ranked[0][1].entry_id).entry
        return Decision("answer", found.lang, best_p, entry.id, "simple", entry.department,
                        tuple(summary), candidates)
    complexity = _complexity(found, settings)
    department = guess_department(found.query, found.scored, index, complexity, settings,
                                  found.named)
    graded = [f"graded {complexity} ({', '.join(found.hits + list(found.scale_hits))})"] \
        if complexity != "simple" else []
    return Decision("escalate", found.lang, best_p, None, complexity, department,
                    tuple(summary + problems + graded), candidates)


def answer_threshold(settings: TriageSettings, model: AnswerModel) -> float:
    """The configured threshold, or the one the model's fit chose."""
    return model.threshold if settings.answer_threshold is None else settings.answer_threshold


def _objections(found: Assessment, ranked: list[tuple[float, Evidence]], index: KnowledgeIndex,
                settings: TriageSettings, threshold: float) -> list[str]:
    """Why the most probable entry must not be sent; empty when it may."""
    if not ranked:
        return ["no knowledge entry shares the inquiry's words"]
    p, best = ranked[0]
    problems = []
    if p < threshold:
        problems.append(f"probability {p:.2f} below answer threshold {threshold:.2f}")
    if settings.min_margin and best.values["score_gap"] < settings.min_margin * best.values["score"]:
        problems.append(f"runner-up too close (stem-score margin below {settings.min_margin:.0%})")
    item = index.item(best.entry_id)
    for intent in sorted(g for g in found.query.groups if g[0] == "!" and g not in item.groups):
        problems.append(f"negated intent: asks about {intent[1:]}, entry {best.entry_id} does not cover it")
    missing = [k for k in item.entry.keywords if not set(stems(k)) & set(found.query.stems)]
    if item.entry.keywords and len(missing) == len(item.entry.keywords):
        problems.append(f"none of the entry's required keywords: {', '.join(item.entry.keywords)}")
    answer = f"{item.entry.answer} {item.entry.answer_en}" if PRICE_INTENT in found.query.groups else ""
    if answer and not states_a_price(answer):
        if found.how_much:
            problems.append(f"asks what something costs; entry {best.entry_id} states no amount")
        elif not speaks_of_payment(answer):
            problems.append(f"asks whether something costs; entry {best.entry_id} says nothing of payment")
    held = already_held(found.held, item, found.query.groups)
    if held:
        problems.append(f"the business already has its {', '.join(sorted(held))}: a question about "
                        f"its own case, not how to get one")
    if found.points >= settings.case_threshold:
        problems.append(f"reads like a case ({found.points:g} points: {', '.join(found.hits)})")
    return problems


def _complexity(found: Assessment, settings: TriageSettings) -> Complexity:
    """Graded by case signals plus size and parties; a described situation that the
    knowledge base cannot answer needs someone to look into it, so it is at least medium."""
    points = found.points + found.scale
    if points >= settings.complex_threshold:
        return "complex"
    return "medium" if points >= settings.case_threshold or found.described else "simple"


def _summary(p: float, best: Evidence) -> str:
    return f"best entry {best.describe()}; probability right {p:.2f}"


def _is_reply(subject: str) -> bool:
    return subject.strip().lower().startswith(("re:", "sv:", "vs:", "fw:", "fwd:"))
