"""Score entries against an inquiry: how much of the inquiry an entry explains, and
how much of one of the entry's phrasings the inquiry says.

The two views fail differently: a long mail full of context explains poorly by
any entry (query coverage drops), while a short chat line covers few words of a
long phrasing (phrasing coverage drops); their geometric mean is high only when
both agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import repeat

from bot.triage.features import Analysis
from bot.triage.index import KnowledgeIndex, PhrasingTable

COMMON_SHARE = 0.05  # features in more entries than this share are skipped when shortlisting
SMALL_BASE = 200  # up to this many entries every shared feature counts
POSTINGS_BUDGET = 6000  # postings read per inquiry at most; the rarest features are read first


@dataclass(frozen=True)
class Scored:
    entry_id: str
    score: float
    query_cover: float
    phrasing_cover: float


def shortlist(query: Analysis, index: KnowledgeIndex, size: int) -> list[str]:
    """Entries sharing the query's distinctive features, best partial match first.

    In a large base the work is capped: features are read rarest first and
    reading stops at the first common feature or once the budget of postings is
    spent, so a query full of common words costs the same as any other (one
    feature is always read, so an inquiry with only common words still finds
    candidates)."""
    big = len(index) > SMALL_BASE
    limit = max(3, COMMON_SHARE * len(index))
    postings = [(p, f) for f in query.features if (p := index.postings.get(f))]
    if big:
        postings.sort(key=lambda pf: (len(pf[0]), pf[1]))
    totals: dict[str, float] = {}
    read = 0
    for posting, feature in postings:
        if big and totals and (len(posting) > limit or read + len(posting) > POSTINGS_BUDGET):
            break  # rarest first: every later feature is at least as common
        read += len(posting)
        w = query.features[feature] * index.idf(feature)
        for entry_id, ew in posting.items():
            totals[entry_id] = totals.get(entry_id, 0.0) + w * ew
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return [entry_id for entry_id, _ in ranked[:size]]


class _Terms:
    """One inquiry's features prepared once for scoring many entries: each with its
    idf-weighted query weight and the concepts it is a term of. Scoring is the inner
    loop of triage (a few dozen entries per inquiry), so the per-feature work that does
    not depend on the entry is not repeated per entry."""

    __slots__ = ("features", "idf", "terms", "total")

    def __init__(self, query: Analysis, index: KnowledgeIndex) -> None:
        idf = index.idf
        concepts_of = query.concepts_of
        self.features = query.features
        self.idf = {f: idf(f) for f in query.features}
        # qw * idf is the left factor of every matched term, so computing it once keeps the sums exact
        self.terms = [(f, qw * self.idf[f], concepts_of.get(f)) for f, qw in query.features.items()]
        self.total = sum(weighted for _, weighted, _ in self.terms) or 1.0


def score_entries(query: Analysis, index: KnowledgeIndex, size: int) -> list[Scored]:
    terms = _Terms(query, index)
    scored = [_score(terms, index, entry_id) for entry_id in shortlist(query, index, size)]
    return sorted(scored, key=lambda s: (-s.score, s.entry_id))


def score_listed(query: Analysis, index: KnowledgeIndex, entry_ids: list[str]) -> dict[str, Scored]:
    """The same score for given entries only: a single sentence of a long inquiry is
    compared with the candidates the whole inquiry found, not searched for anew."""
    terms = _Terms(query, index)
    return {entry_id: _score(terms, index, entry_id) for entry_id in entry_ids}


def _score(terms: _Terms, index: KnowledgeIndex, entry_id: str) -> Scored:
    item = index.item(entry_id)
    weights = item.weights
    get = weights.get
    matched = 0.0
    for f, weighted, concepts in terms.terms:
        w = get(f)
        if w:
            matched += weighted * w
        elif concepts:  # a word the entry lacks may still be explained through a concept
            w = _via_concept(concepts, weights)
            if w:  # a zero term adds nothing
                matched += weighted * w
    query_cover = matched / terms.total
    idf = terms.idf
    shared = [(f, qw, idf[f]) for f, qw in terms.features.items() if f in weights]  # phrasings hold no others
    phrasing_cover = _phrasing_cover(shared, index.phrasing_table(entry_id)) if shared else 0.0
    return Scored(entry_id, math.sqrt(query_cover * phrasing_cover), query_cover, phrasing_cover)


CONCEPT_CREDIT = 0.7  # a word the entry lacks but whose concept it has counts a little less than itself


def _via_concept(concepts: set[str], weights: dict[str, float]) -> float:
    """How strongly the entry says a concept the word is a term of ("regningen" for an entry
    on invoices): a synonym is explained, if less surely than the word itself."""
    return CONCEPT_CREDIT * max(map(weights.get, concepts, repeat(0.0)), default=0.0)


def _phrasing_cover(asked: list[tuple[str, float, float]], table: PhrasingTable) -> float:
    """The best share of one phrasing's information (idf-weighted) that the inquiry mentions.

    Each phrasing's share is summed over the inquiry's words in their order, as if
    phrasing by phrasing."""
    have: dict[int, float] = {}
    places = table.places
    for feature, qw, idf in asked:
        for number, pw in places.get(feature, ()):
            have[number] = have.get(number, 0.0) + pw * idf * min(1.0, qw / pw)
    best = 0.0
    wants = table.wants
    for number, covered in have.items():
        want = wants[number]
        if want and covered / want > best:
            best = covered / want
    return best
