"""The quality figures every matcher is judged by, from per-inquiry outcomes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

ESCALATE = "escalate"
WRONG_ANSWER_COST = 5.0  # a wrong answer costs five escalations when thresholds are tuned
RESAMPLES = 31  # a tuned threshold is the median of the best ones on this many resamples


@dataclass(frozen=True)
class Outcome:
    """One inquiry as a matcher saw it: its best guess, score, and its escalation routing."""

    case: dict
    entry_id: str | None  # best entry (answer if allowed by threshold)
    score: float
    answerable: bool  # False when a non-threshold check already escalates it
    department: str | None = None
    complexity: str | None = None

    def answered(self, threshold: float) -> bool:
        return self.answerable and self.entry_id is not None and self.score >= threshold


def tune_threshold(outcomes: Sequence[Outcome], draws: int = RESAMPLES) -> float:
    """The median of the best thresholds on resamples of the outcomes.

    Right-minus-weighted-wrong is flat near its best, so the single best threshold jumps
    with one inquiry more or less; the median over resamples moves only when the evidence
    does. Seeded, so the same outcomes always give the same threshold."""
    if not outcomes:
        return 1.0
    rng = random.Random(0)
    found = sorted(best_threshold([outcomes[rng.randrange(len(outcomes))] for _ in outcomes])
                   for _ in range(draws))
    return found[len(found) // 2]


def best_threshold(outcomes: Sequence[Outcome]) -> float:
    """The threshold with the best right-minus-weighted-wrong count; the higher one on ties.
    Candidates are the (rounded) scores, walked from the top with running counts."""
    scored = sorted(((o.score, o.entry_id == o.case["expected"]) for o in outcomes
                     if o.answerable and o.entry_id is not None), reverse=True)
    best, best_utility = 1.0, float("-inf")
    right = wrong = 0
    i = 0
    for t in sorted({round(o.score, 4) for o in outcomes} | {1.0}, reverse=True):
        while i < len(scored) and scored[i][0] >= t:
            right += scored[i][1]
            wrong += not scored[i][1]
            i += 1
        utility = right - WRONG_ANSWER_COST * wrong
        if utility > best_utility:
            best, best_utility = t, utility
    return best


def figures(outcomes: Sequence[Outcome], threshold: float) -> dict:
    ans = [o for o in outcomes if o.case["expected"] != ESCALATE]
    esc = [o for o in outcomes if o.case["expected"] == ESCALATE]
    answered = [o for o in outcomes if o.answered(threshold)]
    right = [o for o in answered if o.entry_id == o.case["expected"]]
    cases = [o for o in esc if o.case["kind"] == "case" and not o.answered(threshold)]
    return {
        "n": len(outcomes),
        "answered": len(answered),
        "right": len(right),
        "wrong": len(answered) - len(right),
        "precision": _share(len(right), len(answered)),
        "coverage": _share(len(right), len(ans)) if ans else None,
        "escalation_recall": _share(sum(not o.answered(threshold) for o in esc), len(esc)) if esc else None,
        "department": _share(sum(o.department == o.case["department"] for o in cases), len(cases)) if cases else None,
        "complexity": _share(sum(o.complexity == o.case["complexity"] for o in cases), len(cases)) if cases else None,
    }


def at_volume(outcomes: Sequence[Outcome], volume: int) -> dict:
    """Figures when the matcher answers its ``volume`` most confident inquiries.

    Two matchers that both make no wrong answer tie on precision at any threshold; asked
    to answer as many inquiries as the other does, the weaker one shows what its
    confidence is worth."""
    ranked = sorted((o for o in outcomes if o.answerable and o.entry_id is not None),
                    key=lambda o: o.score, reverse=True)
    chosen = {id(o) for o in ranked[:volume]}
    return figures([replace(o, answerable=id(o) in chosen) for o in outcomes], float("-inf"))


def per_kind(outcomes: Sequence[Outcome], threshold: float) -> dict[str, dict]:
    kinds = sorted({o.case["kind"] for o in outcomes})
    return {k: figures([o for o in outcomes if o.case["kind"] == k], threshold) for k in kinds}


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0
