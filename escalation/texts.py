"""What the business reads: answers, acknowledgements and notices, in Danish or English.

Kept in one place so the wording can be reviewed as a whole: polite, plain, no padding.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.types import Entry

MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
             "september", "oktober", "november", "december")
WEEKDAYS_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


def format_date(day: date, lang: str) -> str:
    if lang == "en":
        return day.strftime("%A %-d %B %Y")
    return f"{WEEKDAYS_DA[day.weekday()]} den {day.day}. {MONTHS_DA[day.month - 1]} {day.year}"


def answer_text(entry: Entry, lang: str) -> str:
    body = entry.answer_en if lang == "en" and entry.answer_en else entry.answer
    links = "".join(f"\n{link}" for link in entry.links)
    if lang == "en":
        return (f"{body}{links}\n\nDid this answer your question? If not, just reply and a member "
                "of staff will take over.")
    return (f"{body}{links}\n\nFik du svar på dit spørgsmål? Hvis ikke, så skriv blot tilbage, "
            "så giver vi din henvendelse videre til en medarbejder.")


def acknowledgement(case: dict[str, Any], assignee: dict[str, Any] | None, lang: str,
                    municipality: str, working_days: int, extra: str = "") -> str:
    """``extra`` is a paragraph placed before the signature (e.g. asking for contact details)."""
    extra = f"{extra}\n\n" if extra else ""
    deadline = format_date(date.fromisoformat(case["deadline"]), lang)
    if lang == "en":
        person = (f"Your contact person is {assignee['name']} ({case['department']}), who follows "
                  "your case from start to finish." if assignee else
                  f"Your case is with {case['department']}, who will name your contact person.")
        return (f"We have received your inquiry and registered it as case {case['number']}.\n\n"
                f"{person}\n\nYou will hear from us no later than {deadline} ({working_days} working "
                "days): who handles your case, which permits are needed, how long it takes and what it "
                f"costs.\n\nPlease quote case {case['number']} if you write to us again.\n\n"
                f"{extra}Kind regards\nErhvervsservice, {municipality}")
    person = (f"Din kontaktperson er {assignee['name']} ({case['department']}), som følger sagen "
              "fra start til slut." if assignee else
              f"Sagen ligger hos {case['department']}, som giver dig besked om, hvem din kontaktperson er.")
    return (f"Vi har modtaget din henvendelse og oprettet den som sag {case['number']}.\n\n"
            f"{person}\n\nDu hører fra os senest {deadline} ({working_days} arbejdsdage) med svar på, "
            "hvem der behandler sagen, hvilke tilladelser der skal til, hvor lang tid det tager, og hvad "
            f"det koster.\n\nSkriv sagsnummer {case['number']}, hvis du skriver til os igen.\n\n"
            f"{extra}Med venlig hilsen\nErhvervsservice, {municipality}")


def attached_notice(case_number: str, lang: str) -> str:
    if lang == "en":
        return f"Thank you. We have added your message to case {case_number}; your contact person will get back to you."
    return f"Tak. Vi har lagt din besked på sag {case_number}, og din kontaktperson vender tilbage."


def ask_contact(lang: str) -> str:
    if lang == "en":
        return ("So that your contact person can reach you after you close this page, please write "
                "your email address or phone number here.")
    return ("Så din kontaktperson kan få fat i dig, når du har lukket siden, må du gerne skrive din "
            "e-mailadresse eller dit telefonnummer her.")


def contact_saved(lang: str) -> str:
    if lang == "en":
        return "Thank you, we have noted how to reach you."
    return "Tak, vi har noteret, hvordan vi kan kontakte dig."


def attachments_received(lang: str) -> str:
    if lang == "en":
        return "Thank you for the file. A member of staff will look at it together with your inquiry."
    return "Tak for filen. En medarbejder ser på den sammen med din henvendelse."


def subject_for(subject: str, case_number: str | None, lang: str) -> str:
    base = subject.strip() or ("Your inquiry" if lang == "en" else "Din henvendelse")
    if case_number and case_number not in base:
        base = f"{base} [Sag {case_number}]"
    return base


def satisfaction_question(case_number: str, lang: str) -> str:
    if lang == "en":
        return (f"Case {case_number} is now closed. How satisfied are you with the cooperation? "
                "Reply with a number from 1 (very dissatisfied) to 5 (very satisfied). "
                "If something is still open, just write to us and the case is reopened.")
    return (f"Sag {case_number} er nu afsluttet. Hvor tilfreds er du med samarbejdet? "
            "Svar med et tal fra 1 (meget utilfreds) til 5 (meget tilfreds). "
            "Er der stadig noget uafklaret, så skriv blot til os, så genåbner vi sagen.")


def satisfaction_thanks(lang: str) -> str:
    if lang == "en":
        return "Thank you for your answer. It helps us improve."
    return "Tak for dit svar. Det hjælper os til at blive bedre."
