"""`indgang serve` as a test server: a real subprocess on a free port with a fresh database.

    from tests.servers.indgang import indgang_server  # noqa: F401   (fixture)
    from tests.servers.indgang import start_server       (for module-scoped servers)

``start_server(tmp_dir, config_toml_text)`` writes the TOML (its [web] port is replaced by
0, so the server picks a free port and tells us which), starts
``python -m bot.cli --config ... --db ... serve`` in ``tmp_dir``, waits for /healthz and
returns a ``ServerHandle``. stdout and the JSON log lines on stderr go to files in
``tmp_dir`` so a failing test can show them.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
URL_RE = re.compile(r"https?://[^\s/]+")


@dataclass
class ServerHandle:
    url: str  # e.g. http://127.0.0.1:41234 (no trailing slash)
    db_path: Path
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    returncode: int | None = field(default=None)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Send ``sig`` and wait; kills after ``timeout``. Returns the exit code (idempotent)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.returncode = self.process.returncode
        return self.returncode

    def logs(self) -> str:
        """stdout and stderr so far, for assertion messages."""
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(errors="replace")


def toml_text(data: dict[str, Any]) -> str:
    """Just enough TOML writing for test configurations: top-level keys and one level of tables."""
    lines = [f"{key} = {_toml_value(value)}" for key, value in data.items() if not isinstance(value, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{name}]", *(f"{k} = {_toml_value(v)}" for k, v in table.items())]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def start_server(tmp_dir: Path | str, config_toml_text: str = "", timeout: float = 30.0,
                 env: dict[str, str] | None = None, db_path: Path | str | None = None) -> ServerHandle:
    """Start `indgang serve` in ``tmp_dir`` and return once /healthz answers.

    ``db_path`` defaults to ``tmp_dir/indgang.db``; pass an existing one to restart on it.
    """
    tmp_dir = Path(tmp_dir)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    config = tomllib.loads(config_toml_text)
    config["web"] = {**config.get("web", {}), "host": "127.0.0.1", "port": 0}
    (tmp_dir / "indgang.toml").write_text(toml_text(config))
    db_path = Path(db_path) if db_path else tmp_dir / "indgang.db"
    stdout_path, stderr_path = tmp_dir / "serve.out", tmp_dir / "serve.err"
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "--config", "indgang.toml", "--db", str(db_path), "serve"],
            cwd=tmp_dir, stdout=out, stderr=err, env=server_env(env))
    handle = ServerHandle("", db_path, process, stdout_path, stderr_path)
    try:
        handle.url = _wait_for_url(handle, timeout)
        _wait_healthy(handle, timeout)
    except BaseException:
        handle.stop(signal.SIGKILL)
        raise
    return handle


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a server subprocess: this checkout importable, no INDGANG_* leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INDGANG_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return {**env, **(extra or {})}


def _wait_for_url(handle: ServerHandle, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = handle.stdout_path.read_text(errors="replace")
        match = URL_RE.search(text[:text.rfind("\n") + 1])  # whole lines only
        if match:
            return match.group(0)
        if handle.process.poll() is not None:
            raise RuntimeError(f"indgang serve exited with {handle.process.returncode}:\n{handle.logs()}")
        time.sleep(0.02)
    raise TimeoutError(f"indgang serve did not start within {timeout} s:\n{handle.logs()}")


def _wait_healthy(handle: ServerHandle, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{handle.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise TimeoutError(f"{handle.url}/healthz did not answer:\n{handle.logs()}")


@pytest.fixture
def indgang_server_factory(tmp_path: Path) -> Iterator[Callable[..., ServerHandle]]:
    """Start servers with your own TOML: ``indgang_server_factory('[web]\\nmessages_per_minute = 3')``."""
    started: list[ServerHandle] = []

    def factory(config_toml_text: str = "", name: str = "server") -> ServerHandle:
        handle = start_server(tmp_path / f"{name}{len(started)}", config_toml_text)
        started.append(handle)
        return handle

    yield factory
    for handle in started:
        handle.stop()


@pytest.fixture
def indgang_server(indgang_server_factory: Callable[..., ServerHandle]) -> ServerHandle:
    """A fresh `indgang serve` with the default configuration, stopped after the test."""
    return indgang_server_factory()
