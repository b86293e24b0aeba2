"""`indgang bench email`: latency from IMAP APPEND to our reply arriving at the SMTP server.

Starts a throwaway Dovecot and an aiosmtpd server on loopback (the same helpers the tests
use, from ``tests/servers/``, so this runs from a checkout of the repository), runs
Indgang with the email channel against them, and delivers answerable questions from the
shipped knowledge base one at a time. With IDLE the figure is dominated by Dovecot's
fixed notification delay of about half a second; polling is shown for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bot.channels.email.channel import EmailChannel
from bot.config import EmailSettings, Settings
from bot.errors import UserError
from bot.runtime import Runtime
from knowledge import entries as kb

REPO = Path(__file__).resolve().parents[2]
ADDRESS = "erhverv@eksempel.dk"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--messages", type=int, default=50, help="questions delivered with IDLE (default 50)")
    parser.add_argument("--poll-messages", type=int, default=10,
                        help="questions delivered in polling mode for comparison (0 skips it)")
    parser.add_argument("--poll-seconds", type=float, default=1.0, help="polling interval for the comparison")


def run(args: argparse.Namespace) -> int:
    servers = _server_helpers()
    print(f"email bench: Dovecot IMAP + aiosmtpd on loopback, {args.messages} questions with IDLE", flush=True)
    idle = asyncio.run(_measure(servers, args.messages, idle_seconds=300.0, poll_seconds=args.poll_seconds))
    _report("IDLE", idle)
    if args.poll_messages > 0:
        print(f"polling every {args.poll_seconds:g} s, {args.poll_messages} questions", flush=True)
        polled = asyncio.run(_measure(servers, args.poll_messages, idle_seconds=0.0, poll_seconds=args.poll_seconds))
        _report("polling", polled)
    return 0


def _server_helpers() -> Any:
    """The test servers live in tests/servers/; a checkout of the repository has them."""
    if (REPO / "tests" / "servers").is_dir() and str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    try:
        from tests.servers import dovecot, smtp
    except ImportError as exc:
        raise UserError(f"bench email needs the repository's tests/servers/ helpers and aiosmtpd ({exc}); "
                        "run it from a checkout with the test extras installed") from None
    return dovecot, smtp


def _questions(runtime: Runtime, count: int) -> list[str]:
    """First phrasings of KB entries that triage answers, so every question gets a reply."""
    found = [e.questions[0] for e in kb.read_file(kb.DEFAULT_KB)
             if runtime.knowledge.decide(e.questions[0], runtime.settings).action == "answer"]
    if not found:
        raise UserError("no question in the shipped knowledge base is answered; nothing to measure")
    return [found[i % len(found)] for i in range(count)]


def _mail(number: int, question: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Virksomhed {number} <firma{number}@bench.example>"
    msg["To"] = ADDRESS
    msg["Subject"] = f"Spørgsmål {number}"
    msg["Message-ID"] = f"<bench.{number}.{time.time_ns()}@bench.example>"
    msg.set_content(f"Hej\n\n{question}\n\nMed venlig hilsen\nVirksomhed {number}\n")
    return bytes(msg)


async def _measure(servers: Any, count: int, *, idle_seconds: float, poll_seconds: float) -> list[float]:
    dovecot_module, smtp_module = servers
    imap = dovecot_module.DovecotServer().start()
    smtp = await smtp_module.SmtpServer().start()
    folder = tempfile.mkdtemp(prefix="indgang-bench-email-")
    email = EmailSettings(address=ADDRESS, imap_host=imap.host, imap_port=imap.port, imap_security="none",
                          imap_user=imap.user, imap_password=imap.password, smtp_host=smtp.host,
                          smtp_port=smtp.port, smtp_security="none", auto_replies_per_hour=1_000_000)
    runtime = Runtime.open(Settings(db_path=f"{folder}/indgang.db", email=email))
    channel = EmailChannel(email, runtime.store, idle_seconds=idle_seconds, poll_seconds=poll_seconds,
                           reconnect_max=1.0, timeout=10.0)
    runtime.add_channel(channel)
    task = asyncio.create_task(runtime.run())
    try:
        await asyncio.wait_for(channel.connected.wait(), 10)
        return await _deliver_all(imap, smtp, _questions(runtime, count))
    finally:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        await channel.close()
        await smtp.stop()
        imap.close()
        runtime.close()


async def _deliver_all(imap: Any, smtp: Any, questions: list[str]) -> list[float]:
    latencies = []
    for number, question in enumerate(questions, start=1):
        raw = _mail(number, question)
        began = time.perf_counter()
        await asyncio.to_thread(imap.append, raw)
        await smtp.wait_for(number, timeout=30)
        latencies.append(time.perf_counter() - began)
    return latencies


def _report(mode: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"  {mode:8} n={len(ordered)}  median {statistics.median(ordered) * 1000:.0f} ms  "
          f"p95 {p95 * 1000:.0f} ms  min {ordered[0] * 1000:.0f} ms  max {ordered[-1] * 1000:.0f} ms", flush=True)
