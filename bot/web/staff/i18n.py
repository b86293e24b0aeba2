"""The words of the staff pages, Danish first; English for staff whose ``lang`` is "en"."""

from __future__ import annotations

from collections.abc import Callable

PHASE_NAMES = {
    "da": {"attraction": "Tiltrækning", "clarification": "Afklaring", "case_processing": "Sagsbehandling"},
    "en": {"attraction": "Attraction", "clarification": "Clarification", "case_processing": "Case processing"},
}
COMPLEXITY_NAMES = {
    "da": {"simple": "Simpel", "medium": "Medium", "complex": "Kompleks"},
    "en": {"simple": "Simple", "medium": "Medium", "complex": "Complex"},
}
OUTCOME_NAMES = {
    "da": {"answered": "Besvaret", "referred": "Henvist", "refused": "Afslag"},
    "en": {"answered": "Answered", "referred": "Referred", "refused": "Refused"},
}

# key: (Danish, English)
WORDS: dict[str, tuple[str, str]] = {
    "skip": ("Spring til indhold", "Skip to content"),
    "inbox": ("Sager", "Cases"),
    "entries": ("Vidensbase", "Knowledge base"),
    "try": ("Prøv et spørgsmål", "Try a question"),
    "unanswered": ("Ubesvarede", "Unanswered"),
    "rules": ("Regler", "Rules"),
    "staff": ("Medarbejdere", "Staff"),
    "logout": ("Log ud", "Log out"),
    "login": ("Log ind", "Log in"),
    "email": ("E-mail", "Email"),
    "password": ("Adgangskode", "Password"),
    "login_failed": ("Forkert e-mail eller adgangskode.", "Wrong email or password."),
    "mine": ("Mine sager", "My cases"),
    "department": ("Afdeling", "Department"),
    "my_department": ("Min afdeling", "My department"),
    "unassigned": ("Ikke tildelt", "Unassigned"),
    "all": ("Alle", "All"),
    "search": ("Søg", "Search"),
    "search_hint": ("Tekst, sagsnummer eller adresse", "Text, case number or address"),
    "phase": ("Fase", "Phase"),
    "complexity": ("Kompleksitet", "Complexity"),
    "channel": ("Kanal", "Channel"),
    "any": ("Alle", "Any"),
    "filter": ("Vis", "Show"),
    "case": ("Sag", "Case"),
    "business": ("Virksomhed", "Business"),
    "chat_visitor": ("Besøgende i webchatten", "Web chat visitor"),
    "first_line": ("Henvendelse", "Inquiry"),
    "contact_person": ("Kontaktperson", "Contact person"),
    "deadline": ("Svarfrist", "Deadline"),
    "last_activity": ("Seneste aktivitet", "Last activity"),
    "working_days_left": ("arbejdsdage tilbage", "working days left"),
    "overdue": ("Overskredet", "Overdue"),
    "due_soon": ("Under én arbejdsdag", "Under one working day"),
    "no_cases": ("Ingen sager her.", "No cases here."),
    "status": ("Status", "Status"),
    "open": ("Åben", "Open"),
    "closed": ("Lukket", "Closed"),
    "thread": ("Samtale", "Conversation"),
    "why_escalated": ("Hvorfor blev den sendt til en medarbejder?", "Why was it escalated?"),
    "bot_owns": ("Botten har samtalen.", "The bot owns this conversation."),
    "staff_owns": ("En medarbejder har samtalen; botten svarer ikke.", "A person owns this conversation; the bot stays quiet."),
    "actions": ("Handlinger", "Actions"),
    "take_over": ("Overtag sagen", "Take over"),
    "reply": ("Svar virksomheden", "Reply to the business"),
    "send": ("Send", "Send"),
    "note": ("Intern note", "Internal note"),
    "save_note": ("Gem note", "Save note"),
    "note_hint": ("Sendes aldrig til virksomheden.", "Never sent to the business."),
    "reassign": ("Giv sagen videre", "Reassign"),
    "person": ("Person", "Person"),
    "save": ("Gem", "Save"),
    "five_day": ("5-dages-svar", "5-day answer"),
    "permits": ("Tilladelser, der skal til", "Permits needed"),
    "process": ("Forløb og forventet tid", "Process and expected time"),
    "costs": ("Omkostninger", "Costs"),
    "close": ("Luk sagen", "Close the case"),
    "outcome": ("Udfald", "Outcome"),
    "close_message": ("Besked til virksomheden (sendes)", "Message to the business (sent)"),
    "dialogue": ("Beskeden tilbyder dialog om alternativer (kræves ved afslag)",
                 "The message offers a dialogue about alternatives (required for a refusal)"),
    "no_refusal": ("Intet afslag uden dialog.", "No refusal without dialogue."),
    "reopen": ("Genåbn sagen", "Reopen the case"),
    "attachments": ("Vedhæftede filer", "Attachments"),
    "history": ("Historik", "History"),
    "make_entry": ("Gør svaret til et emne i vidensbasen", "Make this answer a knowledge entry"),
    "in": ("Virksomheden", "Business"),
    "out": ("Svar", "Reply"),
    "bot": ("Botten", "Bot"),
    "internal": ("Intern note", "Internal note"),
    "entry": ("Emne", "Entry"),
    "score": ("Score", "Score"),
    "new_entry": ("Nyt emne", "New entry"),
    "title": ("Titel", "Title"),
    "phrasings": ("Formuleringer (én pr. linje)", "Phrasings (one per line)"),
    "answer_da": ("Svar på dansk", "Answer in Danish"),
    "answer_en": ("Svar på engelsk", "Answer in English"),
    "tags": ("Emneord (adskilt med komma)", "Tags (comma separated)"),
    "links": ("Links (én pr. linje)", "Links (one per line)"),
    "active": ("Aktiv", "Active"),
    "retire": ("Tag ud af brug", "Retire"),
    "retired": ("Ude af brug", "Retired"),
    "answered_times": ("Svaret", "Answered"),
    "unsatisfied_times": ("Utilfreds bagefter", "Unsatisfied after"),
    "changed_by": ("Ændret af", "Changed by"),
    "when": ("Hvornår", "When"),
    "what": ("Hvad", "What"),
    "question": ("Spørgsmål", "Question"),
    "decision": ("Beslutning", "Decision"),
    "reasons": ("Begrundelser", "Reasons"),
    "candidates": ("Kandidater", "Candidates"),
    "add_phrasing": ("Tilføj som formulering til", "Add as phrasing of"),
    "start_entry": ("Start et nyt emne herfra", "Start a new entry from this"),
    "times_asked": ("gange spurgt", "times asked"),
    "pattern": ("Mønster (regulært udtryk)", "Pattern (regular expression)"),
    "rule_note": ("Note", "Note"),
    "delete": ("Slet", "Delete"),
    "add": ("Tilføj", "Add"),
    "name": ("Navn", "Name"),
    "role": ("Rolle", "Role"),
    "departments": ("Afdelinger", "Departments"),
    "absent_from": ("Fraværende fra", "Away from"),
    "absent_to": ("Fraværende til", "Away to"),
    "deputy": ("Stedfortræder", "Deputy"),
    "none": ("Ingen", "None"),
    "password_link": ("Engangslink til at vælge adgangskode", "One-time link to choose a password"),
    "set_password": ("Vælg adgangskode", "Choose a password"),
    "saved": ("Gemt.", "Saved."),
    "live": ("Opdateres automatisk", "Updates automatically"),
    "language": ("Sprog", "Language"),
    "id": ("Id (små bogstaver, bindestreger)", "Id (lowercase, hyphens)"),
    "content_routed": ("(efter indhold)", "(by content)"),
}


def translator(lang: str) -> Callable[[str], str]:
    index = 1 if lang == "en" else 0

    def t(key: str) -> str:
        pair = WORDS.get(key)
        return pair[index] if pair else key
    return t


def names(lang: str) -> dict[str, dict[str, str]]:
    key = "en" if lang == "en" else "da"
    return {"phase": PHASE_NAMES[key], "complexity": COMPLEXITY_NAMES[key], "outcome": OUTCOME_NAMES[key]}
