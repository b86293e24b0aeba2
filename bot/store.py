"""SQLite storage: opening, migrations, transactions, and a non-blocking async door.

sqlite-utils is synchronous and a connection belongs to one thread at a time, so all
access from asyncio code goes through ``Store.call``, which runs the function on one
dedicated thread owning the connection. Writers never contend inside the process, and
``BEGIN IMMEDIATE`` keeps another process (a CLI beside ``serve``) from deadlocking.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from bot.migrations import MIGRATIONS

T = TypeVar("T")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) and migrate. ``:memory:`` works for tests."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
    conn.isolation_level = None  # autocommit: transactions are only the explicit ones in transaction()
    db = Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA synchronous=NORMAL")
    migrate(db)
    return db


def migrate(db: Database) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    applied = []
    for migration in MIGRATIONS:
        if migration.__name__ in done:
            continue
        with transaction(db):
            migration(db)
            db["_migrations"].insert({"name": migration.__name__, "applied_at": now_iso()})
        applied.append(migration.__name__)
    return applied


def schema_version(db: Database) -> int:
    return db.execute("SELECT count(*) FROM _migrations").fetchone()[0]


SAVEPOINT = "indgang_nested"  # one name for every level: RELEASE and ROLLBACK TO take the innermost


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """All-or-nothing block; nested blocks become savepoints.

    The savepoint has a fixed name (sqlite-utils' ``atomic`` makes a random one), so its
    statements are prepared once and stay in the connection's statement cache."""
    conn = db.conn
    if conn.in_transaction:
        conn.execute(f"SAVEPOINT {SAVEPOINT}")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:  # an error may already have ended the whole transaction
                conn.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
                conn.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
            raise
        conn.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        conn.execute("COMMIT")  # inside: a COMMIT that fails (disk full) must not leave the transaction open
    except BaseException:
        conn.rollback()
        raise


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # what json.dumps would build anew for every call


def dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def loads(value: str | None, default: Any = None) -> Any:
    return default if not value else json.loads(value)


def insert(db: Database, table: str, row: dict[str, Any]) -> int:
    """A plain INSERT: sqlite-utils' own introspects the table on every call, too slow per message."""
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    return db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())).lastrowid


def insert_returning(db: Database, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """INSERT and read the whole new row (defaults included) in one statement."""
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cursor = db.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING *", list(row.values()))
    names = [d[0] for d in cursor.description]
    (values,) = cursor.fetchall()  # read to the end, so the statement is finished before COMMIT
    return dict(zip(names, values, strict=True))


def update(db: Database, table: str, row_id: Any, changes: dict[str, Any]) -> None:
    if changes:
        sets = ", ".join(f"{column} = ?" for column in changes)
        db.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*changes.values(), row_id])


def fetch_all(db: Database, sql: str, args: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(args))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def fetch_one(db: Database, sql: str, args: list[Any] | tuple[Any, ...] = ()) -> dict[str, Any] | None:
    rows = fetch_all(db, sql, args)
    return rows[0] if rows else None


def get_row(db: Database, table: str, row_id: Any) -> dict[str, Any] | None:
    return fetch_one(db, f"SELECT * FROM {table} WHERE id = ?", [row_id])


def get_state(db: Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM state WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_state(db: Database, key: str, value: str) -> None:
    """Plain SQL: sqlite-utils' upsert reads the table's schema on every call, which
    cost a third of a millisecond on each case opened."""
    db.execute("INSERT INTO state (key, value) VALUES (?, ?) "
               "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])


class Store:
    """The database plus the single thread that may touch it from async code."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="indgang-db")
        self.db = self._executor.submit(open_db, self.path).result()

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(db, *args, **kwargs)`` on the database thread without blocking the loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, self.db, *args, **kwargs))

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """The synchronous twin of ``call`` for code outside the event loop (CLI, tests)."""
        return self._executor.submit(fn, self.db, *args, **kwargs).result()

    def close(self) -> None:
        self._executor.submit(self.db.conn.close).result()
        self._executor.shutdown(wait=True)
