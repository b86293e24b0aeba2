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

from bot.triage.features import Analysis
from bot.triage.index import KnowledgeIndex

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


class _IdfCache(dict):
    """idf per feature for one inquiry; the index keeps its own cache between inquiries."""

    def __init__(self, index: KnowledgeIndex) -> None:
        super().__init__()
        self.index = index

    def __missing__(self, feature: str) -> float:
        value = self[feature] = self.index.idf(feature)
        return value


def score_entries(query: Analysis, index: KnowledgeIndex, size: int) -> list[Scored]:
    idf = _IdfCache(index)
    total = sum(qw * idf[f] for f, qw in query.features.items()) or 1.0
    scored = [_score(query, idf, total, index, entry_id) for entry_id in shortlist(query, index, size)]
    return sorted(scored, key=lambda s: (-s.score, s.entry_id))


def score_listed(query: Analysis, index: KnowledgeIndex, entry_ids: list[str]) -> dict[str, Scored]:
    """The same score for given entries only: a single sentence of a long inquiry is
    compared with the candidates the whole inquiry found, not searched for anew."""
    idf = _IdfCache(index)
    total = sum(qw * idf[f] for f, qw in query.features.items()) or 1.0
    return {entry_id: _score(query, idf, total, index, entry_id) for entry_id in entry_ids}


def _score(query: Analysis, idf: _IdfCache, total: float, index: KnowledgeIndex,
           entry_id: str) -> Scored:
    item = index.item(entry_id)
    weights = item.weights
    matched = sum(qw * idf[f] * (weights.get(f) or _via_concept(f, weights, query))
                  for f, qw in query.features.items())
    query_cover = matched / total
    shared = [(f, qw) for f, qw in query.features.items() if f in weights]  # phrasings hold no others
    phrasing_cover = max((_cover(shared, p, idf, index.phrasing_weight(p)) for p in item.phrasings), default=0.0)
    return Scored(entry_id, math.sqrt(query_cover * phrasing_cover), query_cover, phrasing_cover)


CONCEPT_CREDIT = 0.7  # a word the entry lacks but whose concept it has counts a little less than itself


def _via_concept(feature: str, weights: dict[str, float], query: Analysis) -> float:
    """How strongly the entry says a concept the word is a term of ("regningen" for an entry
    on invoices): a synonym is explained, if less surely than the word itself."""
    concepts = query.concepts_of.get(feature)
    if not concepts:
        return 0.0
    return CONCEPT_CREDIT * max((weights.get(g, 0.0) for g in concepts), default=0.0)


def _cover(asked: list[tuple[str, float]], phrasing: dict[str, float], idf: dict[str, float],
           want: float) -> float:
    """Share of a phrasing's information (idf-weighted) that the inquiry mentions."""
    if not want:
        return 0.0
    have = 0.0
    for feature, qw in asked:
        pw = phrasing.get(feature)
        if pw:
            have += pw * idf[feature] * min(1.0, qw / pw)
    return have / want
