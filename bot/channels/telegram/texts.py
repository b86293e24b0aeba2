"""What the bot says on Telegram by itself: the /start greeting and the reply to a sticker.

Everything else the business reads (answers, acknowledgements, staff replies) is written
by the pipeline and ``escalation/texts.py`` and arrives through the outbox.
"""

from __future__ import annotations


def greeting(lang: str, first_name: str, municipality: str, working_days: int) -> str:
    """Says who answers, what the bot can do, and that a person takes over when needed."""
    if lang == "en":
        hello = f"Hello {first_name}!" if first_name else "Hello!"
        return (f"{hello} This is Erhvervsservice, {municipality}'s single entry point for businesses.\n\n"
                "Write your question here. If it is one we know the answer to – for example about "
                "building permits, alcohol licences or starting a business – you get the answer at once.\n\n"
                "If your inquiry needs a closer look, we register it as a case and a member of staff "
                "takes over as your contact person. You will hear from us within "
                f"{working_days} working days.\n\nYou are also welcome to send photos and documents.")
    hello = f"Hej {first_name}!" if first_name else "Hej!"
    return (f"{hello} Du skriver med Erhvervsservice, {municipality}s indgang for virksomheder.\n\n"
            "Skriv dit spørgsmål her. Kender vi svaret – fx om byggetilladelse, alkoholbevilling eller "
            "at starte virksomhed – får du det med det samme.\n\n"
            "Skal en medarbejder se nærmere på din henvendelse, opretter vi en sag, og en medarbejder "
            f"tager over som din kontaktperson. Du hører fra os inden for {working_days} arbejdsdage.\n\n"
            "Du er også velkommen til at sende billeder og dokumenter.")


def sticker_reply(lang: str) -> str:
    if lang == "en":
        return "Thank you! 😊 Just write your question here, and we will help you."
    return "Tak! 😊 Skriv blot dit spørgsmål her, så hjælper vi dig."


def greeting_lang(language_code: str | None) -> str:
    """The greeting comes before any text to judge by, so the phone's language decides it."""
    return "en" if (language_code or "").lower().startswith("en") else "da"
