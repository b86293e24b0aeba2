# ruff: noqa: F811  (pytest fixtures imported from tests/servers are parameters here)
"""The email channel against real servers: Dovecot delivers by IMAP, aiosmtpd receives our replies.

Mail "arrives" by IMAP APPEND from the test, as a mail server would deliver it. Intervals
are short (re-IDLE after 5 s, poll every 0.2 s, reconnect within 0.3 s) so that the
whole file stays fast; Dovecot's own IDLE notification takes about half a second.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.channels.email.channel import EmailChannel
from bot.channels.email.imap import Cursor, cursor_key, load_cursor, save_cursor
from bot.config import EmailSettings
from bot.runtime import Runtime
from bot.types import Message, Outcome, Reply
from escalation import staff, texts
from tests.conftest import make_settings
from tests.servers.dovecot import DovecotServer, dovecot, dovecot_no_idle, dovecot_tls  # noqa: F401
from tests.servers.smtp import SmtpServer, smtp_server  # noqa: F401

pytestmark = pytest.mark.slow

MAIL = Path(__file__).parent / "data" / "mail"
ADDRESS = "erhverv@eksempel.dk"
FAST = {"idle_seconds": 5.0, "poll_seconds": 0.2, "reconnect_max": 0.3, "timeout": 3.0}
T = TypeVar("T")


def mail_file(name: str) -> bytes:
    return (MAIL / name).read_bytes()


def mail(subject: str, body: str, *, sender: str = "anna@firma.dk", message_id: str = "",
         in_reply_to: str = "", **headers: str) -> bytes:
    """A plain Danish mail as a business would send it."""
    msg = EmailMessage()
    msg["From"] = f"Anna Holm <{sender}>"
    msg["To"] = ADDRESS
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or f"<{abs(hash((subject, body)))}@firma.dk>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return bytes(msg)


class Indgang:
    """Indgang with only the email channel, started and killed like the real process."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.outcomes: list[Outcome] = []
        self.tasks: list[asyncio.Task[Any]] = []
        self.channel: EmailChannel | None = None

    async def start(self, inbox: Callable[[Message], Awaitable[Outcome]] | None = None, **options: Any) -> None:
        self.channel = EmailChannel(self.runtime.settings.email, self.runtime.store, **{**FAST, **options})
        self.runtime.add_channel(self.channel)
        self.tasks = [asyncio.create_task(self.channel.run(inbox or self.receive)),
                      asyncio.create_task(self.runtime.worker.run())]
        await asyncio.wait_for(self.channel.connected.wait(), 10)

    async def receive(self, message: Message) -> Outcome:
        outcome = await self.runtime.pipeline.receive(message)
        self.outcomes.append(outcome)
        return outcome

    async def kill(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.channel:
            await self.channel.close()

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.runtime.store.run(lambda db: db.execute(sql, list(params)).fetchall())


@pytest.fixture
async def make_indgang(runtime_factory: Callable[..., Runtime], tmp_path: Path,
                       smtp_server: SmtpServer) -> AsyncIterator[Callable[..., Indgang]]:
    started: list[Indgang] = []

    def factory(imap: DovecotServer, **email: Any) -> Indgang:
        settings = EmailSettings(**{
            "address": ADDRESS, "imap_host": imap.host, "imap_port": imap.port, "imap_security": "none",
            "imap_user": imap.user, "imap_password": imap.password, "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port, "smtp_security": "none", **email})
        started.append(Indgang(runtime_factory(make_settings(tmp_path, email=settings))))
        return started[-1]

    yield factory
    for indgang in started:
        await indgang.kill()


@pytest.fixture
async def indgang(dovecot: DovecotServer, make_indgang: Callable[..., Indgang]) -> Indgang:
    """Running with IDLE; Dovecot is requested first so that it outlives Indgang at teardown."""
    running = make_indgang(dovecot)
    await running.start()
    return running


async def eventually(check: Callable[[], T], timeout: float = 10.0) -> T:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not true within {timeout} s: {check}")
        await asyncio.sleep(0.05)
    return value


def body(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    return part.get_content()


# --- receiving and answering ------------------------------------------------------


async def test_simple_question_is_answered_in_its_thread_in_danish(indgang: Indgang, dovecot: DovecotServer,
                                                                   smtp_server: SmtpServer) -> None:
    dovecot.append(mail_file("plain_question_da.eml"))

    [(envelope, reply)] = await smtp_server.wait_for(1)

    assert envelope.rcpt_tos == ["mette@cafe-hjoernet.dk"]
    assert reply["In-Reply-To"] == "<CAF3plain.da.0001@mail.gmail.com>"
    assert "<CAF3plain.da.0001@mail.gmail.com>" in reply["References"]
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["Subject"] == "Re: Udeservering foran caféen"
    assert ADDRESS in reply["From"] and "Erhvervsservice" in reply["From"]
    assert "fortov" in body(reply).lower() and "Fik du svar på dit spørgsmål?" in body(reply)
    assert "Fik du svar" in body(reply, "html")
    assert indgang.outcomes[0].status == "answered"
    assert r"\Seen" in dovecot.flags(1)


async def test_question_in_english_is_answered_in_english(indgang: Indgang, dovecot: DovecotServer,
                                                          smtp_server: SmtpServer) -> None:
    dovecot.append(mail_file("plain_question_en.eml"))

    [(_, reply)] = await smtp_server.wait_for(1)

    assert reply["Content-Language"] == "en"
    text = body(reply)
    assert "Did this answer your question?" in text or "We have received your inquiry" in text
    assert "Vi har modtaget" not in text and "Fik du svar" not in text


async def test_case_is_acknowledged_with_number_contact_person_and_deadline(
        indgang: Indgang, dovecot: DovecotServer, smtp_server: SmtpServer) -> None:
    indgang.runtime.store.run(staff.add, "Karen Byg", "karen@eksempel.dk", ["Byggesag"])
    dovecot.append(mail("Ny produktionshal", "Vi vil bygge en ny produktionshal på 6000 m2 med oplag af "
                        "kemikalier og skal have miljøgodkendelse, lokalplan og byggetilladelse. Hvem hjælper os?"))

    [(_, reply)] = await smtp_server.wait_for(1)

    [(number, deadline)] = indgang.query("SELECT number, deadline FROM cases")
    text = body(reply)
    assert f"sag {number}" in text
    assert "Karen Byg" in text
    assert texts.format_date(date.fromisoformat(deadline), "da") in text
    assert reply["Subject"] == f"Re: Ny produktionshal [Sag {number}]"


async def test_html_only_and_windows_1252_mail_is_read_and_handled(indgang: Indgang, dovecot: DovecotServer,
                                                                   smtp_server: SmtpServer) -> None:
    dovecot.append(mail_file("html_newsletter_like_da.eml"))
    dovecot.append(mail_file("windows1252_question_da.eml"))

    await smtp_server.wait_for(2)

    stored = dict(indgang.query("SELECT source_id, text FROM messages WHERE direction = 'in'"))
    assert "Hvordan tilmelder vi os erhvervsaffald" in stored["newsletterlike.7788@groenttorvet.dk"]
    assert "<table" not in stored["newsletterlike.7788@groenttorvet.dk"]
    assert "frisørsalon på Østergade 7" in stored["win1252.0042@salon-aero.dk"]
    assert ("Børge Ærø", "Skilt på facaden – tilladelse?") in indgang.query("SELECT name, subject FROM threads")
    assert {o.status for o in indgang.outcomes} <= {"answered", "escalated"}


async def test_out_of_office_reply_and_bounce_get_no_answer(indgang: Indgang, dovecot: DovecotServer,
                                                            smtp_server: SmtpServer) -> None:
    dovecot.append(mail_file("odd/outlook_out_of_office_da.eml"))
    dovecot.append(mail_file("odd/bounce_dsn.eml"))
    dovecot.append(mail_file("plain_question_da.eml"))  # handled after the two above

    await smtp_server.wait_for(1)
    await asyncio.sleep(0.2)

    assert [o.status for o in indgang.outcomes] == ["ignored", "ignored", "answered"]
    reasons = [r[0] for r in indgang.query("SELECT detail FROM events WHERE kind = 'ignored' ORDER BY id")]
    assert "automatic message" in reasons[0] and "delivery status notification" in reasons[1]
    assert len(smtp_server.received) == 1


async def test_follow_up_joins_its_case_by_in_reply_to_and_by_case_number_in_subject(
        indgang: Indgang, dovecot: DovecotServer, smtp_server: SmtpServer) -> None:
    dovecot.append(mail("Ny produktionshal", "Vi vil bygge en ny produktionshal på 6000 m2 med oplag af "
                        "kemikalier og skal have miljøgodkendelse, lokalplan og byggetilladelse."))
    [(_, acknowledgement)] = await smtp_server.wait_for(1)
    [(case_id, number, thread_id)] = indgang.query("SELECT id, number, thread_id FROM cases")

    dovecot.append(mail("Sv: Ny produktionshal", "Her er tegningerne, I bad om.",
                        in_reply_to=acknowledgement["Message-ID"]))
    dovecot.append(mail(f"Sv: Ny produktionshal [Sag {number}]", "Vi kan også mødes på tirsdag.",
                        message_id="<new-client@firma.dk>"))
    await eventually(lambda: len(indgang.outcomes) == 3)

    assert [(o.status, o.thread_id, o.case_id) for o in indgang.outcomes[1:]] == [
        ("attached", thread_id, case_id), ("attached", thread_id, case_id)]
    await asyncio.sleep(0.3)
    assert len(smtp_server.received) == 1


async def test_unreadable_mail_is_stored_as_rejected_and_never_answered(
        indgang: Indgang, dovecot: DovecotServer, smtp_server: SmtpServer) -> None:
    garbage = bytes(range(1, 9)) * 200 + b"\r\n"
    dovecot.append(garbage)
    dovecot.append(mail_file("plain_question_da.eml"))

    await smtp_server.wait_for(1)

    [(raw, status, automatic)] = indgang.query(
        "SELECT raw, status, automatic FROM messages WHERE status = 'rejected'")
    assert raw.strip() == garbage.strip() and automatic.startswith("rejected: ")
    assert indgang.query("SELECT count(*) FROM events WHERE kind = 'rejected'") == [(1,)]
    assert r"\Seen" in dovecot.flags(1)
    assert len(smtp_server.received) == 1


async def test_handled_mail_is_moved_to_the_done_folder(dovecot: DovecotServer, make_indgang: Callable[..., Indgang],
                                                        smtp_server: SmtpServer) -> None:
    dovecot.create_mailbox("Behandlet")
    running = make_indgang(dovecot, imap_done_folder="Behandlet")
    await running.start()
    dovecot.append(mail_file("plain_question_da.eml"))

    await smtp_server.wait_for(1)

    await eventually(lambda: dovecot.search("ALL") == [])
    assert len(dovecot.search("SEEN", mailbox="Behandlet")) == 1


# --- exactly once across crashes and outages ------------------------------------------


async def test_mail_fetched_but_not_stored_before_a_crash_is_handled_after_restart(
        dovecot: DovecotServer, make_indgang: Callable[..., Indgang], smtp_server: SmtpServer) -> None:
    running = make_indgang(dovecot)
    fetched = asyncio.Event()

    async def crash_before_storing(message: Message) -> Outcome:
        fetched.set()
        await asyncio.Event().wait()  # the process is killed here
        raise AssertionError("unreachable")

    await running.start(inbox=crash_before_storing)
    dovecot.append(mail_file("plain_question_da.eml"))
    await asyncio.wait_for(fetched.wait(), 10)
    await running.kill()
    assert running.query("SELECT count(*) FROM messages") == [(0,)]
    assert r"\Seen" not in dovecot.flags(1)

    await running.start()
    await smtp_server.wait_for(1)

    assert [o.status for o in running.outcomes] == ["answered"]
    assert running.query("SELECT count(*) FROM messages WHERE direction = 'in'") == [(1,)]
    await eventually(lambda: r"\Seen" in dovecot.flags(1))


async def test_mail_stored_but_not_marked_seen_before_a_crash_is_not_answered_twice(
        dovecot: DovecotServer, make_indgang: Callable[..., Indgang], smtp_server: SmtpServer) -> None:
    running = make_indgang(dovecot)
    stored = asyncio.Event()

    async def crash_after_storing(message: Message) -> Outcome:
        await running.receive(message)
        stored.set()
        await asyncio.Event().wait()  # killed before the \Seen flag is set
        raise AssertionError("unreachable")

    await running.start(inbox=crash_after_storing)
    dovecot.append(mail_file("plain_question_da.eml"))
    await asyncio.wait_for(stored.wait(), 10)
    await smtp_server.wait_for(1)
    await running.kill()
    assert r"\Seen" not in dovecot.flags(1)

    await running.start()

    await eventually(lambda: r"\Seen" in dovecot.flags(1))
    assert [o.status for o in running.outcomes] == ["answered", "duplicate"]
    await asyncio.sleep(0.3)
    assert len(smtp_server.received) == 1


async def test_reply_is_delivered_once_when_the_smtp_server_comes_back(
        indgang: Indgang, dovecot: DovecotServer, smtp_server: SmtpServer) -> None:
    await smtp_server.stop()
    dovecot.append(mail_file("plain_question_da.eml"))
    await eventually(lambda: indgang.query("SELECT attempts FROM outbox WHERE attempts > 0"))

    await smtp_server.start()
    await smtp_server.wait_for(1)

    await asyncio.sleep(0.5)
    assert len(smtp_server.received) == 1
    assert indgang.query("SELECT status FROM outbox") == [("sent",)]


async def test_reconnects_after_a_dovecot_restart_and_handles_mail_that_arrived_meanwhile(
        indgang: Indgang, dovecot: DovecotServer, smtp_server: SmtpServer) -> None:
    dovecot.append(mail_file("plain_question_da.eml"))
    await smtp_server.wait_for(1)

    def restart_and_deliver() -> None:
        dovecot.restart()
        dovecot.append(mail_file("plain_question_en.eml"))

    await asyncio.to_thread(restart_and_deliver)

    [_, (envelope, _)] = await smtp_server.wait_for(2, timeout=15)
    assert envelope.rcpt_tos == ["tom@bakerfoods.co.uk"]
    assert len(indgang.outcomes) == 2


async def test_polls_when_the_server_offers_no_idle(dovecot_no_idle: DovecotServer,
                                                    make_indgang: Callable[..., Indgang],
                                                    smtp_server: SmtpServer) -> None:
    running = make_indgang(dovecot_no_idle)
    await running.start(idle_seconds=60.0, poll_seconds=0.2)
    await asyncio.sleep(0.3)  # past the first look at the folder: only polling can find the next mail

    dovecot_no_idle.append(mail_file("plain_question_da.eml"))

    await smtp_server.wait_for(1, timeout=3)
    assert running.outcomes[0].status == "answered"


async def test_new_uidvalidity_falls_back_to_unseen_mail(dovecot: DovecotServer, make_indgang: Callable[..., Indgang],
                                                         smtp_server: SmtpServer) -> None:
    running = make_indgang(dovecot)
    key = cursor_key(running.runtime.settings.email)
    running.runtime.store.run(save_cursor, key, Cursor(uidvalidity=1, last_uid=999))
    dovecot.append(mail_file("plain_question_da.eml"))

    await running.start()

    await smtp_server.wait_for(1)
    def moved_on() -> Cursor | None:
        cursor = running.runtime.store.run(load_cursor, key)
        return cursor if cursor and cursor.uidvalidity != 1 else None

    assert (await eventually(moved_on)).last_uid == 1


@pytest.mark.parametrize("security", ["starttls", "ssl"])
async def test_receives_over_starttls_and_ssl(security: str, dovecot_tls: DovecotServer,
                                              make_indgang: Callable[..., Indgang],
                                              smtp_server: SmtpServer) -> None:
    port = dovecot_tls.port if security == "starttls" else dovecot_tls.ssl_port
    running = make_indgang(dovecot_tls, imap_security=security, imap_port=port)
    await running.start(ssl_context=ssl.create_default_context(cafile=str(dovecot_tls.cert)))

    dovecot_tls.append(mail_file("plain_question_da.eml"))

    await smtp_server.wait_for(1)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_reply_is_sent_after_smtp_login_when_a_user_is_configured(tmp_path: Path) -> None:
    server = await SmtpServer(auth=("bot", "s3cret")).start()
    settings = EmailSettings(address=ADDRESS, smtp_host=server.host, smtp_port=server.port, smtp_security="none",
                             smtp_user="bot", smtp_password="s3cret")
    channel = EmailChannel(settings, store=None, timeout=3.0)  # type: ignore[arg-type]  # sending needs no store
    reply = Reply(outbox_id=1, thread_id=1, channel="email", recipient="anna@firma.dk", text="Hej Anna",
                  subject="Skilt", message_id="indgang.1@eksempel.dk", in_reply_to="q1@firma.dk")
    try:
        assert await channel.send(reply) == "<indgang.1@eksempel.dk>"
        await channel.send(replace(reply, outbox_id=2, message_id="indgang.2@eksempel.dk"))  # same connection
        [first, second] = server.messages()
        assert first["Subject"] == "Re: Skilt" and second["Message-ID"] == "<indgang.2@eksempel.dk>"
        assert server.connections_opened == 1
    finally:
        await channel.close()
        await server.stop()
