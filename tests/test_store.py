"""Storage: what the pipeline writes is committed and visible to another process at once."""

from __future__ import annotations

import sqlite3

import pytest

from bot.channels.memory import MemoryChannel
from bot.runtime import Runtime
from bot.store import migrate, schema_version, transaction
from tests.test_pipeline import SIMPLE


def _other_connection_count(runtime: Runtime, sql: str) -> int:
    with sqlite3.connect(runtime.settings.db_path) as other:
        return other.execute(sql).fetchone()[0]


async def test_a_received_message_and_its_reply_are_committed_before_receive_returns(
        runtime: Runtime, memory: MemoryChannel) -> None:
    await runtime.pipeline.receive(memory.message(SIMPLE))
    assert _other_connection_count(runtime, "SELECT count(*) FROM messages WHERE direction = 'in'") == 1
    assert _other_connection_count(runtime, "SELECT count(*) FROM outbox") == 1
    assert not runtime.store.run(lambda db: db.conn.in_transaction)


async def test_a_failed_message_is_committed_too(runtime: Runtime, memory: MemoryChannel,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime.knowledge, "decide", lambda *a, **k: 1 / 0)
    await runtime.pipeline.receive(memory.message(SIMPLE))
    assert _other_connection_count(runtime, "SELECT count(*) FROM messages WHERE status = 'failed'") == 1
    assert not runtime.store.run(lambda db: db.conn.in_transaction)


def test_a_failing_transaction_leaves_nothing_behind(runtime: Runtime) -> None:
    def half(db):
        with transaction(db):
            db.execute("INSERT INTO state (key, value) VALUES ('x', '1')")
            raise RuntimeError("crash mid-write")
    with pytest.raises(RuntimeError):
        runtime.store.run(half)
    assert _other_connection_count(runtime, "SELECT count(*) FROM state WHERE key = 'x'") == 0


def test_migrations_are_recorded_and_not_applied_twice(runtime: Runtime) -> None:
    version = runtime.store.run(schema_version)
    assert version >= 1
    assert runtime.store.run(migrate) == []
    assert runtime.store.run(schema_version) == version


def test_a_commit_that_fails_leaves_no_transaction_open(runtime: Runtime) -> None:
    def orphan(db):
        db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        db.execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")
        with transaction(db):
            db.execute("INSERT INTO child (parent_id) VALUES (42)")  # refused only at COMMIT
    with pytest.raises(sqlite3.IntegrityError):
        runtime.store.run(orphan)
    assert not runtime.store.run(lambda db: db.conn.in_transaction)
    assert _other_connection_count(runtime, "SELECT count(*) FROM child") == 0
