"""``indgang bench triage``: Indgang against three baselines on labelled inquiries.

Every matcher's answer threshold is tuned on data it is not scored on (k-fold
on --cases, or on a separate --tune file), so the figures estimate what an
unseen inquiry gets. For Indgang the k-fold row refits the answerability
weights too: each fold is scored by weights and threshold fitted without it.
``--fit`` refits the shipped weights on all of --cases and writes them.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from bot.bench import REPO, load_entries, read_jsonl, shared_bench_dir
from bot.bench.fit import EXTRA_WEIGHT, Extra, fitted, kfold_fitted, outcomes
from bot.bench.metrics import ESCALATE, Outcome, at_volume, figures, per_kind
from bot.bench.report import print_report
from bot.triage import KnowledgeIndex, TriageSettings, load_default_rules
from bot.triage.decide import Assessment, answer_threshold, assess, model_for
from bot.triage.model import DEFAULT_MODEL, load_model, save_model
from bot.types import Rule


def assessments(index: KnowledgeIndex, rules: Sequence[Rule], settings: TriageSettings,
                cases: list[dict], timings: list[float] | None = None) -> list[Assessment]:
    out = []
    for case in cases:
        start = time.perf_counter()
        out.append(assess(case["text"], index, rules, settings))
        if timings is not None:
            timings.append(time.perf_counter() - start)
    return out


def indgang_outcomes(index: KnowledgeIndex, rules: Sequence[Rule], settings: TriageSettings,
                     cases: list[dict], timings: list[float] | None = None) -> list[Outcome]:
    """Decide each inquiry with the shipped model and the threshold open, keeping the
    routing of its escalation."""
    found = assessments(index, rules, settings, cases, timings)
    return outcomes(model_for(settings), found, cases, index, settings)


def evaluate(kb_path: Path, cases_path: Path, settings: TriageSettings | None = None) -> dict:
    """Indgang's figures at the given (default) settings, overall and per kind."""
    settings = settings or TriageSettings()
    index = KnowledgeIndex(load_entries(kb_path))
    outs = indgang_outcomes(index, load_default_rules(), settings, read_jsonl(cases_path))
    threshold = answer_threshold(settings, model_for(settings))
    result = figures(outs, threshold)
    result["per_kind"] = per_kind(outs, threshold)
    return result


def kfold(outcomes_: list[Outcome], folds: int) -> tuple[list[Outcome], list[float]]:
    """Score each fold at the threshold tuned on the others (for matchers with fixed scores)."""
    from dataclasses import replace

    from bot.bench.metrics import tune_threshold
    thresholds, scored = [], []
    for k in range(folds):
        t = tune_threshold([o for i, o in enumerate(outcomes_) if i % folds != k])
        thresholds.append(t)
        scored += [replace(o, answerable=o.answered(t)) for i, o in enumerate(outcomes_) if i % folds == k]
    return scored, thresholds


def held_out(outs: list[Outcome], tune: list[Outcome] | None, folds: int) -> tuple[dict, dict, str]:
    from bot.bench.metrics import tune_threshold
    if tune is not None:
        t = tune_threshold(tune)
        return figures(outs, t), per_kind(outs, t), f"threshold {t:.3f} tuned on --tune"
    scored, ts = kfold(outs, folds)
    note = f"{folds}-fold thresholds " + ", ".join(f"{t:.3f}" for t in ts)
    return figures(scored, 0.0), per_kind(scored, 0.0), note


def read_all(paths: Sequence[Path]) -> list[dict]:
    return [case for path in paths for case in read_jsonl(path)]


def default_other_writers() -> list[Path]:
    return sorted((REPO / "tests" / "data" / "inquiries").glob("written-*.jsonl"))


def other_writers(paths: Sequence[Path] | None, cases: list[dict], index: KnowledgeIndex,
                  rules: Sequence[Rule], settings: TriageSettings) -> Extra:
    """The extra training inquiries, without any line that is also scored."""
    scored = {case["text"] for case in cases}
    extra = [case for case in read_all(default_other_writers() if paths is None else paths)
             if case["text"] not in scored]
    return Extra(assessments(index, rules, settings, extra), extra)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    bench = shared_bench_dir()
    parser.add_argument("--kb", type=Path, default=bench / "kb.jsonl", help="knowledge base JSON lines")
    parser.add_argument("--cases", type=Path, nargs="+", default=[bench / "dev.jsonl"],
                        help="labelled inquiries (several files are read as one)")
    parser.add_argument("--tune", type=Path, nargs="+", default=None,
                        help="tune thresholds (and fit weights) here instead of k-fold")
    parser.add_argument("--also-train", type=Path, nargs="*", default=None, metavar="FILE",
                        help="labelled inquiries of other writers that the k-fold weights also learn from "
                             f"(each at weight {EXTRA_WEIGHT}), never scored and never used for a threshold; "
                             "lines also in --cases are left out (default: tests/data/inquiries/written-*.jsonl; "
                             "give the option alone for none)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--by-file", action="store_true",
                        help="with several --cases files: also score each file by weights and threshold "
                             "fitted on the other files only (how triage does on a new writer's wording)")
    parser.add_argument("--fit", type=Path, nargs="?", const=DEFAULT_MODEL, default=None,
                        help="refit the answerability weights on --cases and write them "
                             "(default file: the shipped knowledge/data/answerability.json)")


def run(args: argparse.Namespace) -> int:
    from bot.bench.baselines import BASELINES
    cases = read_all(args.cases)
    entries = load_entries(args.kb)
    index = KnowledgeIndex(entries)
    rules, settings = load_default_rules(), TriageSettings()
    timings: list[float] = []
    found = assessments(index, rules, settings, cases, timings)
    if args.fit:
        model = fitted(found, cases, index, settings, args.folds,
                       note=f"fitted on {' + '.join(p.name for p in args.cases)} ({len(cases)} inquiries) "
                            f"against {args.kb.name}")
        save_model(model, args.fit)
        load_model.cache_clear()
        print(f"answerability weights written to {args.fit}; fitted threshold {model.threshold:.3f}")
    tune_cases = read_all(args.tune) if args.tune else None
    rows = []
    mine = outcomes(model_for(settings), found, cases, index, settings)
    threshold = answer_threshold(settings, model_for(settings))
    rows.append(("Indgang (defaults)", figures(mine, threshold), per_kind(mine, threshold),
                 f"shipped weights, threshold {threshold:.2f}", timings))
    if tune_cases is not None:
        tuned = fitted(assessments(index, rules, settings, tune_cases), tune_cases, index, settings, args.folds)
        outs = outcomes(tuned, found, cases, index, settings)
        rows.append(("Indgang (fitted)", figures(outs, tuned.threshold), per_kind(outs, tuned.threshold),
                     f"weights and threshold {tuned.threshold:.3f} fitted on --tune", timings))
    else:
        extra = other_writers(args.also_train, cases, index, rules, settings)
        scored, ts = kfold_fitted(found, cases, index, settings, args.folds, extra)
        learnt = f"; weights also from {len(extra.cases)} other writers' inquiries" if extra.cases else ""
        rows.append(("Indgang (k-fold)", figures(scored, 0.0), per_kind(scored, 0.0),
                     f"{args.folds}-fold weights+thresholds{learnt}, thresholds "
                     + ", ".join(f"{t:.2f}" for t in ts), timings))
    held_name, held_figures = rows[-1][:2]  # Indgang with nothing tuned on the scored lines
    raw = {}
    for name, build in BASELINES.items():
        lat: list[float] = []
        match = build(entries)
        outs = raw[name] = match(cases, lat)
        rows.append((name, *held_out(outs, match(tune_cases, []) if tune_cases else None, args.folds), lat))
    print_report(rows)
    print_at_volume(held_name, held_figures, raw)
    if args.by_file and len(args.cases) > 1:
        print_by_file(args.cases, index, rules, settings, args.folds)
    return 0


def print_at_volume(name: str, mine: dict, baselines: dict[str, list[Outcome]]) -> None:
    """Each baseline answering as many inquiries as Indgang did, its most confident first:
    precision at equal volume, where a tie at 100% on a handful of answers says nothing."""
    volume = mine["answered"]
    print(f"\nEach baseline answering as many inquiries as {name} ({volume}), its most confident first")
    print(f"  {'matcher':24} {'precision':>10} {'coverage':>10} {'wrong':>6}")
    print(f"  {name:24} {mine['precision']:>10.1%} {mine['coverage']:>10.1%} {mine['wrong']:>6}")
    for baseline, outs in baselines.items():
        f = at_volume(outs, volume)
        print(f"  {baseline:24} {f['precision']:>10.1%} {f['coverage']:>10.1%} {f['wrong']:>6}")


def leave_one_file_out(paths: Sequence[Path], index: KnowledgeIndex, rules: Sequence[Rule],
                       settings: TriageSettings, folds: int) -> list[tuple[str, dict]]:
    """Each file scored by weights and threshold fitted on all the other files: every file
    is another writer's wording, so this says what a new writer can expect."""
    sets = [(path.name, read_jsonl(path)) for path in paths]
    found = {name: assessments(index, rules, settings, cases) for name, cases in sets}
    rows = []
    for name, cases in sets:
        train = [(a, c) for other, cs in sets if other != name for a, c in zip(found[other], cs, strict=True)]
        model = fitted([a for a, _ in train], [c for _, c in train], index, settings, folds)
        result = figures(outcomes(model, found[name], cases, index, settings), model.threshold)
        result["answerable"] = sum(c["expected"] != ESCALATE for c in cases)
        rows.append((name, result))
    return rows


def print_by_file(paths: Sequence[Path], index: KnowledgeIndex, rules: Sequence[Rule],
                  settings: TriageSettings, folds: int) -> None:
    rows = leave_one_file_out(paths, index, rules, settings, folds)
    print("\nIndgang, each file scored by weights and threshold fitted on the other files")
    print(f"  {'file':24} {'precision':>10} {'coverage':>10} {'wrong':>6}")
    for name, f in rows:
        print(f"  {name:24} {f['precision']:>10.1%} {f['coverage']:>10.1%} {f['wrong']:>6}")
    right = sum(f["right"] for _, f in rows)
    wrong = sum(f["wrong"] for _, f in rows)
    answerable = sum(f["answerable"] for _, f in rows)
    print(f"  {'all':24} {right / max(1, right + wrong):>10.1%} {right / max(1, answerable):>10.1%} {wrong:>6}")
