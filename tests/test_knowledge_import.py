"""Importing knowledge entries: all or nothing, with the line and field named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import UserError
from bot.runtime import Runtime
from knowledge import entries as kb
from tests.conftest import bench_file

GOOD = {"id": "skilt", "title": "Skilte", "questions": ["Må jeg sætte et skilt op?"], "answer": "Ja, søg.",
        "answer_en": "Yes, apply.", "department": "Byggesag", "tags": ["skilt"]}


def _write(tmp_path: Path, rows: list) -> Path:
    path = tmp_path / "kb.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows), encoding="utf-8")
    return path


def test_bench_knowledge_base_imports_all_sixty_entries(runtime: Runtime) -> None:
    entries = kb.read_file(bench_file("kb.jsonl"))
    runtime.store.run(kb.import_entries, entries, "test", True)
    assert len(runtime.store.run(kb.all_entries)) == 60


@pytest.mark.parametrize("bad, message", [
    ("{not json", "line 2: not valid JSON"),
    ({**GOOD, "id": "Æble kage"}, "line 2: field 'id'"),
    ({**GOOD, "id": "x", "department": "Skattestyrelsen"}, "line 2: field 'department'"),
    ({**GOOD, "id": "x", "questions": "one string"}, "line 2: field 'questions'"),
    ({**GOOD, "id": "x", "answer": ""}, "line 2: field 'answer'"),
    (GOOD, "line 2: field 'id': duplicate"),
])
def test_a_bad_line_refuses_the_whole_file_naming_line_and_field(
        runtime: Runtime, tmp_path: Path, bad: object, message: str) -> None:
    before = len(runtime.store.run(kb.all_entries))
    path = _write(tmp_path, [GOOD, bad])
    with pytest.raises(UserError, match=message):
        runtime.store.run(kb.import_entries, kb.read_file(path), "test")
    assert len(runtime.store.run(kb.all_entries)) == before
    assert runtime.store.run(kb.get, "skilt") is None


def test_import_upserts_by_id_and_records_history(runtime: Runtime, tmp_path: Path) -> None:
    runtime.store.run(kb.import_entries, [kb.entry_from_dict(GOOD)], "anna")
    changed = {**GOOD, "answer": "Ja, men søg først."}
    runtime.store.run(kb.import_entries, [kb.entry_from_dict(changed)], "bo")
    assert runtime.store.run(kb.get, "skilt").answer == "Ja, men søg først."
    history = runtime.store.run(kb.history, "skilt")
    assert [h["action"] for h in history] == ["updated", "created"]
    assert history[0]["changed_by"] == "bo" and "answer" in history[0]["changes"]


def test_replace_removes_entries_not_in_the_file(runtime: Runtime) -> None:
    runtime.store.run(kb.import_entries, [kb.entry_from_dict(GOOD)], "test", True)
    assert [e.id for e in runtime.store.run(kb.all_entries)] == ["skilt"]


def test_export_reads_back_identically(runtime: Runtime) -> None:
    text = kb.export_jsonl(runtime.store.run(kb.all_entries))
    assert kb.parse_jsonl(text) == [e.__class__(**{**e.__dict__, "updated_by": "", "updated_at": ""})
                                    for e in runtime.store.run(kb.all_entries)]


def test_a_new_database_ships_the_default_knowledge_base(runtime: Runtime) -> None:
    assert len(runtime.store.run(kb.all_entries)) >= 40
