"""A second, independent matcher: TF-IDF over character 3-5-grams of each word.

Words are compared by their pieces, so "lagerhal", "lagerhallen" and "lager hal",
misspellings ("stilads") and English cognates ("licence"/"licens") still share
most of their grams. The stem-and-concept scorer and this one fail on different
inquiries; when both pick the same entry, that agreement is strong evidence.
Grams are cached per word (words repeat across entries), so an entry costs one
merge of cached counters, and document frequencies are kept incrementally.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from bot.triage.text import STOP, words

SIZES = (3, 4, 5)


@lru_cache(maxsize=200_000)
def word_grams(word: str) -> tuple[str, ...]:
    """Character grams of one folded word, padded so prefixes and suffixes count."""
    padded = f" {word} "
    return tuple(padded[i:i + n] for n in SIZES for i in range(len(padded) - n + 1))


def gram_counts(text: str) -> Counter[str]:
    """Gram counts of a text's content words (stop words would make every text alike)."""
    counts: Counter[str] = Counter()
    for word in words(text):
        if word not in STOP and len(word) > 1 and not word.isdigit():
            counts.update(word_grams(word))
    return counts


class CharGramIndex:
    """Document frequencies of grams over entries, and each entry's gram counts."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.counts: dict[str, Counter[str]] = {}
        self._vectors: dict[str, dict[str, float]] = {}
        self._idf: dict[str, float] = {}
        self._cached_at = 0

    def add(self, entry_id: str, text: str) -> None:
        counts = gram_counts(text)
        self.counts[entry_id] = counts
        self.df.update(counts.keys())
        self._vectors.pop(entry_id, None)

    def discard(self, entry_id: str) -> None:
        counts = self.counts.pop(entry_id, None)
        if counts is not None:
            self.df.subtract(counts.keys())
            self._vectors.pop(entry_id, None)

    def idf(self, gram: str) -> float:
        """Smoothed idf, cached; the caches are emptied when the base has changed size by
        a tenth, so a large base is not re-weighted for every edited entry."""
        n = len(self.counts)
        if abs(n - self._cached_at) > 0.1 * self._cached_at + 5:
            self._idf.clear()
            self._vectors.clear()
            self._cached_at = n
        value = self._idf.get(gram)
        if value is None:
            value = self._idf[gram] = math.log((1 + n) / (1 + self.df[gram])) + 1.0
        return value

    def _vector(self, entry_id: str) -> dict[str, float]:
        """An entry's unit-length TF-IDF vector, built when first needed and kept until
        the base has grown or shrunk noticeably (see ``idf``)."""
        vector = self._vectors.get(entry_id)
        if vector is None:
            self.idf("")  # refreshes the caches when the base size moved
            top, df, log = math.log(1 + len(self.counts)) + 1.0, self.df, math.log
            raw = {g: (1.0 + log(c)) * (top - log(1 + df[g])) for g, c in self.counts[entry_id].items()}
            norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
            vector = self._vectors[entry_id] = {g: v / norm for g, v in raw.items()}
        return vector

    def similarities(self, text: str, entry_ids: list[str]) -> dict[str, float]:
        """Cosine between the text and each listed entry (0..1)."""
        query = {g: _tf(c) * self.idf(g) for g, c in gram_counts(text).items()}
        qnorm = math.sqrt(sum(v * v for v in query.values())) or 1.0
        out = {}
        for entry_id in entry_ids:
            if entry_id not in self.counts:
                out[entry_id] = 0.0
                continue
            vector = self._vector(entry_id)
            small, large = (query, vector) if len(query) <= len(vector) else (vector, query)
            dot = sum(v * large[g] for g, v in small.items() if g in large)
            out[entry_id] = dot / qnorm
        return out


def _tf(count: int) -> float:
    return 1.0 + math.log(count) if count > 0 else 0.0
