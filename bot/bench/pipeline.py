"""`indgang bench pipeline`: inquiries per second through the whole path with SQLite.

Store, thread, triage, answer or case, outbox: the same `Pipeline.receive` the channels
call, on a fresh database file, with the outbox drained by a memory channel.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from bot.channels.memory import MemoryChannel
from bot.config import Settings
from bot.runtime import Runtime
from escalation import staff

REPO = Path(__file__).resolve().parents[2]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inquiries", type=int, default=1000, help="how many inquiries to send")
    parser.add_argument("--cases", default=str(REPO.parent / "shared" / "bench" / "dev.jsonl"),
                        help="JSON Lines with a 'text' field (default: the shared bench file)")


def _texts(path: str, count: int) -> list[str]:
    try:
        lines = [json.loads(l)["text"] for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]
    except OSError:
        lines = ["Hvordan søger jeg om udeservering?", "Vi vil flytte vores fabrik til kommunen."]
    return [lines[i % len(lines)] for i in range(count)]


async def _measure(runtime: Runtime, texts: list[str]) -> tuple[float, list[float], dict[str, int]]:
    memory = MemoryChannel()
    runtime.add_channel(memory)
    latencies, statuses = [], {}
    start = time.perf_counter()
    for number, text in enumerate(texts):
        began = time.perf_counter()
        outcome = await runtime.pipeline.receive(memory.message(text, sender=f"business-{number}"))
        latencies.append(time.perf_counter() - began)
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    while await runtime.worker.drain_once():
        pass
    return time.perf_counter() - start, latencies, statuses


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime.open(Settings(db_path=str(Path(tmp) / "bench.db")))
        for n, dept in enumerate(("Erhvervsservice", "Byggesag", "Byplan", "Industrimiljø")):
            runtime.store.run(staff.add, f"Medarbejder {n}", f"m{n}@kommune.dk", [dept])
        texts = _texts(args.cases, args.inquiries)
        elapsed, latencies, statuses = asyncio.run(_measure(runtime, texts))
        sent = runtime.store.run(lambda db: db.execute("SELECT count(*) FROM outbox WHERE status='sent'").fetchone()[0])
        runtime.close()
    latencies.sort()
    print(f"pipeline: {len(texts)} inquiries in {elapsed:.2f} s = {len(texts) / elapsed:.0f} inquiries/s "
          f"(store, triage, answer or case, outbox; SQLite WAL)")
    print(f"  per inquiry: median {statistics.median(latencies) * 1000:.2f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.2f} ms")
    print(f"  outcomes: {', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}; replies sent {sent}")
    return 0
