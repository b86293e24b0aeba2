"""What a contact person reads when a case's answer deadline is near or has passed.

Deliberately short, in the staff member's own language: the case number, the deadline,
the department and a link to the case. A mail may be forwarded or kept in a mailbox for
years, so nothing of the business's inquiry and no personal data beyond the case number
goes into it; the workspace holds the rest, behind a login.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from escalation.texts import format_date

if TYPE_CHECKING:
    from bot.config import Settings

REMINDER = "deadline_near"
BREACH = "deadline_breached"

_SUBJECTS = {
    (REMINDER, "da"): "Påmindelse: sag {number} skal besvares senest {deadline}",
    (REMINDER, "en"): "Reminder: case {number} must be answered by {deadline}",
    (BREACH, "da"): "Fristen er overskredet: sag {number}",
    (BREACH, "en"): "Deadline passed: case {number}",
}

_HEADLINES = {
    (REMINDER, "da"): "Påmindelse: sag {number} skal besvares senest {deadline}",
    (REMINDER, "en"): "Reminder: case {number} must be answered by {deadline}",
    (BREACH, "da"): "Fristen er overskredet: sag {number} skulle have været besvaret senest {deadline}",
    (BREACH, "en"): "Deadline passed: case {number} should have been answered by {deadline}",
}

_DEPUTY = {
    (REMINDER, "da"): "Du får påmindelsen som stedfortræder, fordi sagens kontaktperson er fraværende.",
    (REMINDER, "en"): "You receive this reminder as deputy, because the case's contact person is away.",
    (BREACH, "da"): "Du får beskeden som stedfortræder for sagens kontaktperson.",
    (BREACH, "en"): "You receive this as deputy for the case's contact person.",
}

_CLOSING = {
    (REMINDER, "da"): "Virksomheden er lovet svar inden fristen. Henvendelsen og svarformularen ligger i "
                      "medarbejderområdet.",
    (REMINDER, "en"): "The business was promised an answer by then. The inquiry and the reply form are in "
                      "the staff workspace.",
    (BREACH, "da"): "Giv virksomheden besked hurtigst muligt, også selv om svaret ikke er klar endnu.",
    (BREACH, "en"): "Please let the business hear from us as soon as possible, even if the answer is not "
                    "ready yet.",
}

_SIGNATURE = {"da": "Automatisk besked fra Indgang", "en": "Automatic message from Indgang"}


@dataclass(frozen=True)
class Mailing:
    """Present only when an email channel exists: ``public_url`` makes the case a link,
    ``domain`` names the notices' Message-IDs like every other mail Indgang sends."""

    public_url: str = ""
    domain: str = "indgang.local"

    def case_link(self, thread_id: int) -> str:
        return f"{self.public_url.rstrip('/')}/staff/threads/{thread_id}" if self.public_url else ""


def mailing_for(settings: Settings) -> Mailing:
    """Notices name the workspace the configuration publishes and carry the bot's own domain."""
    return Mailing(public_url=settings.web.public_url,
                   domain=settings.email.address.rpartition("@")[2] or "indgang.local")


@dataclass(frozen=True)
class Notice:
    subject: str
    text: str
    lang: str


def compose(kind: str, case: Mapping[str, Any], lang: str, link: str = "", as_deputy: bool = False) -> Notice:
    """The reminder (``REMINDER``) or the breach notice (``BREACH``) for one recipient."""
    lang = "en" if lang == "en" else "da"
    deadline = format_date(date.fromisoformat(case["deadline"]), lang)
    headline = _HEADLINES[kind, lang].format(number=case["number"], deadline=deadline)
    subject = _SUBJECTS[kind, lang].format(number=case["number"], deadline=deadline)
    parts = [f"{headline}.", _where(case["department"], link, lang)]
    if as_deputy:
        parts.append(_DEPUTY[kind, lang])
    parts += [_CLOSING[kind, lang], _SIGNATURE[lang]]
    return Notice(subject, "\n\n".join(parts), lang)


def _where(department: str, link: str, lang: str) -> str:
    if lang == "en":
        return f"Department: {department}\n" + (f"Open the case: {link}" if link else
                                                "Find the case by its number in the staff workspace.")
    return f"Afdeling: {department}\n" + (f"Åbn sagen: {link}" if link else
                                          "Find sagen under sagsnummeret i medarbejderområdet.")
