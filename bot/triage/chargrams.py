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
import operator
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from functools import lru_cache

from bot.triage.text import STOP, meaningful, words

SIZES = (3, 4, 5)


@lru_cache(maxsize=200_000)
def word_grams(word: str) -> tuple[str, ...]:
    """Character grams of one folded word, padded so prefixes and suffixes count."""
    padded = f" {word} "
    return tuple(padded[i:i + n] for n in SIZES for i in range(len(padded) - n + 1))


def gram_counts(text: str) -> Counter[str]:
    """Gram counts of a text's content words (stop words would make every text alike)."""
    counts: Counter[str] = Counter()
    for word in meaningful(words(text)):
        counts.update(word_grams(word))
    return counts


def gram_set(text: str) -> set[str]:
    """The distinct grams of a text: all that document frequencies need."""
    return grams_of(set(words(text)))


def grams_of(distinct: set[str]) -> set[str]:
    """The distinct grams of a text's distinct words."""
    kept = [word_grams(w) for w in distinct - STOP if len(w) > 1 and not w.isdigit()]
    return set().union(*kept)


def frequencies(distinct_words: Iterable[set[str]]) -> Counter[str]:
    """Document frequencies of the grams of texts, each given as its distinct words."""
    df: Counter[str] = Counter()
    for distinct in distinct_words:
        df.update(grams_of(distinct))
    return df


class CharGramIndex:
    """Document frequencies of grams over entries, and each entry's text.

    Only the few candidates of an inquiry are ever compared, so an entry's gram
    counts are recounted from its text when needed (words' grams are cached)
    instead of being kept: a stored counter per entry would cost tens of
    kilobytes each at a hundred thousand entries. What is kept per entry is
    its text and its vector length, and the length is recomputed only when
    the base has grown or shrunk by a tenth (idf barely moves in between).
    """

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self._texts: dict[str, str] = {}
        self._norms: dict[str, float] = {}
        self._idf: dict[str, float] = {}
        self._cached_at = 0
        self._counts: OrderedDict[str, dict[str, float]] = OrderedDict()  # tf weights of recently compared entries

    COUNTS_KEPT = 4096  # popular entries stay counted; memory stays bounded at any base size

    def __len__(self) -> int:
        return len(self._texts)

    def add(self, entry_id: str, text: str, distinct: set[str] | None = None) -> None:
        """``distinct``, when the caller has split the text already, is ``set(words(text))``."""
        self.discard(entry_id)
        self._texts[entry_id] = text
        self.df.update(gram_set(text) if distinct is None else grams_of(distinct))

    def add_all(self, texts: dict[str, str], df: Counter[str]) -> None:
        """Texts by entry id, none in the index yet, and ``frequencies`` of their grams: the
        same as adding each, with the counting done where the caller chose (a large base's
        on another core)."""
        self._texts.update(texts)
        self.df.update(df)

    def discard(self, entry_id: str) -> None:
        text = self._texts.pop(entry_id, None)
        if text is None:
            return
        self._norms.pop(entry_id, None)
        self._counts.pop(entry_id, None)
        df = self.df
        for gram in gram_set(text):
            left = df.get(gram, 0) - 1
            if left > 0:
                df[gram] = left
            else:
                df.pop(gram, None)

    def refresh(self) -> None:
        """Weights for the whole base after a bulk build: every gram's idf at once (one pass
        over the frequencies, a fraction of the build), so the first inquiries after a start
        do not each pay for the grams they are the first to meet."""
        self._norms.clear()
        n = self._cached_at = len(self._texts)
        log = math.log
        self._idf = {gram: log((1 + n) / (1 + count)) + 1.0 for gram, count in self.df.items()}

    def _idf_table(self) -> dict[str, float]:
        """Smoothed idf per gram, cached; the caches are emptied when the base has changed
        size by a tenth, so a large base is not re-weighted for every edited entry."""
        n = len(self._texts)
        if abs(n - self._cached_at) > 0.1 * self._cached_at + 5:
            self._idf.clear()
            self._norms.clear()
            self._cached_at = n
        return self._idf

    def _new_idf(self, gram: str) -> float:
        value = self._idf[gram] = math.log((1 + len(self._texts)) / (1 + self.df.get(gram, 0))) + 1.0
        return value

    def _weights(self, entry_id: str) -> tuple[dict[str, float], float]:
        """An entry's gram tf weights and the length of its TF-IDF vector.

        The tf weights (not the raw counts) are what is kept: they are what the
        cosine multiplies, so a compared entry costs no logarithm per gram."""
        tfs = self._counts.get(entry_id)
        if tfs is None:
            counts = gram_counts(self._texts[entry_id])
            tfs = self._counts[entry_id] = dict(zip(counts.keys(), _tfs(counts), strict=True))
            if len(self._counts) > self.COUNTS_KEPT:
                self._counts.popitem(last=False)
        else:
            self._counts.move_to_end(entry_id)
        norm = self._norms.get(entry_id)
        if norm is None:
            weights = list(map(operator.mul, tfs.values(), self._idfs(tfs)))
            norm = self._norms[entry_id] = math.sqrt(sum(map(operator.mul, weights, weights))) or 1.0
        return tfs, norm

    def _idfs(self, grams: dict[str, float] | Counter[str]) -> list[float]:
        """The idf of each gram, in the dict's order (looked up in C; computed when new)."""
        table = self._idf_table()
        idfs = list(map(table.get, grams.keys()))
        if None in idfs:
            idfs = [idf or self._new_idf(g) for g, idf in zip(grams, idfs, strict=True)]
        return idfs

    def similarities(self, text: str, entry_ids: list[str]) -> dict[str, float]:
        """Cosine between the text and each listed entry (0..1)."""
        counts = gram_counts(text)
        idfs = self._idfs(counts)
        weights = list(map(operator.mul, _tfs(counts), idfs))  # tf-idf of each gram
        qnorm = math.sqrt(math.fsum(map(operator.mul, weights, weights))) or 1.0
        # gram -> its tf-idf weight times idf: the entry side then brings only its tf
        query = dict(zip(counts.keys(), map(operator.mul, weights, idfs), strict=True))
        grams = query.keys()
        out = {}
        for entry_id in entry_ids:
            if entry_id not in self._texts:
                out[entry_id] = 0.0
                continue
            tfs, norm = self._weights(entry_id)
            # the shared grams by set intersection (in C), summed with fsum: exact, so the
            # result does not depend on the set's iteration order
            dot = math.fsum([query[g] * tfs[g] for g in grams & tfs.keys()])
            out[entry_id] = dot / (qnorm * norm)
        return out


_LOG = [0.0] + [1.0 + math.log(c) for c in range(1, 64)]


def _tf(count: int) -> float:
    return _LOG[count] if count < 64 else 1.0 + math.log(count)


def _tfs(counts: Counter[str]) -> Iterator[float]:
    """The tf weight of each count, in order: by map over the table, not a comprehension,
    since at 10,000 entries most candidates are counted cold and this was the largest
    cost of a triage there."""
    tf = _LOG.__getitem__ if max(counts.values(), default=0) < len(_LOG) else _tf
    return map(tf, counts.values())
