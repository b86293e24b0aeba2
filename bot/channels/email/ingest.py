"""``indgang ingest --channel email FILE...``: raw RFC 822 files through the IMAP path.

Useful for replaying mail that arrived while Indgang was down, and for checking how a
strange message is handled. Each file goes through ``receive_raw`` exactly as a message
fetched from the mailbox would; a file that cannot be read or parsed is reported as
"rejected" and the run continues with the next one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.channels.email.channel import receive_raw
from bot.runtime import Runtime
from bot.types import Outcome


def ingest_files(runtime: Runtime, paths: Iterable[str | Path]) -> Iterator[dict[str, Any]]:
    """One result per file, in order: file, status, reason, thread_id, case_id."""
    for path in paths:
        yield ingest_file(runtime, Path(path))


def ingest_file(runtime: Runtime, path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return {"file": str(path), "status": "rejected", "reason": f"cannot read: {exc.strerror or exc}",
                "thread_id": None, "case_id": None}
    status, outcome = asyncio.run(receive_raw(raw, runtime.pipeline.receive, runtime.store,
                                              runtime.settings.email, f"file {path.name}"))
    return {"file": str(path), "status": status, "reason": _reason(outcome),
            "thread_id": outcome.thread_id, "case_id": outcome.case_id}


def _reason(outcome: Outcome) -> str:
    """The pipeline's own reason, or what triage said when it answered or escalated."""
    if outcome.reason:
        return outcome.reason
    decision = outcome.decision
    if decision is None:
        return ""
    if outcome.status == "answered":
        return f"answered from {decision.entry_id} (score {decision.score:.2f})"
    return "; ".join(decision.reasons[:3])
