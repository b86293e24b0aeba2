"""The chat page's words in Danish and English, and the errors a business may see.

Kept apart from the code so the wording can be reviewed in one place; the page gets both
languages so the language button switches without a reload.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["da", "en"]

STRINGS: dict[str, dict[str, str]] = {
    "da": {
        "title": "Skriv til Erhvervsservice",
        "intro": "Stil dit spørgsmål som virksomhed. Vi svarer med det samme, når vi kan – ellers "
                 "får du en fast kontaktperson hos kommunen.",
        "log_label": "Samtale",
        "input_label": "Din besked",
        "hint": "Enter sender beskeden, Shift+Enter giver en ny linje.",
        "send": "Send",
        "you": "Du",
        "sending": "Sender …",
        "offline": "Forbindelsen er afbrudt. Vi prøver igen …",
        "failed": "Beskeden kunne ikke sendes. Prøv igen om lidt.",
        "handed_over": "Din besked er modtaget, og en medarbejder ser på den.",
        "switch_lang": "English",
        "switch_lang_label": "Switch to English",
        "close": "Luk chatten",
        "open_widget": "Skriv til kommunen",
    },
    "en": {
        "title": "Write to Erhvervsservice",
        "intro": "Ask your question as a business. We answer at once when we can – otherwise you "
                 "get a named contact person at the municipality.",
        "log_label": "Conversation",
        "input_label": "Your message",
        "hint": "Enter sends the message, Shift+Enter adds a new line.",
        "send": "Send",
        "you": "You",
        "sending": "Sending …",
        "offline": "The connection was lost. Trying again …",
        "failed": "The message could not be sent. Please try again shortly.",
        "handed_over": "Your message has been received, and a member of staff will look at it.",
        "switch_lang": "Dansk",
        "switch_lang_label": "Skift til dansk",
        "close": "Close the chat",
        "open_widget": "Write to the municipality",
    },
}

ERRORS: dict[str, dict[str, str]] = {
    "empty": {"da": "Skriv en besked først.", "en": "Please write a message first."},
    "too_long": {
        "da": "Beskeden er for lang: højst {limit} tegn. Del den gerne op i flere beskeder.",
        "en": "The message is too long: at most {limit} characters. Please split it into several messages.",
    },
    "too_many": {
        "da": "Du har sendt mange beskeder på kort tid. Vent et øjeblik, og prøv så igen.",
        "en": "You have sent many messages in a short time. Please wait a moment and try again.",
    },
    "expired": {
        "da": "Siden er udløbet. Genindlæs siden, og prøv igen.",
        "en": "This page has expired. Please reload it and try again.",
    },
}


def pick_lang(*candidates: str | None) -> Lang:
    """The first of the candidates that is a language we speak; Danish by default."""
    for candidate in candidates:
        if candidate in ("da", "en"):
            return candidate  # type: ignore[return-value]
    return "da"


def error_text(code: str, lang: str, **values: object) -> str:
    return ERRORS[code][pick_lang(lang)].format(**values)
