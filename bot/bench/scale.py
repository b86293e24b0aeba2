"""``indgang bench scale``: index build time, triage latency and memory for large knowledge bases.

The synthetic base recombines the shipped entries with words drawn from the
whole base's vocabulary, deterministically, so runs are comparable over time.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from dataclasses import replace
from pathlib import Path

from bot.bench import REPO, load_entries, shared_bench_dir
from bot.bench.report import latency
from bot.triage import KnowledgeIndex, decide, load_default_rules, load_synonyms
from bot.triage.index import settle
from bot.triage.text import content_words
from bot.types import Entry

SEED = 20260101
QUERIES = 200


def source_kb() -> Path:
    shipped = REPO / "knowledge" / "data" / "default_kb.jsonl"
    return shipped if shipped.exists() else shared_bench_dir() / "kb.jsonl"


def synthetic_kb(base: list[Entry], size: int, seed: int = SEED) -> list[Entry]:
    """``size`` entries: each a base entry with its phrasings salted by borrowed words."""
    rng = random.Random(seed)
    pool = sorted({w for e in base for q in e.questions for w in content_words(q)})
    out = []
    for i in range(size):
        b = base[i % len(base)]
        salt = lambda text: f"{text} {' '.join(rng.sample(pool, 3))}"  # noqa: E731
        out.append(replace(b, id=f"{b.id}-{i}", title=salt(b.title),
                           questions=tuple(salt(q) for q in b.questions)))
    return out


def queries(base: list[Entry], seed: int = SEED) -> list[str]:
    rng = random.Random(seed + 1)
    phrasings = [q for e in base for q in e.questions]
    pool = sorted({w for q in phrasings for w in content_words(q)})
    return [f"{rng.choice(phrasings)} {' '.join(rng.sample(pool, 2))}" for _ in range(QUERIES)]


def rss_mb() -> float:
    """Resident memory now, from /proc (peak via getrusage where /proc is missing)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        import os
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(size: int, base: list[Entry]) -> dict:
    entries = synthetic_kb(base, size)
    synonyms, rules = load_synonyms(), load_default_rules()
    start = time.perf_counter()
    index = KnowledgeIndex(entries, synonyms)
    build = time.perf_counter() - start
    settle()  # as the runtime does once the index is loaded
    timings = []
    for text in queries(base):
        t0 = time.perf_counter()
        decide(text, index, rules)
        timings.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    index.upsert(replace(entries[0], title=entries[0].title + " opdateret"))
    upsert = time.perf_counter() - t0
    return {"size": size, "build_s": build, "timings": timings, "upsert_ms": 1000 * upsert,
            "median_ms": 1000 * statistics.median(timings), "rss_mb": rss_mb()}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated entry counts")
    parser.add_argument("--kb", type=Path, default=None, help="base entries (default: shipped KB)")


def run(args: argparse.Namespace) -> int:
    base = load_entries(args.kb or source_kb())
    print(f"base: {len(base)} entries; {QUERIES} queries per size")
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        m = measure(size, base)
        print(f"{size:>8} entries  build {m['build_s']:6.2f} s  upsert {m['upsert_ms']:6.2f} ms  "
              f"triage {latency(m['timings'])}  rss {m['rss_mb']:7.1f} MB")
    return 0
