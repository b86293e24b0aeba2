"""The knowledge base Indgang ships must be complete and well formed.

A business only gets a good first answer if every entry can be loaded, is
routed to a real department and can be matched in Danish and English, so
these tests guard the shipped file line by line.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

KB_PATH = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "default_kb.jsonl"

DEPARTMENTS = {
    "Erhvervsservice",
    "Byggesag",
    "Byplan",
    "Industrimiljø",
    "Vej og Trafik",
    "Grundsalg",
    "Jobcenter Virksomhedsservice",
    "Borgerservice",
    "Affald",
    "Brand og Redning",
    "Opkrævning",
    "Kultur og Events",
}

FIELD_TYPES: dict[str, type] = {
    "id": str,
    "title": str,
    "questions": list,
    "answer": str,
    "answer_en": str,
    "department": str,
    "tags": list,
    "links": list,
}

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ENGLISH_WORDS = {
    "a", "an", "the", "do", "does", "we", "i", "my", "our", "you", "can",
    "how", "what", "who", "where", "when", "which", "is", "are", "to", "for",
    "of", "in", "on", "from", "may", "must", "should", "need", "much", "it",
}


def shared_dir() -> Path:
    """Find the shared bench folder the same way the rest of the suite does."""
    try:
        from tests.conftest import shared_dir as suite_shared_dir
    except ImportError:
        override = os.environ.get("INDGANG_SHARED")
        return Path(override) if override else Path(__file__).resolve().parents[2] / "shared"
    return Path(suite_shared_dir())


def load_lines() -> list[str]:
    return [line for line in KB_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def entries() -> list[dict[str, Any]]:
    return [json.loads(line) for line in load_lines()]


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-zæøå]+", text.lower()))


def test_every_line_is_a_json_object() -> None:
    for number, line in enumerate(load_lines(), start=1):
        assert isinstance(json.loads(line), dict), f"line {number} is not an object"


def test_every_entry_has_the_required_fields_with_the_right_types(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        for field, kind in FIELD_TYPES.items():
            assert isinstance(entry.get(field), kind), f"{entry.get('id')}: {field}"
        assert all(isinstance(item, str) and item.strip() for item in entry["questions"] + entry["tags"])
        assert entry["title"].strip() and entry["answer"].strip() and entry["answer_en"].strip()


def test_ids_are_unique_ascii_slugs(entries: list[dict[str, Any]]) -> None:
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids))
    for entry_id in ids:
        assert entry_id.isascii() and SLUG.match(entry_id), entry_id


def test_each_entry_has_four_danish_phrasings_and_english_last(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        questions = entry["questions"]
        assert len(questions) == 5, entry["id"]
        assert len(words(questions[-1]) & ENGLISH_WORDS) >= 2, f"{entry['id']}: {questions[-1]}"
        assert len({q.strip().lower() for q in questions}) == 5, entry["id"]


def test_every_department_is_one_of_the_twelve(entries: list[dict[str, Any]]) -> None:
    assert {entry["department"] for entry in entries} <= DEPARTMENTS


def test_the_knowledge_base_is_large_enough(entries: list[dict[str, Any]]) -> None:
    assert len(entries) >= 48


def test_every_department_has_at_least_two_entries(entries: list[dict[str, Any]]) -> None:
    counts = Counter(entry["department"] for entry in entries)
    assert {dept: counts[dept] for dept in DEPARTMENTS if counts[dept] < 2} == {}


def test_tags_are_few_lowercase_keywords(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        assert 3 <= len(entry["tags"]) <= 6, entry["id"]
        assert all(tag == tag.lower() for tag in entry["tags"]), entry["id"]


def test_links_are_at_most_two_relative_site_paths(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        assert len(entry["links"]) <= 2, entry["id"]
        for link in entry["links"]:
            assert isinstance(link, str) and link.startswith("/") and "//" not in link, link


def test_no_phrasing_repeats_a_bench_phrasing(entries: list[dict[str, Any]]) -> None:
    bench = shared_dir() / "bench" / "kb.jsonl"
    if not bench.is_file():
        pytest.skip("bench knowledge base not available")
    bench_lines = bench.read_text(encoding="utf-8").splitlines()
    taken = {q.strip().lower() for line in bench_lines if line.strip() for q in json.loads(line)["questions"]}
    repeated = [q for entry in entries for q in entry["questions"] if q.strip().lower() in taken]
    assert repeated == []
