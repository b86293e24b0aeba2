"""The inquiry pipeline end to end, through the in-memory channel."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date

import pytest

from bot import events, outbox, threads
from bot.channels.memory import MemoryChannel
from bot.runtime import Runtime
from bot.types import Attachment
from escalation import cases, staff

SIMPLE = "Hvad koster det at have caféborde på fortovet?"  # a phrasing of the shipped knowledge base
COMPLEX = ("Vi er en produktionsvirksomhed med 120 ansatte og overvejer at flytte hele virksomheden til "
           "kommunen og bygge en ny fabrik. Vi skal bruge en stor erhvervsgrund, miljøgodkendelse og "
           "byggetilladelse. Hvem kan koordinere det?")


def _add_staff(runtime: Runtime) -> None:
    runtime.store.run(staff.add, "Mette Holm", "mette@kommune.dk", ["Erhvervsservice"])
    runtime.store.run(staff.add, "Lars Bak", "lars@kommune.dk", ["Erhvervsservice", "Byggesag"])


async def _deliver(runtime: Runtime, memory: MemoryChannel, text: str, **extra: object):
    outcome = await runtime.pipeline.receive(memory.message(text, **extra))
    await runtime.worker.drain_once()
    return outcome


async def test_simple_question_gets_the_knowledge_base_answer(runtime: Runtime, memory: MemoryChannel) -> None:
    outcome = await _deliver(runtime, memory, SIMPLE)
    assert outcome.status == "answered"
    entry = runtime.knowledge.index.get(outcome.decision.entry_id)
    assert entry.answer in memory.sent[0].text
    assert memory.sent[0].recipient == "business-1"


async def test_english_question_is_answered_in_english(runtime: Runtime, memory: MemoryChannel) -> None:
    outcome = await _deliver(runtime, memory, "How much does a permit for outdoor tables on the pavement cost?")
    assert outcome.status == "answered"
    assert outcome.decision.lang == "en"
    assert "Did this answer your question?" in memory.sent[0].text


async def test_complex_inquiry_becomes_a_case_with_contact_person_and_deadline(
        runtime: Runtime, memory: MemoryChannel) -> None:
    _add_staff(runtime)
    outcome = await _deliver(runtime, memory, COMPLEX)
    assert outcome.status == "escalated"
    case = runtime.store.run(cases.get, outcome.case_id)
    assert case["complexity"] == "complex"
    assert case["assignee_name"] in ("Mette Holm", "Lars Bak")
    ack = memory.sent[0].text
    assert case["number"] in ack and case["assignee_name"] in ack
    assert "Vi har modtaget din henvendelse" in ack
    assert date.fromisoformat(case["deadline"]) > date.fromisoformat(case["created_at"][:10])


async def test_acknowledgement_waits_in_the_outbox_until_a_channel_sends_it(runtime: Runtime, memory: MemoryChannel) -> None:
    outcome = await runtime.pipeline.receive(memory.message(COMPLEX))
    assert runtime.store.run(outbox.pending_count) == 1
    row = runtime.store.run(lambda db: db["outbox"].get(outcome.replies[0]))
    assert "sag" in row["text"].lower() and row["automatic"] == 1


async def test_a_message_delivered_twice_is_handled_once(runtime: Runtime, memory: MemoryChannel) -> None:
    first = await _deliver(runtime, memory, SIMPLE, source_id="same-id")
    second = await _deliver(runtime, memory, SIMPLE, source_id="same-id")
    assert first.status == "answered" and second.status == "duplicate"
    assert len(memory.sent) == 1


async def test_that_did_not_help_is_escalated_not_answered_again(runtime: Runtime, memory: MemoryChannel) -> None:
    await _deliver(runtime, memory, SIMPLE)
    outcome = await _deliver(runtime, memory, "Det hjalp ikke, jeg har stadig ikke fået svar på mit spørgsmål")
    assert outcome.status == "escalated"
    assert "unsatisfied" in " ".join(outcome.decision.reasons)


async def test_a_new_question_on_an_answered_thread_goes_to_a_person(runtime: Runtime, memory: MemoryChannel) -> None:
    await _deliver(runtime, memory, SIMPLE)
    outcome = await _deliver(runtime, memory, "Og hvad med et skilt over døren, skal det også godkendes?")
    assert outcome.status == "escalated"


async def test_thanks_after_an_answer_gets_no_reply_and_no_case(runtime: Runtime, memory: MemoryChannel) -> None:
    await _deliver(runtime, memory, SIMPLE)
    outcome = await _deliver(runtime, memory, "Mange tak!")
    assert outcome.status == "ignored" and len(memory.sent) == 1


async def test_bot_stays_quiet_on_a_thread_with_an_open_case(runtime: Runtime, memory: MemoryChannel) -> None:
    escalated = await _deliver(runtime, memory, COMPLEX)
    outcome = await _deliver(runtime, memory, SIMPLE)
    assert outcome.status == "attached" and outcome.case_id == escalated.case_id
    assert len(memory.sent) == 1


async def test_auto_reply_is_stored_but_never_answered(runtime: Runtime, memory: MemoryChannel) -> None:
    outcome = await _deliver(runtime, memory, "Jeg er på ferie til mandag.", automatic="auto-submitted: auto-replied")
    assert outcome.status == "ignored" and not memory.sent
    kinds = [e["kind"] for e in runtime.store.run(events.of_thread, outcome.thread_id)]
    assert kinds == ["received", "ignored"]


async def test_a_question_with_a_file_goes_to_a_person(runtime: Runtime, memory: MemoryChannel) -> None:
    pdf = Attachment("tegning.pdf", "application/pdf", 4, b"%PDF")
    outcome = await _deliver(runtime, memory, SIMPLE, attachments=(pdf,))
    assert outcome.status == "escalated"


async def test_a_crash_while_deciding_hands_the_message_to_a_person(
        runtime: Runtime, memory: MemoryChannel, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("index corrupted")
    monkeypatch.setattr(runtime.knowledge, "decide", broken)
    outcome = await _deliver(runtime, memory, SIMPLE)
    assert outcome.status == "failed" and outcome.case_id
    assert "Vi har modtaget din henvendelse" in memory.sent[0].text
    message = runtime.store.run(lambda db: db["messages"].get(outcome.message_id))
    assert message["status"] == "failed" and message["text"] == SIMPLE


async def test_a_message_stored_before_a_crash_is_decided_on_restart(runtime_factory, tmp_path) -> None:
    first = runtime_factory()
    memory = MemoryChannel()
    from bot.pipeline import store_message
    first.store.run(store_message, memory.message(SIMPLE))  # stored, then the process "died"
    first.close()
    second = runtime_factory()
    second.add_channel(memory)
    assert await second.pipeline.resume() == 1
    await second.worker.drain_once()
    assert len(memory.sent) == 1


async def test_outbox_retries_until_the_channel_accepts(runtime: Runtime, memory: MemoryChannel) -> None:
    memory.fail_sends = 1
    await runtime.pipeline.receive(memory.message(SIMPLE))
    await runtime.worker.drain_once()
    assert not memory.sent
    runtime.store.run(lambda db: db.execute("UPDATE outbox SET next_attempt_at = '2000-01-01'"))
    await runtime.worker.drain_once()
    assert len(memory.sent) == 1
    assert runtime.store.run(outbox.pending_count) == 0


async def test_outbox_survives_a_restart(runtime_factory) -> None:
    first = runtime_factory()
    memory = MemoryChannel()
    await first.pipeline.receive(memory.message(SIMPLE))
    first.close()
    second = runtime_factory()
    second.add_channel(memory)
    task = asyncio.create_task(second.worker.run())
    for _ in range(50):
        if memory.sent:
            break
        await asyncio.sleep(0.02)
    task.cancel()
    assert len(memory.sent) == 1


async def test_a_reply_that_went_out_before_a_shutdown_is_not_sent_again(runtime: Runtime) -> None:
    class SlowSecond(MemoryChannel):
        """Sends the first reply at once and hangs on the second, as a stuck server would."""

        async def send(self, reply):  # type: ignore[no-untyped-def]
            if self.sent:
                await asyncio.sleep(3600)
            return await super().send(reply)

    slow = SlowSecond()
    runtime.add_channel(slow)
    await runtime.pipeline.receive(slow.message(SIMPLE, sender="a"))
    await runtime.pipeline.receive(slow.message(SIMPLE, sender="b"))
    drain = asyncio.create_task(runtime.worker.drain_once())
    while not slow.sent:
        await asyncio.sleep(0.01)
    drain.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await drain
    runtime.store.run(outbox.recover)  # what a restart does with rows left 'sending'
    statuses = runtime.store.run(lambda db: sorted(r[0] for r in db.execute("SELECT status FROM outbox")))
    assert statuses == ["pending", "sent"]


async def test_every_decision_is_kept_beside_the_message(runtime: Runtime, memory: MemoryChannel) -> None:
    outcome = await _deliver(runtime, memory, SIMPLE)
    rows = runtime.store.run(threads.messages_of, outcome.thread_id)
    inbound = [r for r in rows if r["direction"] == "in"][0]
    assert inbound["entry_id"] == outcome.decision.entry_id and '"reasons"' in inbound["decision"]


async def test_closed_case_asks_for_satisfaction_and_records_the_answer(runtime: Runtime, memory: MemoryChannel) -> None:
    from escalation import service_goals
    escalated = await _deliver(runtime, memory, COMPLEX)
    runtime.store.run(cases.close, escalated.case_id, "answered", "staff:1")
    runtime.store.run(service_goals.ask_satisfaction, escalated.case_id)
    await runtime.worker.drain_once()
    assert "Hvor tilfreds er du med samarbejdet?" in memory.sent[-1].text
    outcome = await _deliver(runtime, memory, "5")
    assert outcome.reason == "satisfaction 5"
    assert runtime.store.run(cases.get, escalated.case_id)["satisfaction"] == 5
    stats = runtime.store.run(service_goals.statistics)
    assert stats["satisfied_share"] == 1.0 and stats["cases"] == 1


async def test_a_message_on_a_closed_case_reopens_it(runtime: Runtime, memory: MemoryChannel) -> None:
    escalated = await _deliver(runtime, memory, COMPLEX)
    runtime.store.run(cases.close, escalated.case_id, "answered", "staff:1")
    outcome = await _deliver(runtime, memory, "Vi har et opfølgende spørgsmål om grunden.")
    assert outcome.status == "attached"
    assert runtime.store.run(cases.get, escalated.case_id)["status"] == "open"


async def test_deadline_reminder_and_breach_are_recorded_once(runtime: Runtime, memory: MemoryChannel) -> None:
    from escalation import service_goals
    escalated = await _deliver(runtime, memory, COMPLEX)
    deadline = date.fromisoformat(runtime.store.run(cases.get, escalated.case_id)["deadline"])
    assert runtime.store.run(service_goals.check_deadlines, deadline) == {"reminded": 1, "breached": 0}
    late = date(deadline.year + 1, 1, 10)
    assert runtime.store.run(service_goals.check_deadlines, late) == {"reminded": 0, "breached": 1}
    assert runtime.store.run(service_goals.check_deadlines, late) == {"reminded": 0, "breached": 0}


async def test_the_running_bot_records_an_overdue_case_without_anyone_asking(
        runtime: Runtime, memory: MemoryChannel) -> None:
    escalated = await _deliver(runtime, memory, COMPLEX)
    runtime.store.run(lambda db: db["cases"].update(escalated.case_id, {"deadline": "2020-01-06"}))
    running = asyncio.create_task(runtime.run())
    try:
        for _ in range(200):
            kinds = runtime.store.run(lambda db: [r[0] for r in db.execute(
                "SELECT kind FROM events WHERE case_id = ?", [escalated.case_id])])
            if "deadline_breached" in kinds:
                break
            await asyncio.sleep(0.01)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert "deadline_breached" in kinds
