"""Benchmarks of triage quality and speed, run as ``indgang bench ...``."""

from __future__ import annotations

import json
from pathlib import Path

from bot.types import Entry

REPO = Path(__file__).resolve().parents[2]


def shared_bench_dir() -> Path:
    """The bench data beside the repository (``../shared/bench``), never copied into it."""
    import os
    root = os.environ.get("INDGANG_SHARED")
    return Path(root) / "bench" if root else REPO.parent / "shared" / "bench"


def entry_from_json(data: dict) -> Entry:
    return Entry(id=data["id"], title=data["title"], questions=tuple(data["questions"]),
                 answer=data["answer"], department=data["department"],
                 answer_en=data.get("answer_en", ""), tags=tuple(data.get("tags", ())),
                 links=tuple(data.get("links", ())), keywords=tuple(data.get("keywords", ())),
                 active=data.get("active", True))


def load_entries(path: Path) -> list[Entry]:
    return [entry_from_json(d) for d in read_jsonl(path)]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
