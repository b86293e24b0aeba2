"""The `indgang` command as an admin uses it."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from tests.conftest import REPO, bench_file

COMPLEX = ("Vi overvejer at flytte hele vores produktion til kommunen og skal bruge en stor grund, "
           "miljøgodkendelse og byggetilladelse. Hvem koordinerer det?")


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=REPO, timeout=60)


def _subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield path + (name,), sub
                yield from _subcommands(sub, path + (name,))


def test_every_command_has_help_and_an_example() -> None:
    for path, parser in _subcommands(build_parser()):
        assert parser.description, f"indgang {' '.join(path)} has no description"
        assert "indgang" in (parser.epilog or ""), f"indgang {' '.join(path)} has no example"


def test_import_then_triage_prints_one_json_line_per_inquiry(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    imported = run("--db", db, "kb", "import", str(bench_file("kb.jsonl")), "--replace")
    assert imported.returncode == 0 and "imported 60 entries" in imported.stdout
    lines = bench_file("dev.jsonl").read_text(encoding="utf-8")
    result = run("--db", db, "triage", "--json", stdin=lines)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines.splitlines())
    for decision in out:
        assert set(decision) == {"decision", "entry_id", "score", "complexity", "department", "lang"}
        assert decision["decision"] in ("answer", "escalate") and decision["lang"] in ("da", "en")
        if decision["decision"] == "answer":
            assert decision["entry_id"] and decision["complexity"] == "simple"
    assert run("--db", db, "cases", "list").stdout.strip() == "no cases"  # triage is read-only


def test_chat_turns_an_inquiry_into_a_case_listed_with_contact_and_deadline(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    assert run("--db", db, "staff", "add", "Mette Holm", "mette@k.dk", "--dept", "Erhvervsservice",
               "--no-password").returncode == 0
    chat = run("--db", db, "chat", stdin=COMPLEX + "\n")
    assert "Vi har modtaget din henvendelse" in chat.stdout and "Mette Holm" in chat.stdout
    listed = run("--db", db, "cases", "list").stdout
    assert "Mette Holm" in listed and "deadline 20" in listed


def test_ask_prints_the_decision_with_reasons(tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "t.db"), "ask", "Hvordan søger jeg om udeservering foran min café?")
    first, *reasons = result.stdout.splitlines()
    assert json.loads(first)["decision"] in ("answer", "escalate")
    assert reasons


def test_user_errors_are_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    result = run("--db", str(tmp_path / "t.db"), "kb", "import", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "line 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", "/nonexistent.toml", "kb", "list"]) == 2
    assert "configuration file not found" in capsys.readouterr().err


def test_staff_absence_and_listing(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    run("--db", db, "staff", "add", "Bo", "bo@k.dk", "--dept", "Byggesag", "--no-password")
    assert run("--db", db, "staff", "absent", "bo@k.dk", "--from", "2026-12-21", "--to", "2027-01-03").returncode == 0
    assert "away 2026-12-21 to 2027-01-03" in run("--db", db, "staff", "list").stdout


def test_a_first_import_on_a_new_database_is_the_whole_knowledge_base(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    assert "imported 60 entries" in run("--db", db, "kb", "import", str(bench_file("kb.jsonl"))).stdout
    assert len(run("--db", db, "kb", "list").stdout.splitlines()) == 60
    assert run("--db", db, "rules", "list").stdout.strip()  # the escalation rules are still there


def test_a_new_database_used_first_for_chat_gets_the_shipped_knowledge_base(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    assert len(run("--db", db, "kb", "list").stdout.splitlines()) >= 40
