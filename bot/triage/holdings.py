"""What the business says it already has or has applied for: its own permit, licence, case.

The knowledge base explains how to get things: a licence, a permit, a registration.
A business that writes "vi fik vores miljøgodkendelse i 2019", "vores tilladelse
til udeservering gælder til september" or "vi søgte om refusion for to måneder siden"
holds the thing already, and its question is about its own case (a condition to
change, an expiry, a fine despite the permit), which the entry on getting one does
not answer. So when the best entry's title names what the business holds, triage
escalates; unless the entry itself is about something held (its questions say
"vores ...") or about acting on it (renewing, changing, deregistering).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.triage.index import IndexedEntry
from bot.triage.text import STOP, fold, stem, stems, words

# "vi har (fået)", "vores", "vi fik", "we have", "our", "vi søgte om" ... followed by what is held
_HOLDS = re.compile(
    r"\b(?:(?:vores|our) [\w-]+ (?:fik|har (?:allerede )?faaet|got|has (?:already )?got|was granted) "
    r"|(?:vi|jeg) (?:har|havde) (?:allerede |nu |jo |lige |haft )?(?:faaet )?|vores |min |mit |mine "
    r"|(?:vi|jeg) fik |har vi |we (?:already )?(?:have|had) (?:got )?|we got |our |my "
    r"|i (?:already )?(?:have|had) "
    r"|(?:vi|jeg) (?:har |havde )?(?:allerede )?(?:soegt|soegte|ansoegt|ansoegte|sendt|sendte|indsendt|indsendte"
    r"|anmeldt|anmeldte|indberettet|indberettede)(?: om| ind)? "
    r"|we (?:have |had )?(?:already )?(?:applied|submitted|sent|filed)(?: for| in)? )((?:[\w-]+ ){0,3}[\w-]+)"
)
# words before the noun that is held: determiners, possessives, adjectives of age and size
_BEFORE_NOUN = set("""vores min mit mine jeres en et den det de a an the our my egen eget egne fast faste
ny nye nyt gamle gammel gammelt store stor stort lille smaa foerste nuvaerende eksisterende
tidligere own new old current existing first big small its their sin sit sine deres""".split())
# "vi har sendt ansøgningen om ...": the verb of applying and its particle come before the noun
_APPLIED = set("""soegt soegte ansoegt ansoegte sendt sendte indsendt indsendte anmeldt anmeldte
indberettet indberettede faaet godkendt godkendte registreret approved granted om ind applied submitted sent filed for in""".split())
# "tilladelse til udeservering": the noun after the preposition says what it is for
_LINKS = set("til for af om paa med ved to of".split())
# acting on something held is what these entries are about
ACTS_ON_HELD = frozenset({"!forny", "!afmeld", "!aendre"})


# "vi er registreret som café": being registered, approved or notified holds the registration
_HOLDS_STATE = re.compile(
    r"\b(?:vi|jeg) (?:er|har vaeret|blev) (?:allerede |nu )?(registreret|godkendt|anmeldt|tilmeldt)\b"
    r"|\bwe (?:are|have been|were) (?:already )?(registered|approved)\b")
_STATE_NOUN = {"registreret": "registrering", "godkendt": "godkendelse", "anmeldt": "anmeldelse",
               "tilmeldt": "tilmelding", "registered": "registrering", "approved": "godkendelse"}


def held_terms(text: str) -> frozenset[str]:
    """Stems of the nouns the text says the business already has."""
    folded = " ".join(fold(text).split())
    found: set[str] = {stem(_STATE_NOUN[next(g for g in m.groups() if g)])
                       for m in _HOLDS_STATE.finditer(folded)}
    for match in _HOLDS.finditer(folded):
        ws = words(match.group(1))
        i = 0
        while i < len(ws) - 1 and (ws[i] in _BEFORE_NOUN or ws[i] in _APPLIED or ws[i].isdigit()):
            i += 1
        noun = ws[i:i + 1]
        if len(ws) > i + 2 and ws[i + 1] in _LINKS:
            noun.append(ws[i + 2])
        found |= {stem(w) for w in noun if w not in STOP and len(w) > 2}
    return frozenset(found - NEVER_HELD)


# "vi har kørt for kommunens vejafdeling": the municipality is who the business writes to,
# never a thing it holds
NEVER_HELD = frozenset(stem(w) for w in "kommune kommunen kommunens council municipality".split())


@lru_cache(maxsize=4096)
def _topic(title: str, questions: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The title's stems, and what the entry's own questions already hold."""
    own: frozenset[str] = frozenset()
    for text in (title, *questions):
        own |= held_terms(text)
    return frozenset(stems(title)), own


def already_held(held: frozenset[str], item: IndexedEntry, inquiry_intents: frozenset[str]) -> set[str]:
    """What the business holds of the entry's subject; empty when the entry is meant for that."""
    if not held or ACTS_ON_HELD & item.phrasing_groups & inquiry_intents:
        return set()
    topic, own = _topic(item.entry.title, tuple(item.entry.questions))
    return (held & topic) - own
