"""Every triage threshold in one frozen object, so an admin tunes them in TOML, not in code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TriageSettings:
    """Built from the ``[triage]`` TOML table via ``TriageSettings(**table)``.

    ``answer_threshold`` is a probability: the answerability model's estimate that
    the best entry is the right answer must reach it. Unset, the threshold stored
    with the model is used: the one its fit chose by cross-validation (fitted on
    some folds, scored on the others), so a refit brings its own threshold; set it
    higher to answer less and more surely.
    """

    answer_threshold: float | None = None  # P(best entry is right) needed to answer; None: the model's
    min_margin: float = 0.0  # optional extra gate: best stem score must beat the runner-up by this share
    model_path: str = ""  # answerability weights (JSON); empty: the shipped knowledge/data/answerability.json
    shortlist: int = 12  # candidate entries scored in full after the inverted-index pass
    max_candidates: int = 5  # candidates kept on the Decision for the admin
    case_threshold: float = 2.0  # case-signal points that make an escalation medium
    complex_threshold: float = 5.0  # case-signal points that make it complex
    answer_weight: float = 0.35  # how much an entry's answer text counts next to its phrasings
    typo_min_length: int = 5  # shorter words are never typo-corrected
    multi_department_min: int = 3  # departments named in a complex case that call for the coordinator
