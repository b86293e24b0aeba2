"""Every triage threshold in one frozen object, so an admin tunes them in TOML, not in code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TriageSettings:
    """Built from the ``[triage]`` TOML table via ``TriageSettings(**table)``.

    Scores are on a 0..1 scale. The defaults were chosen by cross-validation on
    the labelled bench inquiries (tuned on some folds, scored on the others).
    """

    answer_threshold: float = 0.64  # best entry must score at least this to be answered
    min_margin: float = 0.1  # ...and beat the runner-up by this share of its own score
    shortlist: int = 40  # candidate entries scored in full after the inverted-index pass
    max_candidates: int = 5  # candidates kept on the Decision for the admin
    case_threshold: float = 2.0  # case-signal points that make an escalation medium
    complex_threshold: float = 5.0  # case-signal points that make it complex
    answer_weight: float = 0.35  # how much an entry's answer text counts next to its phrasings
    typo_min_length: int = 5  # shorter words are never typo-corrected
    multi_department_min: int = 3  # this many departments involved suggests coordination
