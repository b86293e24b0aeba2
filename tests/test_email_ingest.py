"""`indgang ingest --channel email`: every odd mail file is reported once and kept in the database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.channels.email.parse import MailParseError, parse_email
from bot.cli import main

ODD = Path(__file__).parent / "data" / "mail" / "odd"
STATUSES = {"answered", "escalated", "ignored", "rejected", "duplicate", "attached", "failed"}


def run_ingest(capsys: pytest.CaptureFixture[str], db: Path, *files: str) -> tuple[int, list[dict]]:
    code = main(["--db", str(db), "ingest", "--channel", "email", *files])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    return code, [json.loads(line) for line in lines]


def stored_raw(db: Path) -> list[bytes]:
    return stored(db)[0]


def stored(db: Path) -> tuple[list[bytes], set[str]]:
    """Raw bytes and source ids of every inbound message, rejected ones included."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT raw, source_id FROM messages WHERE direction = 'in'").fetchall()
    return [bytes(raw) for raw, _ in rows], {sid for _, sid in rows}


def source_id(raw: bytes) -> str:
    """A second delivery of the same message (same Message-ID) is kept once, as the first."""
    try:
        return parse_email(raw).source_id
    except MailParseError:
        return ""


@pytest.mark.slow
def test_every_odd_mail_file_is_reported_and_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(ODD.glob("*.eml"))
    assert files, "tests/data/mail/odd/ holds the odd mail"

    code, results = run_ingest(capsys, tmp_path / "indgang.db", *map(str, files))

    assert code == 0
    assert [r["file"] for r in results] == [str(f) for f in files]
    assert {r["status"] for r in results} <= STATUSES
    assert all(set(r) == {"file", "status", "reason", "thread_id", "case_id"} for r in results)
    raws, source_ids = stored(tmp_path / "indgang.db")
    for path, result in zip(files, results, strict=True):
        raw = path.read_bytes()
        kept = raw in raws or (result["status"] == "duplicate" and source_id(raw) in source_ids)
        assert kept, f"{path.name} ({result['status']}) is not in the database"


def test_unreadable_file_is_rejected_stored_and_the_run_goes_on(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "garbage.eml"
    garbage.write_bytes(bytes(range(1, 32)) * 50)
    question = Path(__file__).parent / "data" / "mail" / "plain_question_da.eml"

    code, results = run_ingest(capsys, tmp_path / "indgang.db", str(tmp_path / "missing.eml"), str(garbage),
                               str(question), str(question))

    assert code == 0
    assert [r["status"] for r in results] == ["rejected", "rejected", "answered", "duplicate"]
    assert results[0]["reason"].startswith("cannot read")
    assert results[1]["reason"].startswith("rejected: ") and results[1]["thread_id"]
    assert garbage.read_bytes() in stored_raw(tmp_path / "indgang.db")
