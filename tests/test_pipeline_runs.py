"""Messages in flight at once go to the database thread together: each must still be handled
exactly as if it had come alone."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import threads
from bot.channels.memory import MemoryChannel
from bot.pipeline import process_all
from bot.runtime import Runtime
from bot.types import Attachment, Outcome
from escalation import cases, staff
from tests.conftest import make_settings
from tests.test_pipeline import COMPLEX, SIMPLE

MIXED = [SIMPLE, COMPLEX, "How much does a permit for outdoor tables on the pavement cost?", COMPLEX, SIMPLE,
         "Vi vil gerne holde et gademarked på torvet i august. Hvad skal vi søge om?"]
FOLLOW_UP = "Det hjalp ikke, jeg har stadig ikke fået svar på mit spørgsmål"


def _add_staff(runtime: Runtime) -> None:
    runtime.store.run(staff.add, "Mette Holm", "mette@kommune.dk", ["Erhvervsservice"])
    runtime.store.run(staff.add, "Lars Bak", "lars@kommune.dk", ["Erhvervsservice", "Byggesag"])


async def _together(runtime: Runtime, memory: MemoryChannel, texts: list[str], sender: Callable[[int], str],
                    **extra: object) -> list[Outcome | BaseException]:
    return await asyncio.gather(*(runtime.pipeline.receive(memory.message(text, sender=sender(n), **extra))
                                  for n, text in enumerate(texts)), return_exceptions=True)


def _summary(runtime: Runtime, outcome: Outcome) -> tuple[object, ...]:
    case = runtime.store.run(cases.get, outcome.case_id) if outcome.case_id else {}
    return (outcome.status, outcome.decision and outcome.decision.entry_id, outcome.case_number,
            case.get("assignee_name"), case.get("department"), len(outcome.replies))


async def test_messages_arriving_together_get_the_decisions_and_cases_they_get_one_by_one(
        runtime_factory, tmp_path: Path) -> None:
    alone, together = (runtime_factory(make_settings(tmp_path / name)) for name in ("alone", "together"))
    for runtime in (alone, together):
        _add_staff(runtime)
        runtime.add_channel(MemoryChannel())
    one_by_one = [await alone.pipeline.receive(alone.channels["memory"].message(text, sender=f"b{n}"))
                  for n, text in enumerate(MIXED)]
    at_once = await _together(together, together.channels["memory"], MIXED, lambda n: f"b{n}")
    assert [_summary(together, o) for o in at_once] == [_summary(alone, o) for o in one_by_one]
    assert {o.status for o in at_once} == {"answered", "escalated"}


async def test_two_messages_on_one_thread_arriving_together_are_decided_in_turn(
        runtime: Runtime, memory: MemoryChannel) -> None:
    first, second = await _together(runtime, memory, [SIMPLE, FOLLOW_UP], lambda n: "business-1")
    assert (first.status, second.status) == ("answered", "escalated")
    assert first.thread_id == second.thread_id
    rows = runtime.store.run(threads.messages_of, first.thread_id)
    assert [r["direction"] for r in rows] == ["in", "out", "in", "out"]


async def test_contact_details_sent_twice_at_once_are_thanked_for_once(runtime: Runtime, memory: MemoryChannel) -> None:
    escalated = await runtime.pipeline.receive(memory.message(COMPLEX))
    mails = ["Min mail er anna@firma.dk", "Skriv til anna@firma.dk"]
    outcomes = await _together(runtime, memory, mails, lambda n: "business-1")
    assert [o.status for o in outcomes] == ["attached", "attached"]
    assert [len(o.replies) for o in outcomes] == [1, 0]
    assert runtime.store.run(threads.get_thread, escalated.thread_id)["contact"] == "anna@firma.dk"


async def test_a_duplicate_arriving_with_its_original_is_handled_once(runtime: Runtime, memory: MemoryChannel) -> None:
    outcomes = await _together(runtime, memory, [SIMPLE, SIMPLE], lambda n: "business-1", source_id="same-id")
    assert [o.status for o in outcomes] == ["answered", "duplicate"]
    assert outcomes[1].message_id == outcomes[0].message_id


async def test_a_message_failing_among_others_fails_alone(runtime: Runtime, memory: MemoryChannel,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    decide = runtime.knowledge.decide

    def broken_for_complex(text: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if text == COMPLEX:
            raise RuntimeError("index corrupted")
        return decide(text, *args, **kwargs)
    monkeypatch.setattr(runtime.knowledge, "decide", broken_for_complex)
    outcomes = await _together(runtime, memory, [SIMPLE, COMPLEX, SIMPLE], lambda n: f"b{n}")
    assert [o.status for o in outcomes] == ["answered", "failed", "answered"]
    assert outcomes[1].case_id and len(outcomes[1].replies) == 1


@pytest.mark.parametrize("where", ["deciding", "opening the failure's case"])
async def test_when_sqlite_gives_up_a_whole_run_each_message_is_decided_again_alone(
        runtime: Runtime, memory: MemoryChannel, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        runtime.store.db.conn.rollback()  # what SQLite does to the transaction on SQLITE_FULL
        raise sqlite3.OperationalError("database or disk is full")
    decide = runtime.knowledge.decide

    def broken_for_complex(text: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if text == COMPLEX:
            return disk_full() if where == "deciding" else 1 / 0
        return decide(text, *args, **kwargs)
    monkeypatch.setattr(runtime.knowledge, "decide", broken_for_complex)
    if where != "deciding":
        monkeypatch.setattr(cases, "open_case", disk_full)
    outcomes = await _together(runtime, memory, [SIMPLE, COMPLEX, SIMPLE], lambda n: f"b{n}")
    assert [o.status for o in outcomes] == ["answered", "failed", "answered"]
    replies = runtime.store.run(lambda db: db.execute("SELECT count(*) FROM outbox").fetchone()[0])
    assert replies == (3 if where == "deciding" else 2)  # one each, none twice: nothing of the given-up run was kept
    assert runtime.store.run(lambda db: db.execute(
        "SELECT count(*) FROM messages WHERE status = 'received'").fetchone()[0]) == 0


async def test_a_message_that_cannot_be_stored_fails_alone(runtime: Runtime, memory: MemoryChannel,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store_inbound = threads.store_inbound

    def refuse_files(db, thread_id, message, **kwargs):  # type: ignore[no-untyped-def]
        if message.attachments:
            raise ValueError("unreadable attachment")
        return store_inbound(db, thread_id, message, **kwargs)
    monkeypatch.setattr(threads, "store_inbound", refuse_files)
    pdf = Attachment("tegning.pdf", "application/pdf", 4, b"%PDF")
    first, broken, third = await asyncio.gather(
        runtime.pipeline.receive(memory.message(SIMPLE, sender="a")),
        runtime.pipeline.receive(memory.message(SIMPLE, sender="b", attachments=(pdf,))),
        runtime.pipeline.receive(memory.message(SIMPLE, sender="c")), return_exceptions=True)
    assert isinstance(broken, ValueError)
    assert (first.status, third.status) == ("answered", "answered")


def test_a_crash_in_the_middle_of_a_run_leaves_every_message_stored_for_resume(
        runtime_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    first = runtime_factory()
    decide = first.knowledge.decide

    def crash_on_complex(text: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if text == COMPLEX:
            raise SystemExit("killed")
        return decide(text, *args, **kwargs)
    monkeypatch.setattr(first.knowledge, "decide", crash_on_complex)
    memory = MemoryChannel()
    messages = [memory.message(text, sender=f"b{n}") for n, text in enumerate([SIMPLE, COMPLEX, SIMPLE])]
    with pytest.raises(SystemExit):
        first.store.run(process_all, first.knowledge, first.settings, messages)
    first.close()
    second = runtime_factory()
    second.add_channel(memory)
    assert asyncio.run(second.pipeline.resume()) == 3
    assert asyncio.run(second.worker.drain_once()) == 3
