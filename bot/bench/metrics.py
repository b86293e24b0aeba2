"""The quality figures every matcher is judged by, from per-inquiry outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ESCALATE = "escalate"
WRONG_ANSWER_COST = 5.0  # a wrong answer costs five escalations when thresholds are tuned


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


def tune_threshold(outcomes: Sequence[Outcome]) -> float:
    """The threshold with the best right-minus-weighted-wrong count; the higher one on ties."""
    best, best_utility = 1.0, float("-inf")
    for t in sorted({round(o.score, 4) for o in outcomes} | {1.0}, reverse=True):
        right = sum(o.answered(t) and o.entry_id == o.case["expected"] for o in outcomes)
        wrong = sum(o.answered(t) and o.entry_id != o.case["expected"] for o in outcomes)
        if right - WRONG_ANSWER_COST * wrong > best_utility:
            best, best_utility = t, right - WRONG_ANSWER_COST * wrong
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


def per_kind(outcomes: Sequence[Outcome], threshold: float) -> dict[str, dict]:
    kinds = sorted({o.case["kind"] for o in outcomes})
    return {k: figures([o for o in outcomes if o.case["kind"] == k], threshold) for k in kinds}


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0
