"""Signals that an inquiry is a real case for a person, and how big it is.

From the municipality's own split of its inquiries: a *medium* case needs
research in a department ("may this address be used for X", a notice from the
authorities, a specific property), a *complex* one coordinates several
authorities over time (expansion, relocation, large sites, new plans).
"""

from __future__ import annotations

import re

from bot.triage.text import fold

# (points, pattern on the folded text); patterns are deliberately about the situation, not a topic
SIGNALS: tuple[tuple[float, re.Pattern[str]], ...] = tuple(
    (points, re.compile(pattern)) for points, pattern in (
        (2.0, r"\b[a-z]+(vej|gade|vaenge|alle|plads|torv|straede|vejen|gaden|torvet|parken|bakken|haven) \d+\b"),
        (1.0, r"\b(vores|den) (konkrete|specifikke) (ejendom|bygning|grund|adresse|sag)|\bour specific\b|\bspecific (building|property|site)\b"),
        (1.0, r"\bhvilke tilladelser\b|\bwhich permits\b|\bwhat permits\b|\ballerede\b.*\bklager\b"),
        (1.5, r"\b(moede|moeder) med (baade|alle|flere)\b|\bsamlet moede\b|\bsamle (de )?relevante\b|\bkoordin\w+|\bcoordinat\w+|\bthe relevant people\b"),
        (2.0, r"\b\d+([.,]\d+)? (hektar|ha)\b|\b\d{1,3}\.\d{3} (m2|m²|kvm|kvadratmeter|gaester|deltagere|personer)|\b[1-9]\d{3,} (m2|m²|kvm)"),
        (1.5, r"\b\d{2,4} (ansatte|medarbejdere|employees|vaerelser|boliger|boder|rooms)\b"),
        (2.0, r"\budvid\w*|\bexpan\w*|\bflytte (vores|hele)\b|\brelocat\w*|\bnyt? (fabrik|fløj|floej|anlaeg|datacenter|showroom)\b"),
        (1.5, r"\bomdanne\w*|\bconvert\w*|\bindrette\b.*\b(boliger|lejligheder|vaerelser)\b"),
        (1.5, r"\bnabo\w* (har )?klage\w*|\bklager fra nabo\w*|\bvarslet\b|\bpaabud\b|\bpartshoering\b"),
        (1.0, r"\bhvad kraever det\b|\bhvordan griber vi det an\b|\bhvor starter vi\b|\bhvad er naeste skridt\b|\bi hvilken raekkefoelge\b|\bwhere do we start\b"),
        (1.0, r"\blokalplan\w*.*\b(tillader|kraever|ombygning)\b|\bhvordan forloeber\b"),
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
