"""Questions an entry can only answer if its answer holds the fact asked for.

"Hvad koster det?" is answered by an entry that states an amount ("1.500 kr.",
"gratis"); an entry that only says a fee "may apply" leaves the business without
the figure it asked for, so the question goes to a person who can look it up.
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
