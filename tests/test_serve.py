"""`indgang serve` as an operator runs it: starts on defaults, answers /healthz, stops cleanly."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers.indgang import ServerHandle, indgang_server, indgang_server_factory, server_env, start_server  # noqa: F401

pytestmark = pytest.mark.slow
QUESTION = "Hvad koster det at have caféborde på fortovet?"


def chat_post(server: ServerHandle, text: str) -> httpx.Response:
    with httpx.Client(base_url=server.url) as client:
        token = re.search(r'data-token="([^"]+)"', client.get("/chat").text).group(1)  # type: ignore[union-attr]
        return client.post("/chat/messages", json={"text": text}, headers={"X-Chat-Token": token,
                                                                             "Accept": "application/json"})


def outbox_statuses(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as db:
        return [row[0] for row in db.execute("SELECT status FROM outbox ORDER BY id")]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """A server the read-only tests share."""
    handle = start_server(tmp_path_factory.mktemp("serve"))
    yield handle
    handle.stop()


def test_healthz_reports_the_running_channels(running: ServerHandle) -> None:
    health = httpx.get(f"{running.url}/healthz").json()
    assert health == {"status": "ok", "channels": ["webchat"], "outbox_pending": 0}


def test_it_prints_where_to_open_the_chat(running: ServerHandle) -> None:
    printed = running.stdout_path.read_text()
    assert f"{running.url}/chat" in printed
    assert f'<script src="{running.url}/chat/widget.js" defer></script>' in printed


def test_sigterm_stops_within_seconds_and_loses_nothing(indgang_server: ServerHandle) -> None:  # noqa: F811
    assert chat_post(indgang_server, QUESTION).status_code == 202
    assert chat_post(indgang_server, "Vi vil flytte vores fabrik til kommunen").status_code == 202
    started = time.monotonic()
    assert indgang_server.stop() == 0
    assert time.monotonic() - started < 5
    statuses = outbox_statuses(indgang_server.db_path)
    assert len(statuses) == 2
    assert set(statuses) <= {"sent", "pending"}


def test_every_log_line_is_json_with_one_line_per_event(indgang_server: ServerHandle) -> None:  # noqa: F811
    chat_post(indgang_server, QUESTION)
    indgang_server.stop()
    lines = [json.loads(line) for line in indgang_server.stderr_path.read_text().splitlines()]
    events = [line["event"] for line in lines if line["logger"] == "indgang.audit"]
    assert events[:3] == ["received", "answered", "sent"]
    answered = next(line for line in lines if line.get("event") == "answered")
    assert answered["detail"]["entry"] == "udeservering-tilladelse"
    assert answered["thread_id"] == 1


def test_with_no_configuration_it_uses_indgang_db_in_the_current_folder(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=tmp_path, env=server_env({}),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first_line = process.stdout.readline()  # type: ignore[union-attr]
    finally:
        process.terminate()
        process.wait(10)
    if "cannot listen" in (process.stderr.read() if process.stderr else ""):
        pytest.skip("port 8080 is taken on this machine")
    assert first_line.strip() == "Indgang kører på http://127.0.0.1:8080"
    with sqlite3.connect(tmp_path / "indgang.db") as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] > 50


def test_a_busy_port_is_one_clear_error(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        (tmp_path / "indgang.toml").write_text(f"[web]\nport = {port}\n")
        done = subprocess.run([sys.executable, "-m", "bot.cli", "serve"], cwd=tmp_path, env=server_env({}),
                              capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert f"indgang: cannot listen on 127.0.0.1:{port}" in done.stderr


def test_messages_left_sending_by_a_crash_go_out_on_the_next_start(indgang_server: ServerHandle,  # noqa: F811
                                                                   tmp_path: Path) -> None:
    chat_post(indgang_server, QUESTION)
    indgang_server.stop()
    with sqlite3.connect(indgang_server.db_path) as db:
        db.execute("UPDATE outbox SET status = 'sending'")  # as if killed in the middle of a send
    again = start_server(tmp_path / "again", db_path=indgang_server.db_path)
    try:
        deadline = time.monotonic() + 5
        while outbox_statuses(indgang_server.db_path) != ["sent"] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        again.stop()
    assert outbox_statuses(indgang_server.db_path) == ["sent"]
