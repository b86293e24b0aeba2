"""Deadline notices: the contact person is mailed a working day before a case's deadline and
again when it has passed, through the outbox and a real SMTP server (aiosmtpd on loopback).

Cases are opened through the pipeline by a business on the chat (the memory channel) or by
email; the hourly check is run with ``today=`` instead of waiting for the days to pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot import outbox, threads
from bot.channels.email.channel import EmailChannel
from bot.channels.memory import MemoryChannel
from bot.config import EmailSettings, WebSettings
from bot.runtime import Runtime
from bot.types import Message
from bot.web.staff import queries
from escalation import cases, notices, staff
from tests.conftest import make_settings
from tests.servers.smtp import SmtpServer, smtp_server  # noqa: F401
from tests.test_pipeline import COMPLEX

ADDRESS = "erhverv@eksempel.dk"
WORKSPACE = "https://indgang.eksempel.dk"
KAREN, TOM = "karen@eksempel.dk", "tom@eksempel.dk"
FRIDAY = date(2026, 11, 27)  # the deadline in most tests
THURSDAY, MONDAY, TUESDAY = date(2026, 11, 26), date(2026, 11, 30), date(2026, 12, 1)

Sent = list[tuple[list[str], EmailMessage]]


@pytest.fixture
async def mailing(runtime_factory: Callable[..., Runtime], tmp_path: Path,
                  smtp_server: SmtpServer) -> AsyncIterator[Runtime]:
    """Indgang with an email channel sending to aiosmtpd, the chat for businesses, and two
    colleagues in Byggesag: Karen (Danish) with Tom (English) as her deputy."""
    email = EmailSettings(address=ADDRESS, smtp_host=smtp_server.host, smtp_port=smtp_server.port,
                          smtp_security="none")
    runtime = runtime_factory(make_settings(tmp_path, email=email, web=WebSettings(public_url=WORKSPACE)))
    runtime.add_channel(MemoryChannel())
    channel = EmailChannel(email, runtime.store, timeout=3.0)
    runtime.add_channel(channel)
    add_colleagues(runtime)
    yield runtime
    await channel.close()


def add_colleagues(runtime: Runtime) -> None:
    runtime.store.run(staff.add, "Karen Byg", KAREN, ["Byggesag"])
    runtime.store.run(staff.add, "Tom Hansen", TOM, ["Byggesag"], lang="en")
    runtime.store.run(staff.set_deputy, KAREN, TOM)


async def open_case(runtime: Runtime, contact: str | None = KAREN, deadline: date = FRIDAY,
                    message: Message | None = None) -> dict:
    """A business's inquiry escalated to a case with ``contact`` as contact person, acknowledged."""
    memory: MemoryChannel = runtime.channels["memory"]  # type: ignore[assignment]
    outcome = await runtime.pipeline.receive(message or memory.message(COMPLEX))
    await runtime.worker.drain_once()
    contact_id = runtime.store.run(staff.by_email, contact)["id"] if contact else None
    runtime.store.run(cases.reassign, outcome.case_id, "staff:1", staff_id=contact_id)
    runtime.store.run(lambda db: db["cases"].update(outcome.case_id, {"deadline": deadline.isoformat()}))
    return runtime.store.run(cases.get, outcome.case_id)


async def hourly_check(runtime: Runtime, smtp: SmtpServer, today: date) -> Sent:
    """Run the running bot's hourly check on ``today`` and send what it queued; the mails that arrived."""
    before = len(smtp.received)
    await runtime.check_deadlines(today)
    await runtime.worker.drain_once()
    return [(envelope.rcpt_tos, mail) for envelope, mail in smtp.received[before:]]


def body(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def notice_rows(runtime: Runtime) -> list[tuple[str, str]]:
    return runtime.store.run(lambda db: db.execute(
        "SELECT recipient, subject FROM outbox WHERE message_id IS NULL ORDER BY id").fetchall())


# --- who is told what, and when -----------------------------------------------------------


async def test_contact_person_is_reminded_in_danish_one_working_day_before_the_deadline(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    case = await open_case(mailing)
    assert await hourly_check(mailing, smtp_server, date(2026, 11, 25)) == []  # two working days before

    [(to, mail)] = await hourly_check(mailing, smtp_server, THURSDAY)

    assert to == [KAREN]
    assert mail["Subject"] == f"Påmindelse: sag {case['number']} skal besvares senest fredag den 27. november 2026"
    text = body(mail)
    assert text.startswith(f"Påmindelse: sag {case['number']} skal besvares senest fredag den 27. november 2026.")
    assert f"Afdeling: {case['department']}" in text
    assert f"Åbn sagen: {WORKSPACE}/staff/threads/{case['thread_id']}" in text
    assert mail["Content-Language"] == "da" and ADDRESS in mail["From"]


async def test_contact_person_who_reads_english_is_reminded_in_english(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    case = await open_case(mailing, contact=TOM)

    [(to, mail)] = await hourly_check(mailing, smtp_server, THURSDAY)

    assert to == [TOM]
    assert mail["Subject"] == f"Reminder: case {case['number']} must be answered by Friday 27 November 2026"
    assert f"Department: {case['department']}" in body(mail) and "Påmindelse" not in body(mail)
    assert mail["Content-Language"] == "en"


async def test_over_easter_the_reminder_comes_on_the_last_working_day_before_the_deadline(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    await open_case(mailing, deadline=date(2027, 3, 30))  # the Tuesday after Easter Monday 2027

    assert await hourly_check(mailing, smtp_server, date(2027, 3, 23)) == []
    [(to, mail)] = await hourly_check(mailing, smtp_server, date(2027, 3, 24))  # Wednesday before Maundy Thursday

    assert to == [KAREN] and "tirsdag den 30. marts 2027" in mail["Subject"]


async def test_breach_notice_reaches_the_contact_person_and_the_deputy_each_in_their_language(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    case = await open_case(mailing)

    sent = dict((to[0], mail) for to, mail in await hourly_check(mailing, smtp_server, MONDAY))

    assert sorted(sent) == [KAREN, TOM]
    assert sent[KAREN]["Subject"] == f"Fristen er overskredet: sag {case['number']}"
    assert "skulle have været besvaret senest fredag den 27. november 2026" in body(sent[KAREN])
    assert sent[TOM]["Subject"] == f"Deadline passed: case {case['number']}"
    assert "as deputy for the case's contact person" in body(sent[TOM])


async def test_each_notice_is_sent_once_however_often_the_hourly_check_runs(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    await open_case(mailing)

    days = [THURSDAY, THURSDAY, FRIDAY, MONDAY, MONDAY, TUESDAY, date(2026, 12, 14)]
    received = [len(await hourly_check(mailing, smtp_server, day)) for day in days]

    assert received == [1, 0, 0, 2, 0, 0, 0]
    assert [to for to, _ in notice_rows(mailing)] == [KAREN, KAREN, TOM]


async def test_reminder_goes_to_the_deputy_while_the_contact_person_is_away(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    mailing.store.run(staff.set_absence, KAREN, date(2026, 11, 23), date(2026, 11, 27))
    await open_case(mailing)

    [(to, mail)] = await hourly_check(mailing, smtp_server, THURSDAY)

    assert to == [TOM]
    assert "as deputy, because the case's contact person is away" in body(mail)


async def test_absent_contact_person_without_a_deputy_still_gets_the_reminder(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    mailing.store.run(staff.set_deputy, KAREN, None)
    mailing.store.run(staff.set_absence, KAREN, date(2026, 11, 23), date(2026, 11, 27))
    await open_case(mailing)

    [(to, _)] = await hourly_check(mailing, smtp_server, THURSDAY)

    assert to == [KAREN]


async def test_case_without_a_contact_person_is_recorded_but_mails_nobody(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    case = await open_case(mailing, contact=None)

    assert await hourly_check(mailing, smtp_server, THURSDAY) == []
    assert await hourly_check(mailing, smtp_server, MONDAY) == []

    kinds = mailing.store.run(lambda db: [r[0] for r in db.execute(
        "SELECT kind FROM events WHERE case_id = ? AND kind LIKE 'deadline%' ORDER BY id", [case["id"]])])
    assert kinds == ["deadline_near", "deadline_breached"] and notice_rows(mailing) == []


async def test_a_notice_queued_while_the_mail_server_is_down_goes_out_once_it_is_back(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    await open_case(mailing)
    await smtp_server.stop()
    worker = asyncio.create_task(mailing.worker.run())
    try:
        await mailing.check_deadlines(THURSDAY)
        for _ in range(100):
            if mailing.store.run(lambda db: db.execute("SELECT attempts FROM outbox WHERE attempts > 0").fetchall()):
                break
            await asyncio.sleep(0.05)
        await smtp_server.start()
        [(envelope, _)] = await smtp_server.wait_for(1)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)

    assert envelope.rcpt_tos == [KAREN]
    assert mailing.store.run(lambda db: db.execute(
        "SELECT status FROM outbox WHERE message_id IS NULL").fetchall()) == [("sent",)]


# --- the business never sees a notice -------------------------------------------------------


async def test_a_notice_never_shows_in_the_businesss_chat_or_thread(mailing: Runtime, smtp_server: SmtpServer) -> None:
    memory: MemoryChannel = mailing.channels["memory"]  # type: ignore[assignment]
    case = await open_case(mailing)
    before = mailing.store.run(queries.thread_view, case["thread_id"])

    [(_, mail)] = await hourly_check(mailing, smtp_server, THURSDAY)

    assert len(memory.sent) == 1 and "Vi har modtaget din henvendelse" in memory.sent[0].text
    view = mailing.store.run(queries.thread_view, case["thread_id"])
    assert view["messages"] == before["messages"]
    assert "Påmindelse" not in " ".join(m["text"] for m in view["messages"])
    kinds = [event["kind"] for event in view["events"]]
    assert "deadline_near" in kinds and "notice_sent" in kinds
    assert [e["detail"]["notified"] for e in view["events"] if e["kind"] == "deadline_near"] == [[KAREN]]
    assert "fabrik" not in body(mail)  # nothing of the inquiry itself


async def test_a_notice_about_an_email_case_is_not_threaded_into_the_businesss_mail(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    inquiry = Message(channel="email", sender="anna@firma.dk", sender_name="Anna Holm", subject="Ny fabrik",
                      text=COMPLEX, full_text=COMPLEX, source_id="q1@firma.dk")
    case = await open_case(mailing, message=inquiry)
    [(to, acknowledgement)] = smtp_server.received
    assert to.rcpt_tos == ["anna@firma.dk"]

    [(to, notice)] = await hourly_check(mailing, smtp_server, THURSDAY)

    assert to == [KAREN]
    assert notice["In-Reply-To"] is None and notice["References"] is None
    assert notice["Auto-Submitted"] == "auto-generated" and acknowledgement["Auto-Submitted"] == "auto-replied"
    assert "Ny fabrik" not in notice["Subject"] and "[Sag" not in notice["Subject"]
    assert threads.case_number_in(notice["Subject"]) is None  # a colleague's answer to it opens no door to the case
    ids = mailing.store.run(threads.email_ids_of, case["thread_id"])
    assert notice["Message-ID"].strip("<>") not in ids  # the business's next reply will not reference it
    assert "anna@firma.dk" not in body(notice) and "Anna" not in body(notice)


async def test_a_colleague_answering_a_notice_gets_no_bot_reply_and_opens_no_case(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    await open_case(mailing)
    [(_, notice)] = await hourly_check(mailing, smtp_server, THURSDAY)
    cases_before = mailing.store.run(lambda db: db.execute("SELECT count(*) FROM cases").fetchone()[0])
    sent_before = len(smtp_server.received)

    answer = Message(channel="email", sender=KAREN, subject=f"SV: {notice['Subject']}",
                     text="Tak, jeg er på den og svarer virksomheden i dag.", source_id="sv1@eksempel.dk",
                     in_reply_to=notice["Message-ID"].strip("<>"))
    outcome = await mailing.pipeline.receive(answer)
    await mailing.worker.drain_once()

    assert outcome.status == "ignored" and "deadline notice" in outcome.reason
    assert len(smtp_server.received) == sent_before
    assert mailing.store.run(lambda db: db.execute("SELECT count(*) FROM cases").fetchone()[0]) == cases_before


async def test_a_notice_does_not_count_against_the_hourly_limit_on_automatic_replies(
        mailing: Runtime, smtp_server: SmtpServer) -> None:
    inquiry = Message(channel="email", sender="anna@firma.dk", subject="Ny fabrik", text=COMPLEX,
                      full_text=COMPLEX, source_id="q2@firma.dk")
    await open_case(mailing, message=inquiry)

    await hourly_check(mailing, smtp_server, MONDAY)

    assert mailing.store.run(outbox.recent_automatic, "anna@firma.dk") == 1  # the acknowledgement
    assert mailing.store.run(outbox.recent_automatic, KAREN) == 0
    assert mailing.store.run(outbox.recent_automatic, TOM) == 0


# --- without an email channel ----------------------------------------------------------------


async def test_without_an_email_channel_the_deadline_is_recorded_and_nothing_is_queued(
        runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    add_colleagues(runtime)
    case = await open_case(runtime)
    queued = runtime.store.run(outbox.pending_count)

    with caplog.at_level(logging.INFO, logger="bot.runtime"):
        assert await runtime.check_deadlines(THURSDAY) == {"reminded": 1, "breached": 0}

    assert notice_rows(runtime) == [] and runtime.store.run(outbox.pending_count) == queued
    assert runtime.store.run(lambda db: db.execute(
        "SELECT count(*) FROM events WHERE case_id = ? AND kind = 'deadline_near'", [case["id"]]).fetchone()[0]) == 1
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.runtime"]
    assert "reminders are not mailed without an email channel" in line


def test_without_a_public_address_the_notice_says_where_to_find_the_case() -> None:
    case = {"number": "2026-0012", "deadline": "2026-11-27", "department": "Byggesag"}

    danish = notices.compose(notices.REMINDER, case, "da")
    english = notices.compose(notices.BREACH, case, "en")

    assert "Find sagen under sagsnummeret i medarbejderområdet." in danish.text and "http" not in danish.text
    assert "Find the case by its number in the staff workspace." in english.text
