"""Inbound mail as a business sends it, including the broken kinds, becomes a readable Message."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from bot.channels.email.loops import automatic_reason
from bot.channels.email.parse import MailParseError, parse_email
from bot.channels.email.quotes import html_to_text, strip_quoted
from bot.types import Message

MAIL = Path(__file__).resolve().parent / "data" / "mail"
ODD = MAIL / "odd"
UNUSABLE = {"zero_byte", "binary_garbage", "whitespace_only"}
MB = 1_000_000


def odd(name: str, **kwargs: object) -> Message:
    return parse_email((ODD / f"{name}.eml").read_bytes(), attachment_cap=MB, **kwargs)  # type: ignore[arg-type]


def normal(name: str) -> Message:
    return parse_email((MAIL / f"{name}.eml").read_bytes())


def headers(text: str) -> email.message.EmailMessage:
    return email.message_from_string(text + "\n\nbody\n", policy=policy.default)  # type: ignore[return-value]


# --- the corpus ----------------------------------------------------------------


def test_the_odd_corpus_is_large_enough() -> None:
    assert len(list(ODD.glob("*.eml"))) >= 32


@pytest.mark.parametrize("path", sorted(ODD.glob("*.eml")), ids=lambda p: p.stem)
def test_every_odd_message_is_parsed_or_refused_with_a_reason(path: Path) -> None:
    try:
        msg = parse_email(path.read_bytes(), attachment_cap=MB, source_hint=path.name)
    except MailParseError as exc:
        assert str(exc).strip()
        assert path.stem in UNUSABLE, f"{path.name} was refused: {exc}"
        return
    assert path.stem not in UNUSABLE
    assert msg.channel == "email" and msg.source_id and msg.raw == path.read_bytes()
    assert msg.received_at.tzinfo is not None
    assert "\ufffd" not in msg.subject + msg.sender_name


def test_normal_inquiries_read_cleanly() -> None:
    da = normal("plain_question_da")
    assert (da.sender, da.sender_name) == ("mette@cafe-hjoernet.dk", "Mette Sørensen")
    assert "borde og stole ud på fortovet" in da.text and da.automatic is None
    en = normal("plain_question_en")
    assert en.subject == "Opening a food truck" and "food truck at the harbour" in en.text


def test_question_with_attachment_keeps_text_and_file() -> None:
    msg = normal("question_with_attachment_da")
    assert msg.subject == "Byggetilladelse til lagerhal – tegning vedhæftet"
    assert "800 m² på Industrivej 12" in msg.text and "lokalplanændring" in msg.text
    assert [(a.filename, a.content_type) for a in msg.attachments] == [("lagerhal.pdf", "application/pdf")]
    assert msg.attachments[0].data is not None and msg.attachments[0].data.startswith(b"%PDF")


def test_html_newsletter_like_inquiry_is_not_automatic() -> None:
    msg = normal("html_newsletter_like_da")
    assert msg.automatic is None and msg.extras["html"] is True
    assert msg.subject == "Spørgsmål om erhvervsaffald"
    assert "Hvordan tilmelder vi os erhvervsaffald" in msg.text
    assert "font-family" not in msg.full_text


# --- text extraction -------------------------------------------------------------


def test_html_only_mail_is_read_as_text() -> None:
    msg = odd("html_only_tables_entities")
    assert msg.extras["html"] is True
    assert "Hej & goddag," in msg.text and "priser — se tabellen" in msg.text
    assert "Rugbrød 25 kr." in msg.text and "\n- Første punkt\n- Andet punkt" in msg.text
    assert "reglerne (https://eksempel.dk/regler)" in msg.text
    assert "(https://eksempel.dk)" not in msg.text  # link text already is the address
    assert "alert" not in msg.full_text and "ignored" not in msg.full_text


def test_plain_part_is_preferred_in_alternatives_even_four_levels_deep() -> None:
    msg = odd("nested_multipart_4_deep")
    assert msg.text == "Dybt begravet spørgsmål om parkering."
    assert msg.extras["html"] is False
    assert [a.filename for a in msg.attachments] == ["logo.png", "kort.pdf"]


def test_broken_boundaries_still_give_the_question() -> None:
    assert "Må jeg stille et skilt op" in odd("boundary_never_appears").text
    missing_end = odd("missing_closing_boundary")
    assert "hvornår har I åbent i julen" in missing_end.text
    assert "CloseBoundaryNotFoundDefect" in missing_end.extras["defects"]


def test_forwarded_message_becomes_part_of_the_text() -> None:
    msg = odd("forward_rfc822")
    assert "Jeg videresender" in msg.text and "byggetilladelse til en carport" in msg.text
    assert "Emne: Oprindelig henvendelse" in msg.full_text


def test_calendar_invite_is_an_attachment_and_text_stays_readable() -> None:
    msg = odd("calendar_invite")
    assert msg.text == "Møde om ny café. Tirsdag kl. 10."
    assert [a.content_type for a in msg.attachments] == ["text/calendar"]


def test_huge_single_line_is_kept() -> None:
    assert len(odd("huge_line_2mb").text) > 2_000_000


def test_body_only_message_is_parsed_with_empty_sender() -> None:
    msg = odd("no_headers_body_only")
    assert msg.sender == "" and "CVR-nummer" in msg.text


# --- charsets --------------------------------------------------------------------


def test_windows_1252_declared_as_latin1_keeps_danish_letters() -> None:
    assert odd("cp1252_declared_latin1").text == "“Hvornår” kan vi få svar – det haster … ø"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown_charset", "virksomhed på Åvej"),
        ("utf8_declared_latin1_body", "gravetilladelse på Ørstedsvej"),
        ("qp_soft_break_in_danish_letters", "ølbar på Nørrebrogade og sælge smørrebrød"),
        ("base64_bad_padding", "Må jeg holde loppemarked i gården"),
        ("no_content_type", "pølsevogn på torvet"),
        ("qp_broken_escapes", "æø æbler"),
    ],
)
def test_wrong_or_broken_encodings_still_give_danish_letters(name: str, expected: str) -> None:
    assert expected in odd(name).text


def test_unknown_charset_is_reported() -> None:
    assert odd("unknown_charset").extras["charset_problems"] == ["unknown charset 'x-unknown'"]


@pytest.mark.parametrize(
    ("name", "subject", "sender_name"),
    [
        ("header_8bit_utf8", "Spørgsmål om åbningstider på Ærø", "Søren Ærø"),
        ("header_8bit_latin1", "Spørgsmål om skiltning", "Søren Ærø"),
        ("rfc2047_wrong_charset", "Spørgsmål om råstof", "Søren Kjær"),
        ("rfc2047_unknown_charset", "Spørgsmål", "Jens"),
    ],
)
def test_headers_with_8bit_or_mislabelled_words_are_decoded(name: str, subject: str, sender_name: str) -> None:
    msg = odd(name)
    assert (msg.subject, msg.sender_name) == (subject, sender_name)


def test_crlf_and_lf_messages_read_the_same() -> None:
    assert odd("crlf_line_endings").text == odd("lf_line_endings").text == "Linje et\nLinje to om åbningstider"


# --- headers and ids -----------------------------------------------------------------


def test_message_without_message_id_gets_stable_id() -> None:
    first, again = odd("no_message_id"), odd("no_message_id")
    assert first.source_id.startswith("sha256:") and first.source_id == again.source_id
    assert first.extras["message_id"] is None


def test_threading_headers_are_read_in_order() -> None:
    msg = odd("reply_gmail_danish")
    assert msg.source_id == "gmailda@x.dk"
    assert msg.in_reply_to == "out1@eksempel.dk"
    assert msg.references == ("first@bageriet.dk", "out1@eksempel.dk")


def test_malformed_address_headers_do_not_break_the_parse() -> None:
    msg = odd("malformed_addresses")
    assert msg.sender == "jens@bageriet.dk" and msg.source_id == "double@x.dk"
    assert msg.extras["cc"] == ["a@b.dk", "c@d.dk"]


def test_missing_from_leaves_sender_empty_and_missing_date_means_now() -> None:
    assert odd("no_from").sender == ""
    assert odd("no_date").received_at.year >= 2026 and odd("bad_date").received_at.tzinfo is not None


def test_reply_to_is_not_preferred_over_from() -> None:
    assert odd("header_8bit_utf8").sender == "soren@ærø.dk"


# --- attachments ------------------------------------------------------------------------


def test_oversized_attachment_is_listed_not_kept() -> None:
    (att,) = odd("attachment_oversized").attachments
    assert att.filename == "scan.bin" and att.size > MB and att.data is None


def test_encoded_filenames_are_decoded() -> None:
    assert odd("attachment_rfc2231_filename").attachments[0].filename == "tilbud æøå.pdf"
    assert odd("attachment_rfc2047_filename").attachments[0].filename == "ansøgning.pdf"


def test_inline_image_and_winmail_dat_are_attachments() -> None:
    (image,) = odd("attachment_inline_image").attachments
    assert image.content_type == "image/png" and image.data is not None and image.data.startswith(b"\x89PNG")
    assert [a.filename for a in odd("tnef_winmail").attachments] == ["winmail.dat"]


# --- automatic mail -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("outlook_out_of_office_da", "x-auto-response-suppress header"),
        ("gmail_vacation", "auto-submitted: auto-replied"),
        ("mailing_list", "precedence: list"),
        ("noreply_sender", "noreply sender"),
        ("bounce_dsn", "delivery status notification"),
    ],
)
def test_automatic_mail_is_marked_with_its_reason(name: str, reason: str) -> None:
    assert odd(name).automatic == reason


def test_out_of_office_is_marked_automatic() -> None:
    assert odd("outlook_out_of_office_da").automatic


def test_bounce_is_marked_automatic() -> None:
    assert odd("bounce_dsn").automatic == "delivery status notification"


def test_mail_from_our_own_address_is_automatic() -> None:
    assert odd("lf_line_endings", own_addresses=["JENS@bageriet.dk"]).automatic == "own address"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Auto-Submitted: auto-generated", "auto-submitted: auto-generated"),
        ("X-Autoreply: yes", "x-autoreply header"),
        ("X-Autorespond: yes", "x-autorespond header"),
        ("X-Auto-Response-Suppress: OOF", "x-auto-response-suppress header"),
        ("X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent", "x-ms-exchange-generated-message-source header"),
        ("Precedence: junk", "precedence: junk"),
        ("List-Unsubscribe: <mailto:x@y>", "list-unsubscribe header"),
        ("From: MAILER-DAEMON@mx.x.dk", "sender is mailer-daemon"),
        ("From: postmaster@x.dk", "sender is postmaster"),
        ("From: donotreply@skat.dk", "noreply sender"),
        ("Return-Path: <>", "empty return-path"),
        ("Subject: Fraværende: Spørgsmål", "out-of-office subject"),
        ("Subject: Ikke på kontoret", "out-of-office subject"),
        ("Subject: Autosvar: Re: Skilt", "out-of-office subject"),
        ("Subject: =?utf-8?Q?Automatisk_svar:_Sp=C3=B8rgsm=C3=A5l?=", "out-of-office subject"),
        ("Subject: Out of Office: Permit", "out-of-office subject"),
        ("Subject: Automatic reply: Permit", "out-of-office subject"),
        ("Subject: Auto-reply: hello", "out-of-office subject"),
        ("Subject: Ferie", "out-of-office subject"),
        ("Subject: Undeliverable: Skilt", "delivery status notification"),
        ("Subject: Returned mail: see transcript", "delivery status notification"),
        ("Subject: Kunne ikke leveres: Skilt", "delivery status notification"),
    ],
)
def test_automatic_signals(header: str, reason: str) -> None:
    assert automatic_reason(headers(header)) == reason


@pytest.mark.parametrize(
    "header",
    ["Auto-Submitted: no", "Subject: Ferielukning og affaldsafhentning", "Subject: Spørgsmål om fraværende ansatte",
     "Precedence: first-class", "From: reply@firma.dk"],
)
def test_ordinary_mail_is_not_automatic(header: str) -> None:
    assert automatic_reason(headers(header)) is None


# --- quotes -----------------------------------------------------------------------------


def test_quoted_earlier_mail_is_removed() -> None:
    for name, kept in [
        ("reply_gmail_danish", "Skal jeg også søge om tilladelse til parasoller?"),
        ("reply_outlook_danish", "Hvad koster det så for en container?"),
        ("reply_english_on_wrote", "Do I also need a sign permit?"),
        ("reply_original_message", "Hvor stort må skiltet være?"),
        ("reply_html_outlook", "Hvor mange p-pladser skal vi have?"),
        ("reply_html_gmail_quote", "Må jeg også sælge kaffe?"),
    ]:
        msg = odd(name)
        assert kept in msg.text, name
        for quoted in ("råden over vejareal", "tilmelde jer erhvervsaffald", "outdoor seating",
                       "gerne sætte et skilt op", "lokalplanen", "sælge is", "Fra:", "skrev"):
            assert quoted not in msg.text, (name, quoted)
        assert len(msg.full_text) > len(msg.text)


def test_tak_for_svaret_question_is_kept() -> None:
    assert odd("reply_gmail_danish").text.startswith("Tak for svaret. Skal jeg også søge om tilladelse")


def test_signature_is_left_for_triage() -> None:
    assert "CVR: 12345678" in odd("signature_cvr").text


def test_inline_answers_between_quoted_lines_are_kept() -> None:
    text = "> Hvor ligger butikken?\nPå Torvet 3.\n> Hvornår åbner I?\nI juni."
    assert strip_quoted(text) == "På Torvet 3.\nI juni."


def test_wrapped_gmail_header_and_text_before_it() -> None:
    text = "Tak!\n\nDen 3. maj 2026 kl. 10.02 skrev Erhvervsservice Eksempel Kommune\n<erhverv@eksempel.dk>:\n> svar"
    assert strip_quoted(text) == "Tak!"


def test_ordinary_lines_like_headers_are_not_cut() -> None:
    text = "Den 3. maj skrev vi til jer om skiltet.\nFra: mandag har vi åbent.\nHvad gør vi nu?"
    assert strip_quoted(text) == text


def test_html_links_and_quote_blocks() -> None:
    html = '<div>Se <a href="https://x.dk/a">her</a></div><blockquote>gammelt</blockquote>'
    assert html_to_text(html) == "Se her (https://x.dk/a)"
    assert "gammelt" in html_to_text(html, drop_quotes=False)


def test_binary_attachment_without_encoding_is_not_mistaken_for_garbage() -> None:
    raw = b"From: a@firma.dk\nSubject: Scan\nContent-Type: application/octet-stream\n\n" + bytes(5000)
    (att,) = parse_email(raw).attachments
    assert att.size == 5000


def test_content_language_gives_a_language_hint() -> None:
    assert parse_email(b"From: a@firma.dk\nContent-Language: en-GB\n\nHello\n").lang_hint == "en"
    assert normal("plain_question_da").lang_hint is None


@pytest.mark.parametrize(
    "quote",
    [
        "From: Business Service <erhverv@eksempel.dk>\nSent: 3 May 2026 10:02\nTo: Tom\nSubject: Permit\n\nOld answer",
        "-----Original Message-----\nFrom: erhverv@eksempel.dk\n\nOld answer",
        "On 3 May 2026, at 10:02, Business Service <erhverv@eksempel.dk> wrote:\n\nOld answer",
        "Den 3. maj 2026 kl. 10.02 skrev Erhvervsservice <erhverv@eksempel.dk>:\n\nOld answer",
    ],
)
def test_reply_headers_in_english_and_danish_start_the_quote(quote: str) -> None:
    assert strip_quoted("New question?\n\n" + quote) == "New question?"


def test_outlook_desktop_html_reply_block_is_cut() -> None:
    html = (
        "<p>Hvornår kan vi starte?</p><div style='border-top:solid #E1E1E1 1pt'><p><b>Fra:</b> Erhvervsservice"
        "<br><b>Sendt:</b> 3. maj 2026 10:02<br><b>Til:</b> Ole<br><b>Emne:</b> Byggeri</p></div><p>Gammelt svar</p>"
    )
    assert strip_quoted(html_to_text(html)) == "Hvornår kan vi starte?"


def test_sentences_that_merely_mention_writing_are_kept() -> None:
    text = "On the form I wrote:\nbageri og café"
    assert strip_quoted(text) == text
