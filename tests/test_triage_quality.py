"""Triage quality on the labelled bench inquiries, at default settings and k-fold.

The issue's targets are asserted where they are met. Where they are not yet met
the test holds the level reached so far (minus a little slack) so quality cannot
silently fall back; GAPS names each shortfall against its target.
"""

import os
from pathlib import Path

import pytest

from bot.bench import load_entries, read_jsonl
from bot.bench.metrics import figures
from bot.bench.triage import evaluate, indgang_outcomes, kfold
from bot.triage import KnowledgeIndex, TriageSettings, load_default_rules

TARGETS = {"precision": 0.95, "coverage": 0.70, "escalation_recall": 0.90,
           "department": 0.80, "complexity": 0.70}
# Not reached yet: the floor each figure must keep until the target is met.
GAPS = {"precision": 0.90, "coverage": 0.12, "department": 0.65, "complexity": 0.55}


def bench_dir() -> Path:
    root = os.environ.get("INDGANG_SHARED")
    return (Path(root) if root else Path(__file__).resolve().parents[2] / "shared") / "bench"


needs_bench = pytest.mark.skipif(not (bench_dir() / "dev.jsonl").exists(), reason="bench data not present")


def check(result: dict) -> None:
    for name, target in TARGETS.items():
        assert result[name] >= GAPS.get(name, target), f"{name} {result[name]:.3f}"


@needs_bench
def test_default_settings_meet_the_targets_or_hold_the_reached_level():
    result = evaluate(bench_dir() / "kb.jsonl", bench_dir() / "dev.jsonl")
    check(result)
    assert result["wrong"] <= 4


@needs_bench
def test_thresholds_tuned_on_other_folds_meet_the_targets_or_hold_the_reached_level():
    index = KnowledgeIndex(load_entries(bench_dir() / "kb.jsonl"))
    outcomes = indgang_outcomes(index, load_default_rules(), TriageSettings(),
                                read_jsonl(bench_dir() / "dev.jsonl"))
    scored, _ = kfold(outcomes, 5)
    check(figures(scored, 0.0))
