"""Signals that an inquiry is a real case for a person, and how big it is.

From the municipality's own split of its inquiries: a *medium* case needs
research in a department ("may this address be used for X", a notice from the
authorities, a specific property), a *complex* one coordinates several
authorities over time (expansion, relocation, large sites, new plans).
"""

from __future__ import annotations

import re

from bot.triage.text import content_words, fold

_NUMBER = r"(\d+|en|et|to|tre|fire|fem|seks|syv|otte|ni|ti|fjorten|nogle|flere|par)"
_MONTH = r"(januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december)"
_SENT = (r"(fik|sendte|soegte|ansoegte|indsendte|klagede|anmeldte|indberettede|sendt|soegt|ansoegt|indsendt"
         r"|klaget|anmeldt|indberettet)")
_WHEN = rf"(for {_NUMBER} (dage|dag|uger|uge|maaneder|maaned|aar) siden|i {_MONTH}|den \d+\.|i sidste (uge|maaned)|i gaar|i forgaars)"
_SENT_EN = r"(applied|submitted|sent|filed|complained|appealed)"
_WHEN_EN = (r"((\d+|a|one|two|three|four|five|six|a few|several) (days?|weeks?|months?) ago|in (january|february|march"
            r"|april|may|june|july|august|september|october|november|december)|last (week|month))")

# (points, pattern on the folded text); patterns are deliberately about the situation, not a topic
SIGNALS: tuple[tuple[float, re.Pattern[str]], ...] = tuple(
    (points, re.compile(pattern)) for points, pattern in (
        # a street address; "på Torvegade 1. juni" is a date after the street, not a number in it
        (2.0, rf"\b[a-z]+(vej|gade|vaenge|alle|plads|torv|straede|vejen|gaden|torvet|parken|bakken|haven) \d+\b(?!\. ?{_MONTH})"),
        (1.0, r"\b(vores|den) (konkrete|specifikke) (ejendom|bygning|grund|adresse|sag)|\bour specific\b|\bspecific (building|property|site)\b"),
        (1.0, r"\bhvilke tilladelser\b|\bwhich permits\b|\bwhat permits\b|\ballerede\b.*\bklager\b"),
        (1.5, r"\b(moede|moeder) med (baade|alle|flere)\b|\bsamlet moede\b|\bsamle (de )?relevante\b|\bkoordin\w+|\bcoordinat\w+|\bthe relevant people\b"),
        (2.5, r"\b\d+([.,]\d+)? (hektar|ha|hectares?)\b|\b\d{1,3}\.\d{3} (m2|m²|kvm|kvadratmeter|gaester|deltagere|personer)|\b[1-9]\d{3,} (m2|m²|kvm)"),
        (1.5, r"\b\d{2,4} (ansatte|medarbejdere|employees|vaerelser|boliger|boder|rooms)\b"),
        (2.0, r"\budvid\w*|\bexpan\w*|\bflytte (vores|hele)\b|\brelocat\w*|\bnyt? (fabrik|fløj|floej|anlaeg|datacenter|showroom)\b"),
        (1.5, r"\bomdanne\w*|\bconvert\w*|\bindrette\b.*\b(boliger|lejligheder|vaerelser)\b"),
        (1.5, r"\bnabo\w* (har )?klage\w*|\bklager fra nabo\w*|\bvarslet\b|\bpaabud\b|\bpartshoering\b"),
        (1.0, r"\bhvad kraever det\b|\bhvordan griber vi det an\b|\bhvor starter vi\b|\bhvad er naeste skridt\b|\bi hvilken raekkefoelge\b|\bwhere do we start\b"),
        (1.0, r"\blokalplan\w*.*\b(tillader|kraever|ombygning)\b|\bhvordan forloeber\b"),
        # a free-standing advertising structure metres high: planning, landzone and road rules
        # meet there, unlike a sign on the shop's own facade
        (2.0, r"\b\d+([.,]\d+)? ?(meter|m) (hoej|hoejt|hoeje|high|tall) (\w+ )?(reklame)?(pylon|pylonskilt|reklamesoejle|skiltemast|reklamemast)\b"
              r"|\b(reklame)?(pylon|reklamesoejle|skiltemast)(en)? (paa|of) \d+([.,]\d+)? ?(meter|metres|meters|m)\b"
              r"|\b\d+([.,]\d+)?( |-)?(metre|meter|m)( high| tall)? (advertising )?(pylon|sign mast)\b"),
        # its own application or complaint, sent at a stated time: the question is where it stands
        (2.0, rf"\b(vi|jeg) (har |havde )?(allerede )?{_SENT}\b(?! (en |et |vores |jer )?(e-?faktura|faktura|regning))"
              r".{0,90}"
              rf"\b{_WHEN}"
              rf"|\bwe (have |had )?(already )?{_SENT_EN}\b.{{0,90}}\b{_WHEN_EN}"
              r"|\b(har (nu )?ligget|har ventet|venter stadig|still waiting|been waiting)\b.{0,30}\b(\d+|[a-z]+) (dage|uger|maaneder|days|weeks|months)\b"),
        # a deadline or licence that has already run out: what now is for a person to say
        (2.0, r"\budloeb (i |for |den |sidste )|\b(er|var) (allerede )?(udloebet|overskredet)\b|\bfristen (er|var) (gaaet|overskredet|sprunget)"
              r"|\b(uger|dage|maaneder|ugers|dages) (frist )?er (gaaet|ovre)\b|\b(has|have) (already )?expired\b|\bexpired (last|on|yesterday|a )|\bmissed the deadline\b"),
        # it did what was required and still got a fine or a rejection: a complaint about its own case
        (2.0, r"\b(selvom|even though|although)\b.{0,40}\b(brugte|betalte|havde|fulgte|var|sendte|used|paid|had|followed|was|were|sent)\b"
              r"|\b(p-afgift|parkeringsafgift|boede|parking ticket|a fine|the fine|fined)\b.{0,60}\b(selvom|alligevel|even though|although)\b"
              r"|\b(selvom|alligevel|even though|although)\b.{0,60}\b(p-afgift|parkeringsafgift|boede|parking ticket|a fine|the fine|fined)\b"),
        # the exact amount for its own case, not the rate an entry can state
        (2.0, r"\b(praecis|praecist|noejagtig|noejagtigt)\b.{0,50}\b(betale|koste\w*|beloeb\w*|kroner|kr|tilskud|refusion|promille)\b"
              r"|\b(betale|koste\w*|beloeb\w*|kroner|tilskud|refusion|promille)\b.{0,30}\b(praecis|praecist|noejagtigt)\b"
              r"|\b(exactly|precisely) how (much|many)\b|\bhow much (exactly|precisely)\b"),
    )
)


def case_points(text: str) -> tuple[float, list[str]]:
    """Points for case-like signals, with the matched snippets for the reasons."""
    folded = " ".join(fold(text).split())
    points, hits = 0.0, []
    for value, pattern in SIGNALS:
        match = pattern.search(folded)
        if match:
            points += value
            hits.append(match.group(0)[:40])
    return points, hits


# Signals of size and duration that only grade an escalation (they never stop an answer):
# a long-running, large or multi-party project is complex even when it is phrased simply.
SCALE: tuple[tuple[float, re.Pattern[str]], ...] = tuple(
    (points, re.compile(pattern)) for points, pattern in (
        (1.0, r"\b(\d+|fire|fem|seks|syv|otte|ni|ti) etager\b|\b(\d+|four|five|six|seven|eight) (storeys|stories|floors)\b"),
        (1.0, r"\b(to|tre|fire|fem|\d+)-?dages\b|\bflere dage\b|\b(two|three|four|\d+)-day\b|\bover flere aar\b|\bi etaper\b"),
        (1.0, r"\b(kan|kunne) (vi|i) (faa|holde|aftale|booke) (et|en) (moede|samtale|opstartsmoede)\b|\bset up a meeting\b"
              r"|\bhvordan (forloeber|starter) (saadan en |en |processen|proces)|\blaegge en plan\b|\b(tidsplan|projektplan)\b"),
        (1.0, r"\b(mio|millioner|million|mia|milliarder)\b"),
        (1.0, r"\betablere (et|en) \w*(anlaeg|fabrik|virksomhed|center|centre)\b|\bbygge (et |en )?nyt?\b"),
    )
)
CONTEXT_WORDS = 12  # an inquiry this long describes a situation someone must look into


def describes_situation(text: str) -> bool:
    """A long inquiry describes a situation rather than asking a quick question."""
    return len(content_words(text)) >= CONTEXT_WORDS


def scale_points(text: str, departments_named: int, several: int = 3) -> tuple[float, list[str]]:
    """Extra points that grade an escalation: length, size, duration, parties involved."""
    folded = " ".join(fold(text).split())
    points, hits = 0.0, []
    if describes_situation(folded):
        points, hits = 0.5, ["a described situation"]
    if departments_named >= several:
        points += 2.0
        hits.append(f"{departments_named} departments' matters")
    for value, pattern in SCALE:
        match = pattern.search(folded)
        if match:
            points += value
            hits.append(match.group(0)[:40])
    return points, hits
