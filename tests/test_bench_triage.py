"""The bench commands run end to end and report every matcher."""

import argparse
import os
from pathlib import Path

import pytest

from bot.bench import scale, triage
from bot.bench.metrics import Outcome, at_volume, best_threshold, figures, tune_threshold


def bench_dir() -> Path:
    root = os.environ.get("INDGANG_SHARED")
    return (Path(root) if root else Path(__file__).resolve().parents[2] / "shared") / "bench"


def outcome(expected: str, got: str, score: float, kind: str = "paraphrase") -> Outcome:
    return Outcome({"expected": expected, "kind": kind, "department": "X", "complexity": "simple"},
                   got, score, True, "X", "simple")


def test_tuning_prefers_escalating_over_a_wrong_answer():
    outs = [outcome("a", "a", 0.9), outcome("b", "b", 0.8), outcome("escalate", "c", 0.7)]
    assert tune_threshold(outs) > 0.7
    assert figures(outs, 0.75)["precision"] == 1.0


def test_a_tuned_threshold_is_reproducible_and_keeps_a_clear_cut():
    """The threshold is the median of the best ones on resamples (seeded), so a run tunes
    the same threshold every time, and where right and wrong answers are cleanly apart,
    it lies between them."""
    outs = [outcome("a", "a", 0.95 - i / 100) for i in range(30)]
    outs += [outcome("escalate", "c", 0.5 - i / 100) for i in range(10)]
    assert tune_threshold(outs) == tune_threshold(list(outs))
    assert 0.5 < tune_threshold(outs) <= 0.66
    assert best_threshold(outs) == 0.66


@pytest.mark.skipif(not (bench_dir() / "dev.jsonl").exists(), reason="bench data not present")
def test_bench_triage_prints_indgang_and_the_baselines(capsys):
    parser = argparse.ArgumentParser()
    triage.add_arguments(parser)
    assert triage.run(parser.parse_args(["--kb", str(bench_dir() / "kb.jsonl"),
                                         "--cases", str(bench_dir() / "dev.jsonl")])) == 0
    out = capsys.readouterr().out
    for name in ("Indgang", "WRatio", "BM25", "TF-IDF", "latency"):
        assert name in out


@pytest.mark.skipif(not (bench_dir() / "dev.jsonl").exists(), reason="bench data not present")
def test_each_file_can_be_scored_by_weights_fitted_on_the_others_only():
    from bot.bench import load_entries
    from bot.triage import KnowledgeIndex, TriageSettings, load_default_rules
    inquiries = Path(__file__).resolve().parent / "data" / "inquiries"
    paths = [bench_dir() / "dev.jsonl", inquiries / "written-a.jsonl", inquiries / "written-b.jsonl"]
    index = KnowledgeIndex(load_entries(bench_dir() / "kb.jsonl"))
    rows = triage.leave_one_file_out(paths, index, load_default_rules(), TriageSettings(), 5)
    assert [name for name, _ in rows] == ["dev.jsonl", "written-a.jsonl", "written-b.jsonl"]
    for _, result in rows:
        assert result["answerable"] == 95 and result["precision"] >= 0.85 and result["coverage"] > 0.25


def test_bench_scale_reports_build_latency_and_memory(capsys):
    parser = argparse.ArgumentParser()
    scale.add_arguments(parser)
    assert scale.run(parser.parse_args(["--sizes", "300"])) == 0
    out = capsys.readouterr().out
    assert "build" in out and "p99" in out and "rss" in out


def test_at_equal_volume_a_matcher_answers_its_most_confident_inquiries():
    outs = [outcome("a", "a", 0.9), outcome("b", "x", 0.8), outcome("c", "c", 0.3),
            outcome("escalate", "d", 0.2)]
    two = at_volume(outs, 2)
    assert (two["answered"], two["right"], two["wrong"]) == (2, 1, 1)
    assert two["escalation_recall"] == 1.0
    assert at_volume(outs, 10)["answered"] == 4


def test_a_row_weighted_twice_counts_as_the_same_row_given_twice():
    from bot.bench.fit import fit_model
    rows = [{"a": float(i % 7), "b": float(i % 3)} for i in range(40)]
    labels = [int(i % 7 > 3) for i in range(40)]
    twice = fit_model(rows + rows, labels + labels, ("a", "b"))
    weighted = fit_model(rows, labels, ("a", "b"), weights=[2.0] * len(rows))
    assert twice.weights == pytest.approx(weighted.weights) and twice.bias == pytest.approx(weighted.bias)
