"""Normalised words: the one spelling that inquiries and knowledge entries are compared in.

Businesses write "aa" for "å", drop capitals and inflect freely, so every text is
lowercased, folded to ASCII (æ->ae, ø->oe, å->aa), split into words, stripped of
stop words and reduced to its Snowball stem before anything is compared.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

import Stemmer

from bot.types import Lang

_FOLD = {"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "è": "e", "ü": "u",
         "ö": "oe", "ä": "ae", "á": "a", "ó": "o", "í": "i", "ç": "c", "ñ": "n", "§": " paragraf "}
_WORD = re.compile(r"[a-z0-9]+")
_STEMMER = Stemmer.Stemmer("danish")

DANISH_STOP = set("""
ad af aldrig alle alt anden andet andre at bare begge blev blive bliver da de dem den denne der
deres det dette dig din dine disse dit du efter eller en end er et far fik fra faa faar gaar
gik god godt ha had har havde have hej hen her hende hendes herefter hos hun hvad hvem hver
hvilke hvilken hvis hvor hvordan hvorfor hvornaar i ikke ind indtil jeg jer jeres jo kan kom
kommer kunne lidt lige man mange med meget men mens mere mig min mine mit mod maa maaske
naar nej noget nogen nogle nu ny nye nyt og ogsaa om op os over paa saa sammen se selv sig
sin sine sit skal skulle som stadig synes thi til ud uden under var ved vi vil ville vor vores
vaere vaeret alene allerede gerne helt hvilket igen ja jo lave nok ok okay osv pga fx ca evt
tak hilsen venlig mvh vh kaere goddag hallo via sine lad laver lige skal ske sker kr eks
""".split())

ENGLISH_STOP = set("""
a about above after again all am an and any are as at be been before being below between both
but by can could did do does doing down during each few for from further had has have having
he her here hers him his how i if in into is it its just me more most my no nor not now of off
on once only or other our ours out over own same she should so some such than that the their
them then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours hi hello dear thanks thank
regards best please get got need needs want wants also us let lets im ive dont cant whats
""".split())

STOP = DANISH_STOP | ENGLISH_STOP


def fold(text: str) -> str:
    """Lowercase and spell æ/ø/å as ae/oe/aa, the way a keyboard without them does.

    A few whole-string replacements instead of ``str.translate``: its per-character
    table lookup was the slowest step of indexing long answers."""
    folded = text.lower()
    if folded.isascii():
        return folded
    for char, spelled in _FOLD.items():
        if char in folded:
            folded = folded.replace(char, spelled)
    return folded


def words(text: str) -> list[str]:
    """All folded words, stop words included (for phrase and language checks)."""
    return _WORD.findall(fold(text))


def content_words(text: str) -> list[str]:
    """Folded words that carry meaning: stop words and bare numbers dropped."""
    return meaningful(words(text))


def meaningful(text_words: list[str]) -> list[str]:
    """``content_words`` of a text already split into words."""
    return [w for w in text_words if w not in STOP and not w.isdigit() and len(w) > 1]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball Danish stem of an already folded word (English words pass through mostly intact).

    Interned: every entry's features are keyed by stems, and one shared string per
    stem instead of one per entry keeps a large knowledge base small in memory."""
    return sys.intern(_STEMMER.stemWord(word))


def stems(text: str) -> list[str]:
    return [stem(w) for w in content_words(text)]


def normalise(text: str) -> str:
    """The text rules are matched on: folded, lowercase, single-spaced words."""
    return " ".join(words(text))


_DA_MARKERS = set("og er det at jeg vi ikke til paa med som har en af skal kan maa hvad hvordan "
                  "hvor vores min mit der den for om noget nogen hvornaar gerne".split())
_EN_MARKERS = set("the and is are to of we our my i you for do does how what can with a an "
                  "in on it this that be have need when where which there".split())


def detect_language(text: str) -> Lang:
    """"da" or "en" by counting common function words; Danish wins ties, as most mail is Danish."""
    tokens = words(text)
    if any(ch in text.lower() for ch in "æøå"):
        da_bonus = 2
    else:
        da_bonus = 0
    da = sum(t in _DA_MARKERS for t in tokens) + da_bonus
    en = sum(t in _EN_MARKERS for t in tokens)
    return "en" if en > da else "da"
