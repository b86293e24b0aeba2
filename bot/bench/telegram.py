"""`indgang bench telegram`: Telegram messages handled per second, update in to answer out.

Starts the local Bot API stand-in (``tests/servers/botapi.py``, so run it from the
repository) and a runtime on a temporary database with the shipped knowledge base,
pushes ``--messages`` answerable questions from as many chats (one question per chat,
so every update earns exactly one answer rather than a follow-up case), and times each
from the moment the update is queued at the stand-in to the moment the answer reaches
its ``sendMessage``. Example: ``indgang bench telegram --messages 200``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.channels.telegram import TelegramChannel
from bot.config import Settings, TelegramSettings
from bot.errors import UserError
from bot.runtime import Runtime
from knowledge import entries as kb

ANSWER_MARKS = ("Fik du svar på dit spørgsmål?", "Did this answer your question?")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--messages", type=int, default=200, help="updates to push (default 200)")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="updates per second; 0 pushes them all at once (default)")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up after this many seconds")


def run(args: argparse.Namespace) -> int:
    result = asyncio.run(_bench(_stand_in(), args.messages, args.rate, args.timeout))
    _print(result)
    return 0 if result["answered"] == result["messages"] else 1


def _stand_in() -> Any:
    """The stand-in lives with the tests; an installed ``indgang`` finds it via the checkout."""
    repo = str(Path(__file__).resolve().parents[2])
    if (Path(repo) / "tests" / "servers" / "botapi.py").exists() and repo not in sys.path:
        sys.path.append(repo)
    try:
        from tests.servers.botapi import BotApiServer
    except ImportError as exc:
        raise UserError("the Telegram benchmark needs the Bot API stand-in tests/servers/botapi.py: "
                        f"run it from a checkout of the repository with the test extras installed ({exc})") from None
    return BotApiServer


async def _bench(server_class: Any, messages: int, rate: float, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        async with server_class() as api:
            runtime = _runtime(api, Path(folder))
            channel = runtime.channels["telegram"]
            task = asyncio.create_task(runtime.run())
            try:
                questions = _answerable_questions(runtime)
                pushed = await _push(api, questions, messages, rate)
                await api.wait_for_sent(messages, timeout=timeout)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await channel.close()  # type: ignore[attr-defined]
                runtime.close()
    return _measure(pushed, api.sent, messages)


def _runtime(api: Any, folder: Path) -> Runtime:
    telegram = TelegramSettings(token=api.token, api_base_url=api.base_url)
    settings = replace(Settings(db_path=str(folder / "bench.db")), telegram=telegram)
    runtime = Runtime.open(settings)
    runtime.add_channel(TelegramChannel(telegram, runtime.store, service=settings.service,
                                        wake=runtime.worker.poke, poll_timeout=1.0))
    return runtime


def _answerable_questions(runtime: Runtime) -> list[str]:
    """Shipped questions that triage answers with their own entry: each earns one answer."""
    found = []
    for entry in kb.read_file(runtime.settings.kb_path or kb.DEFAULT_KB):
        for question in entry.questions:
            decision = runtime.knowledge.decide(question, runtime.settings)
            if decision.action == "answer" and decision.entry_id == entry.id:
                found.append(question)
    return found


async def _push(api: Any, questions: list[str], messages: int, rate: float) -> dict[int, float]:
    pushed: dict[int, float] = {}
    for i in range(messages):
        chat_id = 700_000 + i
        pushed[chat_id] = time.monotonic()
        api.push_text(chat_id, questions[i % len(questions)])
        if rate > 0:
            await asyncio.sleep(1 / rate)
    return pushed


def _measure(pushed: dict[int, float], sent: list[dict[str, Any]], messages: int) -> dict[str, Any]:
    first_reply: dict[int, dict[str, Any]] = {}
    for message in sent:
        first_reply.setdefault(int(message["chat_id"]), message)
    latencies = sorted(first_reply[c]["at"] - t for c, t in pushed.items() if c in first_reply)
    elapsed = max(m["at"] for m in first_reply.values()) - min(pushed.values())
    answered = sum(any(mark in m["text"] for mark in ANSWER_MARKS) for m in first_reply.values())
    return {
        "messages": messages, "answered": answered, "replies": len(sent), "seconds": elapsed,
        "per_second": len(first_reply) / elapsed if elapsed else 0.0,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000,
    }


def _print(result: dict[str, Any]) -> None:
    print(f"Telegram, update in -> answer out at sendMessage ({result['messages']} chats, one question each)")
    print(f"  answered      {result['answered']}/{result['messages']} (messages sent: {result['replies']})")
    print(f"  throughput    {result['per_second']:.1f} messages/s over {result['seconds']:.2f} s")
    print(f"  latency       median {result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms")
