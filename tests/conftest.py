"""Shared test helpers: the bench data, a fresh runtime per test, a memory channel."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.channels.memory import MemoryChannel
from bot.config import Settings, load_settings
from bot.runtime import Runtime

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared folder beside the repository (CI clones main with shared/ next to it)."""
    return Path(os.environ.get("INDGANG_SHARED", REPO.parent / "shared"))


def bench_file(name: str) -> Path:
    path = shared_dir() / "bench" / name
    if not path.exists():
        pytest.skip(f"bench data not found: {path}")
    return path


def make_settings(tmp_path: Path, **sections: Any) -> Settings:
    """Settings for a fresh database in ``tmp_path``; keyword args replace whole sections."""
    settings = load_settings(env={}, db_path=str(tmp_path / "indgang.db"), path=None) \
        if not (Path.cwd() / "indgang.toml").exists() else Settings(db_path=str(tmp_path / "indgang.db"))
    return replace(settings, **sections)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def runtime_factory(tmp_path: Path) -> Iterator[Callable[..., Runtime]]:
    opened: list[Runtime] = []

    def factory(settings: Settings | None = None, **sections: Any) -> Runtime:
        runtime = Runtime.open(settings or make_settings(tmp_path, **sections))
        opened.append(runtime)
        return runtime

    yield factory
    for runtime in opened:
        try:
            runtime.close()
        except Exception:
            pass


@pytest.fixture
def runtime(runtime_factory: Callable[..., Runtime]) -> Runtime:
    """A fresh database with the shipped knowledge base, and a memory channel."""
    runtime = runtime_factory()
    runtime.add_channel(MemoryChannel())
    return runtime


@pytest.fixture
def memory(runtime: Runtime) -> MemoryChannel:
    return runtime.channels["memory"]  # type: ignore[return-value]
