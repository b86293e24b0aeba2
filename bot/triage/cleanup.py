"""Strip what surrounds the question in a business's mail: greetings, sign-offs, signatures.

A signature with a company name and CVR number would otherwise be matched as if it
were part of the question ("ApS", "VVS", a street name); only the words the
business wrote about its errand should reach the matcher.
"""

from __future__ import annotations

import re

from bot.triage.text import fold

_GREETING = re.compile(
    r"^(hej|hejsa|hallo|goddag|god dag|kaere|til|hi|hello|dear|good (morning|afternoon))\b[^.?!]{0,40}[,.!:]?$"
)
_SIGN_OFF = re.compile(
    r"^(med )?(venlig(st)?|mange|de bedste|bedste|kaerlig) hils(en|ner)\b|^mvh\b|^vh\b|^hilsen\b"
    r"|^(best|kind|warm)( regards| wishes)?\b[,.]?$|^(best|kind|warm) regards\b|^regards\b|^sincerely\b"
    r"|^yours( sincerely| faithfully)?\b|^cheers\b|^--\s*$|^sendt fra min\b|^sent from my\b"
)
_THANKS_ONLY = re.compile(
    r"^(paa forhaand tak|tak paa forhaand|paa forhaand mange tak|paa forhaand tusind tak|tak"
    r"|mange tak|thanks( in advance)?|thank you( in advance)?|many thanks)[.!]*$"
)
_SIGNATURE_LINE = re.compile(
    r"\bcvr[- .]*(nr\.?|nummer)?:?\s*\d{8}\b|\bse[- ]?nr\.?:?\s*\d|\b(tlf|telefon|mobil|phone|tel|mob)\b\.?:?\s*[+\d]|@\w+\.\w+|www\.|https?://"
    r"|^\+?\d[\d ]{7,}$|^\d{4} [a-z]+$"
)
_QUOTE_HEADER = re.compile(r"^(den .* skrev|on .* wrote|fra:|from:|-----\s*original)", re.IGNORECASE)


def clean_inquiry(text: str) -> str:
    """The business's own words: no greeting, thanks-only lines, sign-off, signature or quote."""
    kept: list[str] = []
    for line in _latest_reply(text).splitlines():
        folded = fold(line.strip())
        if _SIGN_OFF.search(folded):
            break
        if not folded or _THANKS_ONLY.match(folded) or _SIGNATURE_LINE.search(folded):
            continue
        if not kept and _GREETING.match(folded):
            continue
        kept.append(line.strip())
    return "\n".join(kept).strip()


def _latest_reply(text: str) -> str:
    """Drop quoted history: ``>`` lines and everything after a "Den ... skrev:" header."""
    lines: list[str] = []
    for line in text.splitlines():
        if _QUOTE_HEADER.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            lines.append(line)
    return "\n".join(lines)


_UNSATISFIED = re.compile(
    r"\b(det|dette|svaret|linket|det svar)( her)? (hjalp|hjaelper|hjaelp|virkede|virker|besvarer|svarer)"
    r" (mig )?(ikke|ikk|slet ikke)"
    r"|\bikke (det|hvad) (jeg|vi) (spurgte|spoerger|mente|spurgt)"
    r"|\b(forkert|misforstaaet|misforstod|irrelevant|ubrugeligt?) svar\b|\bsvaret (er|var) forkert"
    r"|\b(jeg|vi) (vil|vil gerne|oensker at) (tale|snakke) med (en|et) (person|menneske|medarbejder)"
    r"|\bikke (brugbart|relevant|svar paa)\b|\bdet er ikke (rigtigt|korrekt)"
    r"|\b(that|this|it) (did not|didn'?t|does not|doesn'?t) (help|answer|work)"
    r"|\bnot what (i|we) (asked|meant|was asking)|\b(wrong|unhelpful|useless) answer"
    r"|\b(speak|talk) (to|with) (a|an) (human|person|real person)"
)


def is_unsatisfied(text: str) -> bool:
    """True when a follow-up says the bot's answer missed: then a person takes over."""
    return bool(_UNSATISFIED.search(" ".join(fold(text).replace("’", "'").split())))
