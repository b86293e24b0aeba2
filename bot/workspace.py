"""What a member of staff does with a case: the library the staff pages are thin shells over.

Every action is recorded in the event log with ``actor="staff:<id>"``, so the thread
shows who did what and when. Two promises to businesses are enforced here rather than
in the web layer: once a person takes a thread the bot stays quiet on it, and a refusal
is never sent without an offer of dialogue ("intet afslag uden dialog").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from bot import events, outbox, threads
from bot.errors import UserError
from bot.store import transaction
from escalation import cases, service_goals, texts

Staff = Mapping[str, Any]

# A refusal must invite the business to talk about alternatives; these words show it does.
DIALOGUE_RE = re.compile(
    r"dialog|møde|mødes|drøfte|drøftelse|tale om|snakke|alternativ|ring til|kontakt (mig|os)|"
    r"dialogue|meeting|meet|discuss|talk|alternative|call (me|us)|contact (me|us)", re.I)

FIVE_DAY_LABELS = {
    "da": ("Din kontaktperson", "Tilladelser, der skal til", "Forløb og forventet tid", "Omkostninger"),
    "en": ("Your contact person", "Permits needed", "Process and expected time", "Costs"),
}


def actor_of(member: Staff) -> str:
    return f"staff:{member['id']}"


def _thread(db: Database, thread_id: int) -> dict[str, Any]:
    thread = threads.get_thread(db, thread_id)
    if thread is None:
        raise UserError(f"no thread with id {thread_id}")
    return thread


def take_over(db: Database, thread_id: int, member: Staff) -> None:
    """A person owns the thread from now on; the pipeline attaches new messages instead of answering."""
    with transaction(db):
        _thread(db, thread_id)
        threads.touch(db, thread_id, owner="staff", owner_id=member["id"])
        case = cases.of_thread(db, thread_id)
        events.record(db, "taken_over", thread_id, actor=actor_of(member), case_id=case["id"] if case else None,
                      staff=member["name"])
        if case and case["assignee_id"] != member["id"]:
            cases.reassign(db, case["id"], actor_of(member), staff_id=member["id"])


def reply(db: Database, thread_id: int, member: Staff, text: str, domain: str = "indgang.local") -> int:
    """Queue a person's answer on the thread's own channel (threaded for email); returns the outbox id."""
    text = text.strip()
    if not text:
        raise UserError("an empty reply cannot be sent")
    with transaction(db):
        thread = _thread(db, thread_id)
        if thread["owner"] != "staff":
            take_over(db, thread_id, member)
            thread = _thread(db, thread_id)
        case = cases.of_thread(db, thread_id)
        subject = texts.subject_for(thread["subject"], case["number"] if case else None, thread["lang"])
        outbox_id = outbox.enqueue(db, thread, text, author=actor_of(member), automatic=False,
                                   subject=subject, domain=domain)
        if case:
            cases.mark_answered(db, case["id"])
        events.record(db, "staff_reply", thread_id, actor=actor_of(member), case_id=case["id"] if case else None,
                      outbox_id=outbox_id)
    return outbox_id


def note(db: Database, thread_id: int, member: Staff, text: str) -> int:
    """An internal note: stored on the thread for colleagues, never queued for the business."""
    text = text.strip()
    if not text:
        raise UserError("an empty note cannot be saved")
    with transaction(db):
        thread = _thread(db, thread_id)
        message_id = threads.store_outbound(db, thread_id, thread["channel"], text, actor_of(member),
                                            direction="note")
        case = cases.of_thread(db, thread_id)
        events.record(db, "note", thread_id, actor=actor_of(member), case_id=case["id"] if case else None,
                      message_id=message_id)
    return message_id


def reassign(db: Database, case_id: int, member: Staff, staff_id: int | None = None,
             department: str | None = None) -> None:
    if staff_id is None and not department:
        raise UserError("choose a person or a department")
    cases.reassign(db, case_id, actor_of(member), staff_id=staff_id, department=department or None)


def set_phase(db: Database, case_id: int, member: Staff, phase: str) -> None:
    cases.set_phase(db, case_id, phase, actor_of(member))


def set_complexity(db: Database, case_id: int, member: Staff, complexity: str) -> None:
    cases.set_complexity(db, case_id, complexity, actor_of(member))


def offers_dialogue(message: str) -> bool:
    return bool(DIALOGUE_RE.search(message or ""))


def close_case(db: Database, case_id: int, member: Staff, outcome: str, message: str = "",
               dialogue_offered: bool = False, domain: str = "indgang.local") -> None:
    """Close with an outcome; a refusal needs a message to the business that offers dialogue.

    For a refusal both must hold: the staff member confirms the offer (``dialogue_offered``)
    and the message itself mentions dialogue, a meeting or alternatives.
    """
    if outcome == "refused":
        if not message.strip():
            raise UserError("Intet afslag uden dialog: skriv en besked til virksomheden med et tilbud om dialog.")
        if not dialogue_offered or not offers_dialogue(message):
            raise UserError("Intet afslag uden dialog: beskeden skal tilbyde dialog om alternativer "
                            "(fx et møde), og det skal bekræftes i afkrydsningsfeltet.")
    with transaction(db):
        case = cases.get(db, case_id)
        if message.strip():
            reply(db, case["thread_id"], member, message, domain)
        cases.close(db, case_id, outcome, actor_of(member))
        service_goals.ask_satisfaction(db, case_id)  # "Hvor tilfreds er du med samarbejdet?"


def reopen(db: Database, case_id: int, member: Staff) -> None:
    cases.reopen(db, case_id, actor_of(member))


def five_day_text(lang: str, contact_person: str, permits: str, process: str, costs: str,
                  case_number: str | None = None, municipality: str = "") -> str:
    """The "5 dages svarservice" answer as one clear message in the thread's language."""
    labels = FIVE_DAY_LABELS["en" if lang == "en" else "da"]
    if lang == "en":
        intro = f"Here is the overview of your case{f' {case_number}' if case_number else ''}."
        outro = "Write to us or call your contact person if you have questions along the way."
        sign = f"Kind regards\nErhvervsservice{f', {municipality}' if municipality else ''}"
    else:
        intro = f"Her er overblikket over din sag{f' {case_number}' if case_number else ''}."
        outro = "Skriv eller ring til din kontaktperson, hvis du har spørgsmål undervejs."
        sign = f"Med venlig hilsen\nErhvervsservice{f', {municipality}' if municipality else ''}"
    parts = [f"{label}:\n{value.strip()}" for label, value in zip(labels, (contact_person, permits, process, costs), strict=True)]
    return "\n\n".join([intro, *parts, outro, sign])


def five_day_answer(db: Database, thread_id: int, member: Staff, contact_person: str, permits: str,
                    process: str, costs: str, municipality: str = "", domain: str = "indgang.local") -> int:
    if not all(v.strip() for v in (contact_person, permits, process, costs)):
        raise UserError("5-dages-svaret skal have kontaktperson, tilladelser, forløb og omkostninger")
    with transaction(db):
        thread = _thread(db, thread_id)
        case = cases.of_thread(db, thread_id)
        text = five_day_text(thread["lang"], contact_person, permits, process, costs,
                             case["number"] if case else None, municipality)
        outbox_id = reply(db, thread_id, member, text, domain)
        events.record(db, "five_day_answer", thread_id, actor=actor_of(member), case_id=case["id"] if case else None,
                      outbox_id=outbox_id)
    return outbox_id
