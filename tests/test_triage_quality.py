"""Triage quality on the labelled bench inquiries, at default settings and k-fold.

The issue's targets are asserted on the k-fold figures (weights and threshold never
fitted on the scored lines), per kind too, at the level reached less a little slack
where that is above the target. The shipped weights, fitted for every writer's
wording at once, are held at their own (lower) level on dev.jsonl.
"""

import os
from pathlib import Path

import pytest

from bot.bench import load_entries, read_jsonl
from bot.bench.baselines import BASELINES
from bot.bench.fit import kfold_fitted
from bot.bench.metrics import at_volume, figures, per_kind
from bot.bench.triage import assessments, evaluate, kfold, other_writers
from bot.triage import KnowledgeIndex, TriageSettings, load_default_rules

TARGETS = {"precision": 0.95, "coverage": 0.70, "escalation_recall": 0.90,
           "department": 0.80, "complexity": 0.70}
# Shipped weights (fitted on dev.jsonl and the nine written sets in tests/data/inquiries)
# at their own fitted threshold 0.700: precision 1.000 (no wrong answer), coverage 0.653,
# escalation 1.000, department 0.88, complexity 0.88. Coverage is below its target (0.70;
# email 0.50 below the 0.55 per kind).
DEFAULT_FLOOR = {"precision": 0.95, "coverage": 0.60, "escalation_recall": 0.95,
                 "department": 0.80, "complexity": 0.80}
# Weights and threshold refitted without the scored fold (the weights also on the nine written
# sets, each line at weight 0.2; the threshold on dev.jsonl's other folds only): precision 1.000
# (no wrong answer), coverage 0.768, escalation 1.000, department 0.88, complexity 0.88; per kind
# chat 0.80, email 0.70, English 0.93, typo 0.85, paraphrase 0.64. Every target is met.
KFOLD_FLOOR = {"precision": 0.95, "coverage": 0.75, "escalation_recall": 0.95,
               "department": 0.80, "complexity": 0.80}
KIND_TARGET = 0.55
KIND_FLOOR = {"paraphrase": 0.60, "chat": 0.75, "english": 0.85, "typo": 0.75, "email": 0.60}
# On unseen.jsonl, inquiries nobody fitted or tuned on, the shipped weights reach precision
# 0.903 (3 wrong of 31 answered) and coverage 0.295: wording unlike both the entries and
# the inquiries the vocabulary was written against is mostly escalated, and that is the
# safe way to fail. The floors hold both; coverage there is a known gap.
UNSEEN = Path(__file__).resolve().parent / "data" / "inquiries" / "unseen.jsonl"


def bench_dir() -> Path:
    root = os.environ.get("INDGANG_SHARED")
    return (Path(root) if root else Path(__file__).resolve().parents[2] / "shared") / "bench"


needs_bench = pytest.mark.skipif(not (bench_dir() / "dev.jsonl").exists(), reason="bench data not present")


def check(result: dict, floor: dict) -> None:
    for name, target in TARGETS.items():
        assert result[name] >= min(target, floor[name]), f"{name} {result[name]:.3f}"


@needs_bench
def test_default_settings_meet_the_foundation_floor_and_hold_the_reached_level():
    result = evaluate(bench_dir() / "kb.jsonl", bench_dir() / "dev.jsonl")
    check(result, DEFAULT_FLOOR)
    assert result["wrong"] <= 1


@needs_bench
def test_on_inquiries_nobody_tuned_for_the_bot_rather_escalates_than_answers_wrong():
    result = evaluate(bench_dir() / "kb.jsonl", UNSEEN)
    assert result["wrong"] <= 4
    assert result["precision"] >= 0.85
    assert result["escalation_recall"] >= 0.93
    assert result["coverage"] >= 0.18


@pytest.fixture(scope="module")
def dev_kfold():
    """Indgang on dev.jsonl, each fold scored by weights and threshold fitted on the others;
    the weights learn from the written sets in tests/data/inquiries too."""
    cases = read_jsonl(bench_dir() / "dev.jsonl")
    index = KnowledgeIndex(load_entries(bench_dir() / "kb.jsonl"))
    settings = TriageSettings()
    rules = load_default_rules()
    found = assessments(index, rules, settings, cases)
    return kfold_fitted(found, cases, index, settings, 5, other_writers(None, cases, index, rules, settings))


@needs_bench
def test_weights_and_threshold_fitted_on_other_folds_hold_the_reached_level(dev_kfold):
    scored, thresholds = dev_kfold
    result = figures(scored, 0.0)
    check(result, KFOLD_FLOOR)
    assert result["wrong"] <= 1
    assert all(0.0 < t <= 1.0 for t in thresholds)
    for kind, figure in per_kind(scored, 0.0).items():
        if figure["coverage"] is not None:
            assert figure["coverage"] >= KIND_FLOOR.get(kind, KIND_TARGET), f"{kind} {figure['coverage']:.2f}"


@needs_bench
def test_indgang_beats_every_baseline_on_coverage_and_at_equal_volume_on_precision(dev_kfold):
    """Held out the same way, each baseline covers less; made to answer as many inquiries
    as Indgang does, each answers less precisely (a baseline answering two inquiries, both
    right, ties Indgang's 100% at its own threshold and nowhere else)."""
    mine = figures(dev_kfold[0], 0.0)
    cases = read_jsonl(bench_dir() / "dev.jsonl")
    entries = load_entries(bench_dir() / "kb.jsonl")
    for name, build in BASELINES.items():
        outs = build(entries)(cases, [])
        held = figures(kfold(outs, 5)[0], 0.0)
        assert held["coverage"] < mine["coverage"] and held["precision"] <= mine["precision"], name
        assert at_volume(outs, mine["answered"])["precision"] < mine["precision"] - 0.4, name
