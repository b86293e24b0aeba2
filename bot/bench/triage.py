"""``indgang bench triage``: Indgang against three baselines on labelled inquiries.

Every matcher's answer threshold is tuned on data it is not scored on (k-fold
on --cases, or on a separate --tune file), so the figures estimate what an
unseen inquiry gets.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from bot.bench import load_entries, read_jsonl, shared_bench_dir
from bot.bench.metrics import Outcome, figures, per_kind, tune_threshold
from bot.bench.report import print_report
from bot.triage import KnowledgeIndex, TriageSettings, decide, load_default_rules
from bot.types import Rule

Matcher = Callable[[list[dict]], list[Outcome]]


def indgang_outcomes(index: KnowledgeIndex, rules: Sequence[Rule], settings: TriageSettings,
                     cases: list[dict], timings: list[float] | None = None) -> list[Outcome]:
    """Decide each inquiry with the threshold open, keeping the routing of its escalation."""
    open_settings = replace(settings, answer_threshold=0.0)
    shut_settings = replace(settings, answer_threshold=1.01)
    outcomes = []
    for case in cases:
        start = time.perf_counter()
        d = decide(case["text"], index, rules, open_settings)
        if timings is not None:
            timings.append(time.perf_counter() - start)
        e = d if d.action == "escalate" else decide(case["text"], index, rules, shut_settings)
        outcomes.append(Outcome(case, d.entry_id, d.score, d.action == "answer",
                                e.department, e.complexity))
    return outcomes


def evaluate(kb_path: Path, cases_path: Path, settings: TriageSettings | None = None) -> dict:
    """Indgang's figures at the given (default) settings, overall and per kind."""
    settings = settings or TriageSettings()
    index = KnowledgeIndex(load_entries(kb_path))
    outcomes = indgang_outcomes(index, load_default_rules(), settings, read_jsonl(cases_path))
    result = figures(outcomes, settings.answer_threshold)
    result["per_kind"] = per_kind(outcomes, settings.answer_threshold)
    return result


def kfold(outcomes: list[Outcome], folds: int) -> tuple[list[Outcome], list[float]]:
    """Score each fold at the threshold tuned on the others; returns outcomes with fold thresholds."""
    thresholds = []
    scored: list[Outcome] = []
    for k in range(folds):
        train = [o for i, o in enumerate(outcomes) if i % folds != k]
        t = tune_threshold(train)
        thresholds.append(t)
        scored += [_fixed(o, t) for i, o in enumerate(outcomes) if i % folds == k]
    return scored, thresholds


def _fixed(outcome: Outcome, threshold: float) -> Outcome:
    """Bake a fold's threshold into the outcome, so all folds are scored at threshold 0."""
    return replace(outcome, answerable=outcome.answered(threshold), score=max(outcome.score, 0.0))


def held_out(outcomes: list[Outcome], tune: list[Outcome] | None, folds: int) -> tuple[dict, dict, str]:
    if tune is not None:
        t = tune_threshold(tune)
        return figures(outcomes, t), per_kind(outcomes, t), f"threshold {t:.3f} tuned on --tune"
    scored, ts = kfold(outcomes, folds)
    note = f"{folds}-fold thresholds " + ", ".join(f"{t:.3f}" for t in ts)
    return figures(scored, 0.0), per_kind(scored, 0.0), note


def add_arguments(parser: argparse.ArgumentParser) -> None:
    bench = shared_bench_dir()
    parser.add_argument("--kb", type=Path, default=bench / "kb.jsonl", help="knowledge base JSON lines")
    parser.add_argument("--cases", type=Path, default=bench / "dev.jsonl", help="labelled inquiries")
    parser.add_argument("--tune", type=Path, default=None, help="tune thresholds here instead of k-fold")
    parser.add_argument("--folds", type=int, default=5)


def run(args: argparse.Namespace) -> int:
    from bot.bench.baselines import BASELINES
    cases = read_jsonl(args.cases)
    tune_cases = read_jsonl(args.tune) if args.tune else None
    entries = load_entries(args.kb)
    index = KnowledgeIndex(entries)
    rules = load_default_rules()
    settings = TriageSettings()
    timings: list[float] = []
    rows = []
    mine = indgang_outcomes(index, rules, settings, cases, timings)
    rows.append(("Indgang (defaults)", figures(mine, settings.answer_threshold),
                 per_kind(mine, settings.answer_threshold),
                 f"configured threshold {settings.answer_threshold:g}", timings))
    tune = indgang_outcomes(index, rules, settings, tune_cases) if tune_cases else None
    rows.append(("Indgang (tuned)", *held_out(mine, tune, args.folds), timings))
    for name, build in BASELINES.items():
        lat: list[float] = []
        match = build(entries)
        outs = match(cases, lat)
        rows.append((name, *held_out(outs, match(tune_cases, []) if tune_cases else None, args.folds), lat))
    print_report(rows)
    return 0
