"""Our outbound mail threads under the business's question and keeps auto-responders quiet."""

from __future__ import annotations

import email
from dataclasses import replace
from email import policy
from email.message import EmailMessage

import pytest

from bot.channels.email.compose import case_tag, compose_email, find_case_number, reply_subject
from bot.channels.email.parse import parse_email
from bot.types import Reply

REPLY = Reply(
    outbox_id=1,
    thread_id=7,
    channel="email",
    recipient="jens@bageriet.dk",
    text="Hej Jens\n\nDu kan læse mere på https://eksempel.dk/udeservering.\nMvh\nErhvervsservice",
    subject="Udeservering [Sag 2026-0007]",
    in_reply_to="CAF3abc@mail.gmail.com",
    references=("<first@bageriet.dk>", "CAF3abc@mail.gmail.com"),
)


def sent(reply: Reply = REPLY, **kwargs: str) -> EmailMessage:
    """Compose, serialise and read back, as the receiving mail program would."""
    msg = compose_email(reply, from_address="erhverv@eksempel.dk", from_name=kwargs.get("name", "Erhvervsservice"),
                        domain=kwargs.get("domain"))
    return email.message_from_bytes(msg.as_bytes(), policy=policy.default)  # type: ignore[return-value]


def test_reply_threads_under_the_question() -> None:
    msg = sent()
    assert msg["In-Reply-To"] == "<CAF3abc@mail.gmail.com>"
    assert msg["References"] == "<first@bageriet.dk> <CAF3abc@mail.gmail.com>"
    assert msg["To"] == "jens@bageriet.dk"
    assert msg["Date"] and msg["Subject"] == "Re: Udeservering [Sag 2026-0007]"


def test_message_id_is_ours_or_generated_in_our_domain() -> None:
    assert sent(replace(REPLY, message_id="out-42@eksempel.dk"))["Message-ID"] == "<out-42@eksempel.dk>"
    assert sent()["Message-ID"].endswith("@eksempel.dk>")
    assert sent(domain="mail.eksempel.dk")["Message-ID"].endswith("@mail.eksempel.dk>")


def test_auto_submitted_only_on_automatic_replies() -> None:
    robot = sent()
    assert robot["Auto-Submitted"] == "auto-replied" and robot["X-Auto-Response-Suppress"] == "All"
    person = sent(replace(REPLY, automatic=False))
    assert person["Auto-Submitted"] is None and person["X-Auto-Response-Suppress"] is None


def test_danish_letters_in_from_name_are_encoded_and_round_trip() -> None:
    msg = compose_email(REPLY, from_address="erhverv@eksempel.dk", from_name="Erhvervsservice Ærø Kommune")
    raw = msg.as_bytes()
    assert raw.isascii()
    back = parse_email(raw)
    assert back.sender_name == "Erhvervsservice Ærø Kommune" and back.sender == "erhverv@eksempel.dk"


def test_our_own_reply_is_recognised_as_automatic_when_it_comes_back() -> None:
    back = parse_email(compose_email(REPLY, from_address="erhverv@eksempel.dk", from_name="Erhvervsservice").as_bytes())
    assert back.automatic == "auto-submitted: auto-replied"
    assert back.text.startswith("Hej Jens")


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Skilt", "Re: Skilt"),
        ("SV: Skilt", "SV: Skilt"),
        ("Sv: Skilt", "Sv: Skilt"),
        ("AW: Schild", "AW: Schild"),
        ("Skilt", "Re: Skilt"),
        ("  Skilt\r\n  igen ", "Re: Skilt igen"),
        ("", ""),
    ],
)
def test_re_is_not_doubled(subject: str, expected: str) -> None:
    assert reply_subject(subject, replying=True) == expected


def test_a_first_message_gets_no_re() -> None:
    first = replace(REPLY, in_reply_to=None, references=(), subject="Vi har modtaget din henvendelse")
    msg = sent(first)
    assert msg["Subject"] == "Vi har modtaget din henvendelse"
    assert msg["In-Reply-To"] is None and msg["References"] is None


def test_references_are_deduplicated_and_parent_is_last() -> None:
    reply = replace(REPLY, references=("<a@x>", "b@x", "<a@x>"), in_reply_to="<a@x>")
    assert sent(reply)["References"] == "<a@x> <b@x>"


def test_text_and_generated_html_alternative() -> None:
    msg = sent()
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Content-Language"] == "da"
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    assert "Du kan læse mere" in plain.get_content()
    content = html.get_content()
    assert '<a href="https://eksempel.dk/udeservering">https://eksempel.dk/udeservering</a>.' in content
    assert "<p>Hej Jens</p>" in content and "Mvh<br>Erhvervsservice" in content


def test_html_is_escaped_and_given_html_is_used_as_is() -> None:
    escaped = sent(replace(REPLY, text="<b>fed</b> & mere"))
    assert "&lt;b&gt;fed&lt;/b&gt; &amp; mere" in escaped.get_body(("html",)).get_content()  # type: ignore[union-attr]
    given = sent(replace(REPLY, html="<p>Egen <i>HTML</i></p>", lang="en"))
    assert given.get_body(("html",)).get_content().strip() == "<p>Egen <i>HTML</i></p>"  # type: ignore[union-attr]
    assert given["Content-Language"] == "en"


def test_case_tag_and_finding_the_number_again() -> None:
    assert case_tag("2026-0007") == "[Sag 2026-0007]"
    assert find_case_number(f"Re: Udeservering {case_tag('2026-0007')}") == "2026-0007"


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("SV: Skilt [Sag 2026-0007]", "2026-0007"),
        ("Re: [Case 2026-0012] Permit", "2026-0012"),
        ("Angående sag nr. 2026-0031", "2026-0031"),
        ("Sagsnr. 2026-0100 - tegninger", "2026-0100"),
        ("Spørgsmål om skilt", None),
        ("Møde 2026-05-12", None),
        ("", None),
    ],
)
def test_case_number_is_found_in_subject(subject: str, number: str | None) -> None:
    assert find_case_number(subject) == number
