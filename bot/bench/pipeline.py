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
    parser.add_argument("--concurrency", type=int, default=8,
                        help="inquiries in flight at once, as from several channels and businesses")
    parser.add_argument("--cases", default=str(REPO.parent / "shared" / "bench" / "dev.jsonl"),
                        help="JSON Lines with a 'text' field (default: the shared bench file)")


def _texts(path: str, count: int) -> list[str]:
    try:
        lines = [json.loads(line)["text"] for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError:
        lines = ["Hvordan søger jeg om udeservering?", "Vi vil flytte vores fabrik til kommunen."]
    return [lines[i % len(lines)] for i in range(count)]


async def _measure(runtime: Runtime, texts: list[str], concurrency: int) -> tuple[float, list[float], dict[str, int]]:
    """Send every inquiry with ``concurrency`` in flight while the outbox worker sends replies;
    the clock stops when the last reply has been handed to the channel."""
    memory = MemoryChannel()
    runtime.add_channel(memory)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    pending = iter(enumerate(texts))

    async def client() -> None:
        for number, text in pending:
            began = time.perf_counter()
            outcome = await runtime.pipeline.receive(memory.message(text, sender=f"business-{number}"))
            latencies.append(time.perf_counter() - began)
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1

    start = time.perf_counter()
    worker = asyncio.create_task(runtime.worker.run())
    await asyncio.gather(*(client() for _ in range(concurrency)))
    from bot.outbox import pending_count
    while len(memory.sent) < len(texts) or await runtime.store.call(pending_count):
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - start
    worker.cancel()
    return elapsed, latencies, statuses


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime.open(Settings(db_path=str(Path(tmp) / "bench.db")))
        for n, dept in enumerate(("Erhvervsservice", "Byggesag", "Byplan", "Industrimiljø")):
            runtime.store.run(staff.add, f"Medarbejder {n}", f"m{n}@kommune.dk", [dept])
        texts = _texts(args.cases, args.inquiries)
        elapsed, latencies, statuses = asyncio.run(_measure(runtime, texts, args.concurrency))
        sent = runtime.store.run(lambda db: db.execute("SELECT count(*) FROM outbox WHERE status='sent'").fetchone()[0])
        runtime.close()
    latencies.sort()
    print(f"pipeline: {len(texts)} inquiries in {elapsed:.2f} s = {len(texts) / elapsed:.0f} inquiries/s "
          f"(store, triage, answer or case, outbox sent; SQLite WAL; {args.concurrency} in flight)")
    print(f"  receive latency: median {statistics.median(latencies) * 1000:.2f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.2f} ms")
    print(f"  outcomes: {', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}; replies sent {sent}")
    return 0
