"""Write the corpus of odd real-world mail in ``odd/`` deterministically.

Many of these messages hold 8-bit bytes, broken encodings or megabyte lines that
an editor would "fix" on save, so they are generated from this script rather than
edited by hand. Run ``python tests/data/mail/make_odd.py`` after changing it and
keep both the script and the files under version control.
"""

from __future__ import annotations

import base64
import quopri
from pathlib import Path

ODD = Path(__file__).resolve().parent / "odd"

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
TNEF = b"\x78\x9f\x3e\x22\x01\x00\x01\x06\x90\x08\x00\x04\x00\x00\x00\x00\x00" * 8


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data)


def head(subject: str = "Spørgsmål", *, mid: str = "odd@example.dk", extra: str = "") -> str:
    """A plain header block; messages override what they need to break."""
    return (
        "From: Jens Hansen <jens@bageriet.dk>\n"
        "To: erhverv@eksempel.dk\n"
        f"Subject: {subject}\n"
        "Date: Mon, 4 May 2026 09:15:00 +0200\n"
        f"Message-ID: <{mid}>\n"
        "MIME-Version: 1.0\n"
        f"{extra}"
    )


def text_plain(body: str, charset: str = "utf-8") -> str:
    return f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: 8bit\n\n{body}"


def messages() -> dict[str, bytes]:
    m: dict[str, bytes] = {}
    m.update(_mime_structure())
    m.update(_headers())
    m.update(_charsets())
    m.update(_attachments())
    m.update(_automatic())
    m.update(_replies())
    m.update(_garbage())
    return m


def _mime_structure() -> dict[str, bytes]:
    m: dict[str, bytes] = {}
    m["missing_closing_boundary"] = (
        head("Manglende slutgrænse", mid="mcb@x.dk")
        + 'Content-Type: multipart/mixed; boundary="XYZ"\n\n'
        "--XYZ\nContent-Type: text/plain; charset=utf-8\n\n"
        "Hej, hvornår har I åbent i julen?\n\n"
        "--XYZ\nContent-Type: application/pdf; name=plan.pdf\n"
        "Content-Transfer-Encoding: base64\n\n"
    ).encode() + b64(PDF)
    m["boundary_never_appears"] = (
        head("Grænse mangler", mid="bna@x.dk")
        + 'Content-Type: multipart/alternative; boundary="NEVER"\n\n'
        "Hej\n\nMå jeg stille et skilt op foran butikken?\n\nVenlig hilsen\nJens\n"
    ).encode()
    m["nested_multipart_4_deep"] = (
        head("Fire lag", mid="deep@x.dk")
        + 'Content-Type: multipart/mixed; boundary="L1"\n\n'
        '--L1\nContent-Type: multipart/mixed; boundary="L2"\n\n'
        '--L2\nContent-Type: multipart/related; boundary="L3"\n\n'
        '--L3\nContent-Type: multipart/alternative; boundary="L4"\n\n'
        "--L4\nContent-Type: text/plain; charset=utf-8\n\nDybt begravet spørgsmål om parkering.\n"
        "--L4\nContent-Type: text/html; charset=utf-8\n\n<p>Dybt begravet <b>spørgsmål</b> om parkering.</p>\n"
        "--L4--\n"
        "--L3\nContent-Type: image/png; name=logo.png\nContent-ID: <logo@x>\n"
        "Content-Transfer-Encoding: base64\n\n"
    ).encode() + b64(PNG) + (
        b"--L3--\n--L2--\n"
        b"--L1\nContent-Type: application/pdf; name=kort.pdf\n"
        b"Content-Disposition: attachment; filename=kort.pdf\nContent-Transfer-Encoding: base64\n\n"
    ) + b64(PDF) + b"--L1--\n"
    m["huge_line_2mb"] = (head("Lang linje", mid="huge@x.dk") + text_plain("Hej " + "a" * 2_000_000 + "\n")).encode()
    m["empty_body"] = head("Tom", mid="empty@x.dk").encode() + b"Content-Type: text/plain\n\n"
    m["html_only_tables_entities"] = (
        head("Priser & åbningstider", mid="html@x.dk")
        + "Content-Type: text/html; charset=utf-8\n\n"
        "<html><head><title>ignored</title><style>td{color:red}</style>"
        "<script>alert('x')</script></head><body>"
        "<p>Hej &amp; goddag,</p><p>Vi har et spørgsmål om&nbsp;priser &mdash; se tabellen:</p>"
        "<table><tr><th>Vare</th><th>Pris</th></tr><tr><td>Rugbr&oslash;d</td><td>25&nbsp;kr.</td></tr>"
        "<tr><td>Kaffe</td><td>&#36;3</td></tr></table>"
        "<p>Læs <a href=\"https://eksempel.dk/regler\">reglerne</a> og "
        "<a href=\"https://eksempel.dk\">https://eksempel.dk</a>.</p>"
        "<ul><li>Første punkt</li><li>Andet punkt</li></ul></body></html>\n"
    ).encode()
    m["calendar_invite"] = (
        head("Invitation: Opstartsmøde", mid="cal@x.dk")
        + 'Content-Type: multipart/alternative; boundary="CAL"\n\n'
        "--CAL\nContent-Type: text/plain; charset=utf-8\n\nMøde om ny café. Tirsdag kl. 10.\n"
        "--CAL\nContent-Type: text/calendar; charset=utf-8; method=REQUEST\n\n"
        "BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Opstartsmøde\n"
        "DTSTART:20260512T080000Z\nEND:VEVENT\nEND:VCALENDAR\n--CAL--\n"
    ).encode()
    return m


def _headers() -> dict[str, bytes]:
    m: dict[str, bytes] = {}
    body = text_plain("Hej\n\nHvordan søger jeg om udeservering?\n")
    m["no_from"] = ("To: erhverv@eksempel.dk\nSubject: Uden afsender\nMessage-ID: <nofrom@x.dk>\n" + body).encode()
    m["no_date"] = head("Uden dato", mid="nodate@x.dk").replace("Date: Mon, 4 May 2026 09:15:00 +0200\n", "").encode() + body.encode()
    m["bad_date"] = head("Dårlig dato", mid="baddate@x.dk").replace("Mon, 4 May 2026 09:15:00 +0200", "i går ved 10-tiden").encode() + body.encode()
    m["no_message_id"] = head("Uden id").replace("Message-ID: <odd@example.dk>\n", "").encode() + body.encode()
    m["no_content_type"] = (
        "From: jens@bageriet.dk\nTo: erhverv@eksempel.dk\nSubject: Ingen type\nMessage-ID: <noct@x.dk>\n\n"
        "Må jeg have en pølsevogn på torvet?\n"
    ).encode()
    m["no_headers_body_only"] = "Hej\n\nJeg vil gerne vide hvordan jeg får et CVR-nummer.\n\nMvh Jens\n".encode()
    m["header_8bit_utf8"] = (
        "From: Søren Ærø <soren@ærø.dk>\nReply-To: soren@aeroe.dk\nTo: erhverv@eksempel.dk\n"
        "Subject: Spørgsmål om åbningstider på Ærø\nMessage-ID: <8bitutf8@x.dk>\n" + body
    ).encode()
    m["header_8bit_latin1"] = (
        "From: Søren Ærø <soren@aeroe.dk>\nTo: erhverv@eksempel.dk\n"
        "Subject: Spørgsmål om skiltning\nMessage-ID: <8bitlatin1@x.dk>\n"
    ).encode("latin-1") + text_plain("Hej, må jeg sætte et skilt op?\n", "iso-8859-1").encode("latin-1")
    m["rfc2047_wrong_charset"] = (
        "From: =?iso-8859-1?Q?S=C3=B8ren_Kj=C3=A6r?= <soren@x.dk>\nTo: erhverv@eksempel.dk\n"
        "Subject: =?utf-8?Q?Sp=F8rgsm=E5l_om_r=E5stof?=\nMessage-ID: <wrong2047@x.dk>\n" + body
    ).encode()
    m["rfc2047_unknown_charset"] = (
        "From: =?x-mac-danish?Q?Jens?= <jens@x.dk>\nTo: erhverv@eksempel.dk\n"
        "Subject: =?x-unknown?B?U3DDuHJnc23DpWw=?=\nMessage-ID: <unk2047@x.dk>\n" + body
    ).encode()
    m["malformed_addresses"] = (
        'From: "Jens Hansen <jens@bageriet.dk\nTo: ,,;<@>, "unclosed@x.dk\nCc: <a@b.dk> <c@d.dk>\n'
        "Subject: Mærkelige adresser\nMessage-ID: <<double@x.dk>>\nIn-Reply-To: not an id\n"
        "References: <a@x> broken <b@x> <a@x>\n" + body
    ).encode()
    return m


def _charsets() -> dict[str, bytes]:
    m: dict[str, bytes] = {}
    smart = "\u201cHvorn\u00e5r\u201d kan vi f\u00e5 svar \u2013 det haster \u2026 ø\n"
    m["cp1252_declared_latin1"] = head("Citationstegn", mid="cp1252@x.dk").encode() + (
        b"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
    ) + smart.encode("cp1252")
    m["unknown_charset"] = head("Ukendt tegnsæt".replace("æ", "ae"), mid="xunk@x.dk").encode() + (
        "Content-Type: text/plain; charset=x-unknown\nContent-Transfer-Encoding: 8bit\n\n"
        "Hvad koster en affaldsordning for en lille virksomhed på Åvej?\n"
    ).encode()
    m["utf8_declared_latin1_body"] = head("Forkert tegnsæt", mid="u8l1@x.dk").encode() + (
        b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    ) + "Hvordan får jeg en gravetilladelse på Ørstedsvej?\n".encode("latin-1")
    m["base64_bad_padding"] = head("Base64", mid="b64pad@x.dk").encode() + (
        b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
    ) + base64.b64encode("Må jeg holde loppemarked i gården?".encode()).rstrip(b"=")[:-1] + b"\n!!\n"
    qp = quopri.encodestring("Hej\n\nVi vil åbne en ølbar på Nørrebrogade og sælge smørrebrød.\n".encode())
    broken = qp.replace(b"=C3=B8", b"=C3=\n=B8").replace(b"=C3=A5", b"=C3=\n=A5", 1)
    m["qp_soft_break_in_danish_letters"] = head("QP", mid="qp@x.dk").encode() + (
        b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + broken
    )
    m["qp_broken_escapes"] = head("QP fejl", mid="qpbad@x.dk").encode() + (
        b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        b"Pris =ZZ 100 kr =\n og =E6=F8 =C3=A6bler=\n"
    )
    lf = head("Linjeskift LF", mid="lf@x.dk") + text_plain("Linje et\nLinje to om åbningstider\n")
    m["lf_line_endings"] = lf.encode()
    m["crlf_line_endings"] = lf.replace("lf@x.dk", "crlf@x.dk").replace("LF", "CRLF").replace("\n", "\r\n").encode()
    m["mixed_line_endings"] = lf.replace("lf@x.dk", "mixed@x.dk").replace("\n", "\r\n", 4).encode()
    return m


def _attachment_part(ctype: str, filename_params: str, data: bytes, boundary: str = "B") -> bytes:
    return (
        f"--{boundary}\nContent-Type: {ctype}\nContent-Disposition: attachment;{filename_params}\n"
        "Content-Transfer-Encoding: base64\n\n"
    ).encode() + b64(data)


def _with_attachments(subject: str, mid: str, *parts: bytes) -> bytes:
    return (
        head(subject, mid=mid) + 'Content-Type: multipart/mixed; boundary="B"\n\n'
        "--B\n" + text_plain("Se vedhæftede fil.\n")
    ).encode() + b"".join(parts) + b"--B--\n"


def _attachments() -> dict[str, bytes]:
    m: dict[str, bytes] = {}
    m["attachment_pdf"] = _with_attachments("Tegning", "pdf@x.dk", _attachment_part("application/pdf", " filename=tegning.pdf", PDF))
    m["attachment_inline_image"] = (
        head("Billede", mid="img@x.dk") + 'Content-Type: multipart/related; boundary="R"\n\n'
        '--R\nContent-Type: text/html; charset=utf-8\n\n<p>Se skiltet her: <img src="cid:skilt@x" alt="skilt"></p>\n'
        "--R\nContent-Type: image/png\nContent-ID: <skilt@x>\nContent-Disposition: inline\n"
        "Content-Transfer-Encoding: base64\n\n"
    ).encode() + b64(PNG) + b"--R--\n"
    big = bytes(range(256)) * 4400  # 1.1 MB, over a 1 MB cap
    m["attachment_oversized"] = _with_attachments("Stor fil", "big@x.dk", _attachment_part("application/octet-stream", " filename=scan.bin", big))
    m["attachment_rfc2231_filename"] = _with_attachments(
        "Tilbud", "2231@x.dk",
        _attachment_part("application/pdf", "\n filename*=utf-8''tilbud%20%C3%A6%C3%B8%C3%A5.pdf", PDF),
    )
    m["attachment_rfc2047_filename"] = _with_attachments(
        "Ansøgning", "2047fn@x.dk",
        _attachment_part('application/pdf; name="=?utf-8?Q?ans=C3=B8gning.pdf?="', ' filename="=?utf-8?Q?ans=C3=B8gning.pdf?="', PDF),
    )
    m["tnef_winmail"] = _with_attachments("Outlook", "tnef@x.dk", _attachment_part("application/ms-tnef; name=winmail.dat", " filename=winmail.dat", TNEF))
    inner = (head("Oprindelig henvendelse", mid="inner@x.dk") + text_plain("Kan vi få en byggetilladelse til en carport?\n")).encode()
    m["forward_rfc822"] = (
        head("Fwd: Oprindelig henvendelse", mid="fwd@x.dk") + 'Content-Type: multipart/mixed; boundary="F"\n\n'
        "--F\n" + text_plain("Jeg videresender min kollegas spørgsmål.\n")
        + "\n--F\nContent-Type: message/rfc822\nContent-Disposition: inline\n\n"
    ).encode() + inner + b"\n--F--\n"
    return m


def _automatic() -> dict[str, bytes]:
    m: dict[str, bytes] = {}
    m["bounce_dsn"] = (
        b"From: Mail Delivery Subsystem <MAILER-DAEMON@mx.eksempel.dk>\nTo: erhverv@eksempel.dk\n"
        b"Subject: Delivery Status Notification (Failure)\nMessage-ID: <dsn@mx.eksempel.dk>\n"
        b"Return-Path: <>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n\n'
        b"--R\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
        b"--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.eksempel.dk\n\n"
        b"Final-Recipient: rfc822; ukendt@bageriet.dk\nAction: failed\nStatus: 5.1.1\n"
        b"--R\nContent-Type: text/rfc822-headers\n\nSubject: Vi har modtaget din henvendelse\n--R--\n"
    )
    m["outlook_out_of_office_da"] = (
        head("Automatisk svar: Vi har modtaget din henvendelse [Sag 2026-0007]", mid="oof@x.dk",
             extra="X-Auto-Response-Suppress: All\nX-MS-Exchange-Inbox-Rules-Loop: jens@bageriet.dk\n")
        + text_plain("Jeg er på ferie til og med 15. maj og læser ikke mails.\n")
    ).encode()
    m["gmail_vacation"] = (
        head("Ferie", mid="vac@x.dk", extra="Auto-Submitted: auto-replied\nPrecedence: bulk\n")
        + text_plain("Tak for din mail. Jeg er tilbage mandag.\n")
    ).encode()
    m["mailing_list"] = (
        head("[Erhvervsnyt] Nyt fra foreningen", mid="list@x.dk",
             extra="List-Id: Erhvervsnyt <erhvervsnyt.lists.x.dk>\nPrecedence: list\n"
                   "List-Unsubscribe: <mailto:leave@lists.x.dk>\n")
        + text_plain("Månedens nyheder fra foreningen.\n")
    ).encode()
    m["noreply_sender"] = (
        head("Din kvittering", mid="noreply@x.dk").replace("Jens Hansen <jens@bageriet.dk>", "Webshop <no-reply@webshop.dk>")
        + text_plain("Tak for dit køb.\n")
    ).encode()
    return m


def _replies() -> dict[str, bytes]:
    m: dict[str, bytes] = {}
    m["reply_gmail_danish"] = (head("Re: Udeservering", mid="gmailda@x.dk", extra="In-Reply-To: <out1@eksempel.dk>\nReferences: <first@bageriet.dk> <out1@eksempel.dk>\n") + text_plain(
        "Tak for svaret. Skal jeg også søge om tilladelse til parasoller?\n\nMvh Jens\n\n"
        "Den tors. 3. maj 2026 kl. 10.02 skrev Erhvervsservice <\nerhverv@eksempel.dk>:\n\n"
        "> Hej Jens\n>\n> Du skal søge om råden over vejareal.\n>\n"
    )).encode()
    m["reply_outlook_danish"] = (head("SV: Affald", mid="outlookda@x.dk") + text_plain(
        "Hej igen\n\nHvad koster det så for en container?\n\nMed venlig hilsen\nMette\n\n"
        "________________________________\nFra: Erhvervsservice <erhverv@eksempel.dk>\n"
        "Sendt: 3. maj 2026 10:02\nTil: Mette <mette@firma.dk>\nEmne: Affald\n\n"
        "Hej Mette\n\nI skal tilmelde jer erhvervsaffald.\n"
    )).encode()
    m["reply_english_on_wrote"] = (head("Re: Permit", mid="en@x.dk") + text_plain(
        "Thanks. Do I also need a sign permit?\n\nOn Mon, 3 May 2026 at 10:02, Business Service <erhverv@eksempel.dk> wrote:\n"
        "> You need a permit for outdoor seating.\n"
    )).encode()
    m["reply_original_message"] = (head("SV: Skilt", mid="orig@x.dk") + text_plain(
        "Hvor stort må skiltet være?\n\n-----Oprindelig meddelelse-----\nFra: erhverv@eksempel.dk\n"
        "Sendt: 3. maj 2026\nEmne: Skilt\n\nI må gerne sætte et skilt op.\n"
    )).encode()
    m["reply_html_outlook"] = (head("SV: Parkering", mid="htmlol@x.dk") + "Content-Type: text/html; charset=utf-8\n\n"
        "<html><body><div>Hvor mange p-pladser skal vi have?</div><div>Mvh Ole</div><hr>"
        '<div id="divRplyFwdMsg"><b>Fra:</b> Erhvervsservice<br><b>Sendt:</b> 3. maj 2026<br><b>Emne:</b> Parkering</div>'
        "<div>Det afhænger af lokalplanen.</div></body></html>\n").encode()
    m["reply_html_gmail_quote"] = (head("Re: Kaffe", mid="htmlgm@x.dk") + "Content-Type: text/html; charset=utf-8\n\n"
        '<div dir="ltr">Må jeg også sælge kaffe?</div><br><div class="gmail_quote"><div class="gmail_attr">'
        "Den tors. 3. maj 2026 kl. 10.02 skrev Erhvervsservice &lt;erhverv@eksempel.dk&gt;:<br></div>"
        "<blockquote>Du må sælge is.</blockquote></div>\n").encode()
    m["signature_cvr"] = (head("Spørgsmål om erhvervsaffald", mid="cvr@x.dk") + text_plain(
        "Hej\n\nSkal vi have en aftale om erhvervsaffald, når vi kun har kontor?\n\n"
        "Med venlig hilsen\n\nMette Jensen\nDirektør\nFirma ApS\nHovedgaden 1, 5000 Odense C\nCVR: 12345678\nTlf. 12 34 56 78\n"
    )).encode()
    return m


def _garbage() -> dict[str, bytes]:
    state = 12345
    out = bytearray()
    for _ in range(4096):  # a fixed linear congruential sequence: deterministic "random" bytes
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        out.append((state >> 16) & 0x1F if state % 3 else 0)
    return {"zero_byte": b"", "binary_garbage": bytes(out), "whitespace_only": b"\n\r\n  \n"}


def main() -> None:
    ODD.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(messages().items()):
        (ODD / f"{name}.eml").write_bytes(data)
    print(f"wrote {len(messages())} files to {ODD}")


if __name__ == "__main__":
    main()
