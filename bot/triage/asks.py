"""Questions an entry can only answer if its answer holds the fact asked for.

"Hvad koster det?" is answered by an entry that states an amount ("1.500 kr.",
"gratis"); an entry that only says a fee "may apply" leaves the business without
the figure it asked for, so the question goes to a person who can look it up.
"Koster det noget?" and "skal vi betale?" ask whether, not how much: an entry that
says how payment works ("der betales leje efter kommunens takster", "virksomheden
betaler ikke løn") answers them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.triage.text import fold

PRICE_INTENT = "!pris"
_AMOUNT = re.compile(
    r"\d[\d.,]*\s?(kr|kroner|dkk)\b|\bdkk\s?\d|\bgratis\b|\bkoster ikke\b|\b(intet|ingen) gebyr\b"
    r"|\bfree( of charge)?\b|\bno fee\b|\bdoes not cost\b"
)


@lru_cache(maxsize=4096)
def states_a_price(answer: str) -> bool:
    """True when the answer text names an amount or says it is free."""
    return bool(_AMOUNT.search(fold(answer)))


_HOW_MUCH = re.compile(
    r"\bhvad (koster|kostede|vil .{0,20}koste|skal (vi|man|jeg) (regne med at )?betale)|\bhvad det (koster|vil koste)"
    r"|\bhvor (meget|meget skal|dyrt)\b|\bhvad er (prisen|gebyret|taksten|afgiften|lejen|promillen|satsen)|\bhvilke?n? (pris|promille|sats)"
    r"|\bprisen (paa|for|pr)\b|\bpris pr\b|\bhow much\b|\bwhat (does|will|would) (it|this|that|the \w+) cost"
    r"|\bwhat(s| is| are) the (fee|fees|price|prices|cost|costs|rate|rates|charge)\b"
    r"|\b(exact|exactly|praecis|praecise|praecist)\b"
)
_PAYMENT = re.compile(
    r"\bbetal\w*|\bgebyr\w*|\btakst\w*|\bleje\b|\blejen\b|\bafgift\w*|\bpris\w*|\bkoster\b|\bl(oe|ø)n\b"
    r"|\babonnement\w*|\bpay\w*|\bfees?\b|\bcharges?\b|\brates?\b|\bprices?\b|\bcosts?\b|\bsalary\b|\bwages?\b"
)


def asks_how_much(text: str) -> bool:
    """True when the inquiry asks for a figure, not only whether something costs."""
    return bool(_HOW_MUCH.search(fold(text)))


@lru_cache(maxsize=4096)
def speaks_of_payment(answer: str) -> bool:
    """True when the answer says anything about who pays what: enough for "koster det noget?"."""
    return bool(_PAYMENT.search(fold(answer)))
