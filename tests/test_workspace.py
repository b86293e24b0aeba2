"""What staff actions do to a case, and how curation grows the knowledge base (no browser)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot import curation, events, workspace
from bot.channels.memory import MemoryChannel
from bot.errors import UserError
from bot.runtime import Runtime
from bot.types import Outcome
from bot.web.staff.entries import save_entry
from escalation import cases, staff
from knowledge import entries as kb
from tests.servers.staff import run_async

ESCALATED_SIMPLE = "Kan jeg leje en kano af kommunen?"
COMPLEX = "Vi vil flytte hele vores virksomhed til kommunen"


@pytest.fixture
def mette(runtime: Runtime) -> dict[str, Any]:
    return runtime.store.run(staff.add, "Mette Holm", "mette@kommune.dk", ["Erhvervsservice"], "admin")


@pytest.fixture
def lars(runtime: Runtime) -> dict[str, Any]:
    return runtime.store.run(staff.add, "Lars Byg", "lars@kommune.dk", ["Byggesag"])


def ask(runtime: Runtime, memory: MemoryChannel, text: str, sender: str = "business-1") -> Outcome:
    """Through the whole pipeline, as a channel would hand it over."""
    return run_async(lambda: runtime.pipeline.receive(memory.message(text, sender=sender)))


def outbox_rows(runtime: Runtime, thread_id: int) -> list[dict[str, Any]]:
    return runtime.store.run(lambda db: list(db["outbox"].rows_where("thread_id = ?", [thread_id], order_by="id")))


def event_kinds(runtime: Runtime, thread_id: int, actor: str) -> list[str]:
    return [e["kind"] for e in runtime.store.run(events.of_thread, thread_id) if e["actor"] == actor]


def test_after_take_over_the_bot_never_answers_on_the_thread(runtime, memory, mette):
    first = ask(runtime, memory, "Hvordan søger jeg om udeservering?")
    assert first.status == "answered"
    runtime.store.run(workspace.take_over, first.thread_id, mette)
    again = ask(runtime, memory, "Hvordan søger jeg om udeservering?")
    assert again.status == "attached" and again.thread_id == first.thread_id
    assert again.replies == ()
    thread = runtime.store.run(lambda db: db["threads"].get(first.thread_id))
    assert (thread["owner"], thread["owner_id"]) == ("staff", mette["id"])
    assert "taken_over" in event_kinds(runtime, first.thread_id, f"staff:{mette['id']}")


def test_staff_reply_goes_out_on_the_threads_channel_as_a_person(runtime, memory, mette):
    outcome = ask(runtime, memory, COMPLEX)
    runtime.store.run(workspace.reply, outcome.thread_id, mette, "Lad os tage et møde i næste uge.")
    row = outbox_rows(runtime, outcome.thread_id)[-1]
    assert (row["channel"], row["automatic"], row["text"]) == ("memory", 0, "Lad os tage et møde i næste uge.")
    run_async(runtime.worker.drain_once)
    assert memory.sent[-1].automatic is False and memory.sent[-1].text.startswith("Lad os")
    case = runtime.store.run(cases.get, outcome.case_id)
    assert case["answered_at"] and case["assignee_id"] == mette["id"]


def test_internal_note_is_never_queued(runtime, memory, mette):
    outcome = ask(runtime, memory, COMPLEX)
    before = len(outbox_rows(runtime, outcome.thread_id))
    runtime.store.run(workspace.note, outcome.thread_id, mette, "Ring til Byggesag først")
    assert len(outbox_rows(runtime, outcome.thread_id)) == before
    notes = runtime.store.run(lambda db: list(db["messages"].rows_where("direction = 'note'")))
    assert [n["text"] for n in notes] == ["Ring til Byggesag først"]


def test_a_refusal_without_an_offer_of_dialogue_is_refused(runtime, memory, mette):
    outcome = ask(runtime, memory, COMPLEX)
    for message, confirmed in (("", True), ("Det kan desværre ikke lade sig gøre.", True),
                               ("Vi vil gerne mødes og drøfte alternativer.", False)):
        with pytest.raises(UserError, match="Intet afslag uden dialog"):
            runtime.store.run(workspace.close_case, outcome.case_id, mette, "refused", message, confirmed)
    assert runtime.store.run(cases.get, outcome.case_id)["status"] == "open"
    runtime.store.run(workspace.close_case, outcome.case_id, mette, "refused",
                      "Det kan ikke godkendes som søgt, men vi vil gerne mødes og drøfte alternativer.", True)
    case = runtime.store.run(cases.get, outcome.case_id)
    assert (case["status"], case["outcome"]) == ("closed", "refused")
    closing, survey = outbox_rows(runtime, outcome.thread_id)[-2:]
    assert "drøfte alternativer" in closing["text"]
    assert "Hvor tilfreds er du med samarbejdet?" in survey["text"]


def test_case_actions_are_recorded_with_who_did_them(runtime, memory, mette, lars):
    outcome = ask(runtime, memory, COMPLEX)
    case_id = outcome.case_id
    runtime.store.run(workspace.reassign, case_id, mette, lars["id"])
    runtime.store.run(workspace.reassign, case_id, mette, None, "Byplan")
    runtime.store.run(workspace.set_phase, case_id, mette, "case_processing")
    runtime.store.run(workspace.set_complexity, case_id, mette, "medium")
    runtime.store.run(workspace.close_case, case_id, mette, "answered")
    runtime.store.run(workspace.reopen, case_id, mette)
    kinds = event_kinds(runtime, outcome.thread_id, f"staff:{mette['id']}")
    assert kinds == ["reassigned", "reassigned", "phase", "complexity", "closed", "reopened"]
    case = runtime.store.run(cases.get, case_id)
    assert (case["department"], case["phase"], case["complexity"], case["status"]) == \
        ("Byplan", "case_processing", "medium", "open")


def test_five_day_answer_is_one_structured_message_in_the_threads_language(runtime, memory, mette):
    outcome = ask(runtime, memory, "We want to move our whole company and factory to the municipality")
    runtime.store.run(lambda db: db["threads"].update(outcome.thread_id, {"lang": "en"}))
    runtime.store.run(workspace.five_day_answer, outcome.thread_id, mette, "Mette Holm, Erhvervsservice",
                      "Building permit and a discharge permit", "About 8 weeks in three steps", "DKK 4,500")
    text = outbox_rows(runtime, outcome.thread_id)[-1]["text"]
    for label in ("Your contact person:", "Permits needed:", "Process and expected time:", "Costs:"):
        assert label in text
    assert "five_day_answer" in event_kinds(runtime, outcome.thread_id, f"staff:{mette['id']}")


def test_unanswered_simple_inquiries_are_grouped_by_wording(runtime, memory):
    ask(runtime, memory, ESCALATED_SIMPLE, sender="a")
    ask(runtime, memory, "Kan man leje kano hos kommunen?", sender="b")
    ask(runtime, memory, "Hvem ejer flagstængerne på torvet?", sender="c")
    ask(runtime, memory, COMPLEX, sender="d")
    groups = curation.group_similar(runtime.store.run(curation.unanswered))
    assert [len(g.inquiries) for g in groups] == [2, 1]
    assert "kano" in groups[0].texts[0]
    decided = runtime.knowledge.decide(groups[0].texts[0], runtime.settings).department
    assert groups[0].department == decided  # the department triage routed them to, for the new entry


def test_an_added_phrasing_leaves_the_unanswered_list(runtime, memory):
    ask(runtime, memory, ESCALATED_SIMPLE)
    runtime.store.run(curation.add_phrasing, "stadeplads-torvedage", ESCALATED_SIMPLE, "staff:1")
    assert runtime.store.run(curation.unanswered) == []
    assert ESCALATED_SIMPLE in runtime.store.run(kb.get, "stadeplads-torvedage").questions


def test_an_edited_entry_answers_the_next_inquiry_at_once(runtime, memory):
    assert runtime.knowledge.decide(ESCALATED_SIMPLE, runtime.settings).action == "escalate"
    draft = curation.draft_from_texts([ESCALATED_SIMPLE, "Udlejer kommunen kanoer?"], "Kultur og Events",
                                      "Kommunen udlejer ikke kanoer; spørg den lokale kajakklub.")
    data = {**draft, "id": "kano-udlejning", "title": "Leje af kano"}
    runtime.store.run(save_entry, runtime, data, "staff:1", True)
    decision = runtime.knowledge.decide(ESCALATED_SIMPLE, runtime.settings)
    assert (decision.action, decision.entry_id) == ("answer", "kano-udlejning")
    outcome = ask(runtime, memory, ESCALATED_SIMPLE, sender="new-business")
    assert outcome.status == "answered"
    retired = replace(runtime.store.run(kb.get, "kano-udlejning"), active=False)
    runtime.store.run(save_entry, runtime, {**kb.entry_to_dict(retired)}, "staff:1", False)
    assert runtime.knowledge.decide(ESCALATED_SIMPLE, runtime.settings).entry_id != "kano-udlejning"
    assert [h["action"] for h in runtime.store.run(kb.history, "kano-udlejning")] == ["updated", "created"]


def test_entry_stats_count_answers_and_unsatisfied_returns(runtime, memory):
    first = ask(runtime, memory, "Hvordan søger jeg om udeservering?", sender="x")
    ask(runtime, memory, "Det svarede slet ikke på mit spørgsmål", sender="x")
    ask(runtime, memory, "Hvordan søger jeg om udeservering?", sender="y")
    stats = runtime.store.run(curation.entry_stats)[first.decision.entry_id]
    assert stats == {"answered": 2, "unsatisfied": 1}


def test_a_person_s_answer_to_a_simple_question_drafts_an_entry(runtime, memory, mette):
    outcome = ask(runtime, memory, ESCALATED_SIMPLE)
    runtime.store.run(workspace.reply, outcome.thread_id, mette, "Nej, men kajakklubben udlejer.")
    draft = runtime.store.run(curation.draft_from_thread, outcome.thread_id)
    assert draft["questions"] == [ESCALATED_SIMPLE]
    routed = runtime.store.run(lambda db: db.execute("SELECT department FROM cases WHERE thread_id = ?",
                                                     [outcome.thread_id]).fetchone()[0])
    assert draft["answer"] == "Nej, men kajakklubben udlejer." and draft["department"] == routed
