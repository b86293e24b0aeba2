"""Numbered schema migrations, applied in order at start and recorded in ``_migrations``.

Add a new function at the end; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database


def _run(db: Database, script: str) -> None:
    """Statement by statement: ``executescript`` would commit the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def m001_core(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT);

        CREATE TABLE threads (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            address TEXT NOT NULL,           -- the business's address on that channel
            name TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL DEFAULT '',
            lang TEXT NOT NULL DEFAULT 'da',
            owner TEXT NOT NULL DEFAULT 'bot' CHECK (owner IN ('bot', 'staff')),
            owner_id INTEGER REFERENCES staff(id),
            status TEXT NOT NULL DEFAULT 'open',
            contact TEXT NOT NULL DEFAULT '', -- email/phone left by a chat user
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX threads_address ON threads(channel, address);

        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            thread_id INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out', 'note')),
            channel TEXT NOT NULL,
            source_id TEXT,                  -- unique per channel for inbound
            author TEXT NOT NULL DEFAULT '', -- business | bot | staff:<id>
            subject TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            full_text TEXT NOT NULL DEFAULT '',
            raw BLOB,
            email_id TEXT,                   -- RFC 5322 Message-ID, for threading
            automatic TEXT,                  -- why it was not answered (auto-reply, bounce)
            status TEXT NOT NULL DEFAULT 'received',
            decision TEXT,                   -- JSON of the triage Decision
            entry_id TEXT,
            score REAL,
            error TEXT,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX messages_source ON messages(channel, source_id)
            WHERE source_id IS NOT NULL AND direction = 'in';
        CREATE INDEX messages_thread ON messages(thread_id, id);
        CREATE INDEX messages_email_id ON messages(email_id);

        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            filename TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            data BLOB
        );

        CREATE TABLE entries (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            questions TEXT NOT NULL,
            answer TEXT NOT NULL,
            answer_en TEXT NOT NULL DEFAULT '',
            department TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            links TEXT NOT NULL DEFAULT '[]',
            keywords TEXT NOT NULL DEFAULT '[]',
            active INTEGER NOT NULL DEFAULT 1,
            updated_by TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE entry_history (
            id INTEGER PRIMARY KEY,
            entry_id TEXT NOT NULL,
            action TEXT NOT NULL,
            changed_by TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            changes TEXT NOT NULL
        );

        CREATE TABLE rules (
            id INTEGER PRIMARY KEY,
            pattern TEXT NOT NULL,
            department TEXT NOT NULL,
            complexity TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1
        );

        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL UNIQUE,
            departments TEXT NOT NULL DEFAULT '[]',
            role TEXT NOT NULL DEFAULT 'staff' CHECK (role IN ('staff', 'admin')),
            absent_from TEXT,
            absent_to TEXT,
            deputy_id INTEGER REFERENCES staff(id),
            password_hash TEXT,
            lang TEXT NOT NULL DEFAULT 'da',
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );

        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            thread_id INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
            complexity TEXT NOT NULL,
            department TEXT NOT NULL,
            phase TEXT NOT NULL DEFAULT 'clarification',
            status TEXT NOT NULL DEFAULT 'open',
            assignee_id INTEGER REFERENCES staff(id),
            deadline TEXT NOT NULL,
            first_answer_due TEXT NOT NULL,
            answered_at TEXT,
            outcome TEXT,
            satisfaction INTEGER,
            created_at TEXT NOT NULL,
            closed_at TEXT
        );
        CREATE INDEX cases_assignee ON cases(assignee_id, status);

        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            thread_id INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
            message_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            html TEXT,
            lang TEXT NOT NULL DEFAULT 'da',
            email_id TEXT NOT NULL DEFAULT '',
            in_reply_to TEXT,
            refs TEXT NOT NULL DEFAULT '[]',
            automatic INTEGER NOT NULL DEFAULT 1,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            thread_id INTEGER REFERENCES threads(id) ON DELETE CASCADE,
            case_id INTEGER,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL DEFAULT 'bot',
            detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX events_thread ON events(thread_id, id);
        """
    )


def m002_case_lookups(db: Database) -> None:
    """Indexes for lookups that otherwise read every case ever opened: the case of a thread
    (each message on a known thread; each thread retention deletes) and the year's highest
    case number (each new case; the expression matches ``cases.next_number``)."""
    _run(
        db,
        """
        CREATE INDEX cases_thread ON cases(thread_id, id);
        CREATE INDEX cases_year_number ON cases(substr(number, 1, 5), CAST(substr(number, 6) AS INTEGER));
        """
    )


def m003_cascade_lookups(db: Database) -> None:
    """Indexes for the foreign keys that deletes cascade through: erasing a thread looks up
    its outbox rows and its messages' attachments, which otherwise reads both tables."""
    _run(
        db,
        """
        CREATE INDEX outbox_thread ON outbox(thread_id);
        CREATE INDEX attachments_message ON attachments(message_id);
        """
    )


def m004_reply_limit_lookup(db: Database) -> None:
    """The hourly limit on automatic replies counts one recipient's recent ones before each
    email reply; without this index that count read the whole outbox."""
    _run(db, "CREATE INDEX outbox_recipient ON outbox(channel, recipient, created_at);")


def m005_email_only_indexes(db: Database) -> None:
    """Two indexes only email reads, kept for email rows alone: every chat message and chat
    reply wrote an entry to each (a Message-ID lookup never asks for NULL; the hourly limit
    counts automatic email replies only), which made each commit write more pages."""
    _run(
        db,
        """
        DROP INDEX messages_email_id;
        CREATE INDEX messages_email_id ON messages(email_id) WHERE email_id IS NOT NULL;
        DROP INDEX outbox_recipient;
        CREATE INDEX outbox_email_recipient ON outbox(recipient, created_at) WHERE channel = 'email' AND automatic = 1;
        """
    )


def m006_notices_outside_reply_limit(db: Database) -> None:
    """Deadline notices to staff are outbox rows without a message; the hourly limit on
    automatic replies counts replies to businesses alone, so its index holds only those:
    a notice adds no entry to it and is never read by the count."""
    _run(
        db,
        """
        DROP INDEX outbox_email_recipient;
        CREATE INDEX outbox_email_recipient ON outbox(recipient, created_at)
            WHERE channel = 'email' AND automatic = 1 AND message_id IS NOT NULL;
        """
    )


def m007_notice_lookups(db: Database) -> None:
    """The hourly deadline check asks whether a case already had its reminder or breach
    (events by case and kind), and a mail that opens a thread is checked against the
    notices staff were sent (a colleague answering a reminder): both read every row without
    an index, and both tables grow with every case."""
    _run(
        db,
        """
        CREATE INDEX events_case_kind ON events(case_id, kind) WHERE case_id IS NOT NULL;
        CREATE INDEX outbox_notice_email_id ON outbox(email_id) WHERE message_id IS NULL;
        """
    )


MIGRATIONS: list[Callable[[Database], None]] = [m001_core, m002_case_lookups, m003_cascade_lookups,
                                                m004_reply_limit_lookup, m005_email_only_indexes,
                                                m006_notices_outside_reply_limit, m007_notice_lookups]
