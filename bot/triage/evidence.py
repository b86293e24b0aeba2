"""The evidence for each candidate entry that it answers the inquiry.

No single similarity separates a right answer from a near miss, so each of the
best few candidates is described by a handful of generic measurements: how well
three independent matchers (stems and concepts, character grams, fuzzy matching
of phrasings) rate it and by how much it beats the other candidates on each, how
much of the inquiry's rarer content the entry does not explain at all, intents
the entry never mentions, and the shape of the inquiry. The answerability model
turns these into a probability that the candidate is the right answer.
A word counts as explained when the entry has it or a concept it is a term of:
a business describes its situation in its own words ("tøjbutikken", "regningen"),
and only content that no synonym ties to the entry marks a question it does not answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.triage.features import Analysis
from bot.triage.index import KnowledgeIndex
from bot.triage.scoring import Scored, score_listed
from bot.triage.text import content_words, fold
from bot.types import Lang

POOL = 6  # candidates from the stem scorer that are weighed in full
GRAM_POOL = 3  # of those, the best compared by character grams too (the costliest matcher)

FEATURES = (
    "score", "score_gap", "score_rel", "grams", "grams_gap", "fuzzy", "fuzzy_gap", "query_cover",
    "phrasing_cover", "unexplained", "known_unexplained", "unknown", "intent_mismatch",
    "intent_in_answer_only", "focus_unexplained", "agreement",
    "length", "questions", "english", "case_points",
    "sentence_score", "sentence_gap", "sentence_unexplained", "touched_unexplained",
)


@dataclass(frozen=True)
class Evidence:
    entry_id: str
    values: dict[str, float]

    def describe(self) -> str:
        v = self.values
        return (f"{self.entry_id}: stems {v['score']:.2f} (gap {v['score_gap']:+.2f}), "
                f"char-grams {v['grams']:.2f} (gap {v['grams_gap']:+.2f}), "
                f"fuzzy {v['fuzzy']:.2f} (gap {v['fuzzy_gap']:+.2f}), "
                f"unexplained {v['unexplained']:.0%}")


def gather(text: str, query: Analysis, scored: list[Scored], index: KnowledgeIndex,
           lang: Lang, case_points: float = 0.0, focus: Analysis | None = None,
           sentences: Sequence[Analysis] = ()) -> list[Evidence]:
    """Evidence for the stem scorer's best ``POOL`` candidates, in its order.

    ``focus`` is the analysis of the inquiry's question sentences: in a long mail
    the context matters less than what is actually asked. ``sentences`` are the
    inquiry's sentences analysed one by one: the question sentence of a mail may
    match an entry strongly on its own while greetings and background dilute it.
    An analysis passed more than once (the same object) is measured once."""
    pool = scored[:POOL]
    if not pool:
        return []
    ids = [s.entry_id for s in pool]
    grams = dict.fromkeys(ids, 0.0) | index.grams.similarities(text, ids[:GRAM_POOL])
    joined = " ".join(f for f in query.features if f[0] != "@")
    fuzzy = _fuzzy(joined, {i: index.item(i).phrasing_stems for i in ids})
    score = {s.entry_id: s.score for s in pool}
    shape = {**_shape(text, query, lang), "case_points": case_points}
    idf = {f: index.idf(f) for f in query.features}
    unexplained = _Unexplained(index)
    score_gap, grams_gap, fuzzy_gap = _gaps(score), _gaps(grams), _gaps(fuzzy)
    out = []
    for s in pool:
        values = {
            "score": s.score, "score_gap": score_gap[s.entry_id],
            "grams": grams[s.entry_id], "grams_gap": grams_gap[s.entry_id],
            "fuzzy": fuzzy[s.entry_id], "fuzzy_gap": fuzzy_gap[s.entry_id],
            "query_cover": s.query_cover, "phrasing_cover": s.phrasing_cover,
            **_unexplained(query, idf, index, s.entry_id, unexplained), **shape,
            "focus_unexplained": _missing_share(focus or query, index, s.entry_id, unexplained),
        }
        values["agreement"] = float(sum(values[g] > 0 for g in ("score_gap", "grams_gap", "fuzzy_gap")))
        # the gap as a share of the score: a long mail scores every entry low, yet one entry
        # can still stand out as clearly as in a one-line chat
        values["score_rel"] = max(-1.0, score_gap[s.entry_id] / s.score) if s.score > 0 else -1.0
        out.append(Evidence(s.entry_id, values))
    _add_sentences(out, sentences or [query], index, unexplained, query, {s.entry_id: s for s in pool})
    return out


class _Unexplained:
    """The content features of an analysis (concepts left out) and, per entry, those the
    entry does not explain, each worked out once per inquiry: the whole inquiry, its
    question sentences and each sentence are measured against the same candidates by
    several of the measurements, often with the same analysis (a one-sentence chat line)."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index
        self._content: dict[int, list[str]] = {}
        self._missing: dict[tuple[int, str], list[str]] = {}

    def content(self, query: Analysis) -> list[str]:
        found = self._content.get(id(query))
        if found is None:
            found = self._content[id(query)] = [f for f in query.features if f[0] != "@"]
        return found

    def missing(self, query: Analysis, entry_id: str) -> list[str]:
        """Content features, in the analysis's order, that the entry does not explain: it
        has neither the word itself nor a concept the word is a term of (a business writing
        "tøjbutik" or "regningen" is explained by an entry about shops or invoices)."""
        key = (id(query), entry_id)
        found = self._missing.get(key)
        if found is None:
            weights = self.index.item(entry_id).weights
            concepts_of = query.concepts_of
            found = self._missing[key] = [
                f for f in self.content(query)
                if f not in weights and (f not in concepts_of or weights.keys().isdisjoint(concepts_of[f]))]
        return found


def _add_sentences(out: list[Evidence], sentences: Sequence[Analysis], index: KnowledgeIndex,
                   unexplained: _Unexplained, query: Analysis | None = None,
                   query_scores: dict[str, Scored] | None = None) -> None:
    """Best single-sentence score per candidate and what the sentences touching it leave out.

    A sentence that is the whole inquiry (the same analysis) has the scores the
    inquiry already got: scoring is deterministic, so they are reused."""
    ids = [e.entry_id for e in out]
    per_sentence = [query_scores if s is query and query_scores is not None else score_listed(s, index, ids)
                    for s in sentences]
    best = {i: max(per_sentence, key=lambda ps: ps[i].score)[i] for i in ids}
    best_score = {i: best[i].score for i in ids}
    sentence_gap = _gaps(best_score)
    idf = index.idf
    for e in out:
        touching = [s for s in sentences
                    if len(unexplained.missing(s, e.entry_id)) < len(unexplained.content(s))]
        e.values["sentence_score"] = best_score[e.entry_id]
        e.values["sentence_gap"] = sentence_gap[e.entry_id]
        e.values["sentence_unexplained"] = 1.0 - best[e.entry_id].query_cover
        # the share of the touching sentences' content the entry never mentions (1 when none touch)
        total = sum(idf(f) for s in touching for f in unexplained.content(s))
        missing = sum(idf(f) for s in touching for f in unexplained.missing(s, e.entry_id))
        e.values["touched_unexplained"] = missing / total if total else 1.0


def _gaps(values: dict[str, float]) -> dict[str, float]:
    """How far each candidate is ahead of the best other one (negative when behind).

    The best other one is the runner-up for the leader (equal to it on a tie) and the
    leader for everyone else; a lone candidate's gap is its value."""
    if len(values) < 2:
        return dict(values)
    first, second = sorted(values.values(), reverse=True)[:2]
    return {key: value - (second if value == first else first) for key, value in values.items()}


def _fuzzy(query: str, phrasings: dict[str, tuple[str, ...]]) -> dict[str, float]:
    """Best fuzzy match of the inquiry's stems with one of each entry's phrasings (0..1):
    token-set ratio times partial ratio.

    The token-set ratios of all candidates' phrasings come from one call, best first;
    the slower partial ratio is computed only where the product can still beat that
    entry's best so far (a partial ratio is at most 100), with that floor as its cutoff
    so it may stop early. The maximum is the same as from comparing every phrasing."""
    best = dict.fromkeys(phrasings, 0.0)
    if not query:
        return best
    flat: list[str] = []
    owner: list[str] = []
    for entry_id, texts in phrasings.items():
        for text in texts:
            if text.count(" ") >= FUZZY_MIN_WORDS - 1:
                flat.append(text)
                owner.append(entry_id)
    for text, token_set, k in process.extract(query, flat, scorer=fuzz.token_set_ratio, limit=None):
        entry_id = owner[k]
        so_far = best[entry_id]
        if token_set * 100 / 10_000 <= so_far:
            continue
        floor = max(0.0, so_far * 10_000 / token_set - _CUTOFF_SLACK)
        value = token_set * fuzz.partial_ratio(query, text, score_cutoff=floor) / 10_000
        if value > so_far:
            best[entry_id] = value
    return best


# A phrasing of one or two words ("Næringsbrev") is contained whole in any inquiry that
# names it, and both ratios then say a perfect 1.0 about a long mail: no sign that the
# inquiry is worded like the entry's questions, which is what this measurement is for.
FUZZY_MIN_WORDS = 3
_CUTOFF_SLACK = 0.01  # below the exact floor, so rounding can never cut off a ratio that would win


def _unexplained(query: Analysis, idf: dict[str, float], index: KnowledgeIndex,
                 entry_id: str, unexplained: _Unexplained) -> dict[str, float]:
    """Inquiry content the entry never mentions: a near miss asks about something extra.

    "known" counts only what other entries do mention (the inquiry is about a topic
    the knowledge base has, just not in this entry); "unknown" is the share of
    content no entry mentions at all (often a question outside the base)."""
    item = index.item(entry_id)
    total = sum(idf.values()) or 1.0
    content = unexplained.content(query)
    missing = unexplained.missing(query, entry_id)
    known = [f for f in missing if f in index.postings]
    intents = [g for g in query.groups if g[0] == "!"]
    return {"unexplained": sum(idf[f] for f in missing) / total,
            "known_unexplained": sum(idf[f] for f in known) / total,
            "unknown": (len(missing) - len(known)) / (len(content) or 1),
            "intent_mismatch": float(sum(g not in item.groups for g in intents)),
            "intent_in_answer_only": float(sum(g in item.groups and g not in item.phrasing_groups
                                               for g in intents))}


def _missing_share(query: Analysis, index: KnowledgeIndex, entry_id: str, unexplained: _Unexplained) -> float:
    idf = index.idf
    total = sum(idf(f) for f in unexplained.content(query)) or 1.0
    return sum(idf(f) for f in unexplained.missing(query, entry_id)) / total


_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*")
_ASKS = re.compile(r"^(hv\w*|kan|kunne|maa|skal|er|har|findes|giver|kraever|how|what|when|where|who|which|"
                   r"can|could|do|does|is|are|should|may|must)\b")


CONTEXT_FREE_WORDS = 3  # a question with fewer content words leans on the sentence before it


def sentences_of(text: str) -> list[str]:
    """The question sentences of a text, or all its sentences if none asks anything.

    "Er det overhovedet muligt?" says nothing on its own: what "det" is stands in the
    sentence before, so a question that short is read together with that sentence."""
    found = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    asked = []
    for i, sentence in enumerate(found):
        if _asks(sentence):
            short = len(content_words(sentence)) < CONTEXT_FREE_WORDS
            asked.append(f"{found[i - 1]} {sentence}" if short and i else sentence)
    return asked or found


def _asks(sentence: str) -> bool:
    return sentence.endswith("?") or bool(_ASKS.match(fold(sentence)))


def question_sentences(text: str) -> str:
    """The sentences that ask something ("?" or a question word first); all text if none do."""
    asked = [s.strip() for s in _SENTENCE.findall(text) if _asks(s.strip())]
    return " ".join(asked) if asked else text


def _shape(text: str, query: Analysis, lang: Lang) -> dict[str, float]:
    return {"length": math.log(1.0 + sum(1 for f in query.features if f[0] != "@")),
            "questions": float(min(3, text.count("?"))),
            "english": 1.0 if lang == "en" else 0.0}
