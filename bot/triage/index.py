"""The knowledge entries, analysed once and kept in an inverted index.

An inquiry is compared in full only with the few dozen entries that share its
rarer features, which keeps triage in milliseconds with ten thousand entries; an
edited entry is re-analysed on its own (``upsert``), never the whole base.
"""

from __future__ import annotations

import gc
import math
import sys
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import chain

from bot.triage.chargrams import CharGramIndex, frequencies
from bot.triage.features import Analysis, Vocabulary, analyse, entry_features
from bot.triage.forked import Forked
from bot.triage.synonyms import Synonyms, load_synonyms
from bot.triage.text import STOP, stem, words
from bot.types import Entry

ANSWER_WEIGHT = 0.35
ANSWER_CACHE = 256  # answer analyses kept; many entries share a standard answer, few share all
FORK_MIN = 5_000  # entries from which a build counts char-grams on a second core; below, it takes under a second


@dataclass(frozen=True)
class IndexedEntry:
    entry: Entry
    weights: dict[str, float]  # feature -> how strongly the entry says it (phrasing 1, answer less)
    phrasings: tuple[dict[str, float], ...]  # title and each question, for phrasing coverage
    groups: frozenset[str]  # every concept/intent the entry mentions anywhere
    phrasing_stems: tuple[str, ...] = ()  # title and questions as stem strings, for fuzzy matching
    phrasing_groups: frozenset[str] = frozenset()  # concepts/intents the phrasings (not the answer) mention


class KnowledgeIndex:
    """Entries by id plus postings from feature to entry ids."""

    def __init__(self, entries: Iterable[Entry] = (), synonyms: Synonyms | None = None) -> None:
        self.synonyms = synonyms if synonyms is not None else load_synonyms()
        self.vocab = Vocabulary.empty(self.synonyms)
        self._items: dict[str, IndexedEntry] = {}
        self.postings: dict[str, dict[str, float]] = {}
        self.grams = CharGramIndex()
        self._answers: dict[str, EntryText] = {}  # recent answer texts -> their weights (standard answers repeat)
        self.version = 0
        self._idf: dict[str, float] = {}  # emptied whenever the base changes
        self._want: dict[int, float] = {}  # idf-weighted size of each phrasing, same lifetime
        self._tables: OrderedDict[str, PhrasingTable] = OrderedDict()  # recently scored entries, same lifetime
        self._build({entry.id: entry for entry in entries if entry.active})

    def _build(self, entries: dict[str, Entry]) -> None:
        """Learn every entry's words first, so each entry is analysed (compounds, typos)
        against the whole vocabulary and the result does not depend on the order of entries.

        The same index as adding the entries one by one, built a step at a time over all
        of them: each entry's phrasings are split into words once for every step, and the
        postings of a large base fill much faster apart from the analyses than in between.
        The char-gram frequencies need only the words: a large base counts them on the
        second core meanwhile."""
        with _uncollected():
            split = [(entry, *_split(entry)) for entry in entries.values()]
            with Forked(partial(_gram_frequencies, split), fork=len(split) >= FORK_MIN) as gram_frequencies:
                self.vocab.add(*_vocabulary_counts(split))
                for entry, _, text_words in split:
                    self._items[entry.id] = _index_entry(entry, text_words, self.vocab, self._answers)
                for entry_id, item in self._items.items():
                    _post(self.postings, entry_id, item.weights)
                self.grams.add_all({entry.id: " ".join(texts) for entry, texts, _ in split},
                                   gram_frequencies.result())
            self.version += len(split)  # one version per entry, as added one by one
        self.grams.refresh()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, entry_id: str) -> Entry | None:
        item = self._items.get(entry_id)
        return item.entry if item else None

    def item(self, entry_id: str) -> IndexedEntry:
        return self._items[entry_id]

    def entries(self) -> list[Entry]:
        return [item.entry for item in self._items.values()]

    def upsert(self, entry: Entry) -> None:
        """Add or replace one entry; inactive entries are removed, as they must not be answered."""
        self.remove(entry.id)
        if not entry.active:
            return
        self.vocab.add(*_vocabulary(entry))
        texts, text_words = _split(entry)
        item = self._items[entry.id] = _index_entry(entry, text_words, self.vocab, self._answers)
        self.grams.add(entry.id, " ".join(texts), {w for ws in text_words for w in ws})
        _post(self.postings, entry.id, item.weights)
        self._changed()

    def remove(self, entry_id: str) -> None:
        item = self._items.pop(entry_id, None)
        if item is None:
            return
        self.vocab.discard(*_vocabulary(item.entry))
        self.grams.discard(entry_id)
        for feature in item.weights:
            posting = self.postings.get(feature)
            if posting is not None:
                posting.pop(entry_id, None)
                if not posting:
                    del self.postings[feature]
        self._changed()

    def _changed(self) -> None:
        """The base changed: a new version, and the caches that depend on all entries go."""
        self.version += 1
        self._idf.clear()
        self._want.clear()
        self._tables.clear()

    def idf(self, feature: str) -> float:
        """BM25's idf: rare features tell entries apart, common ones barely count."""
        value = self._idf.get(feature)
        if value is None:
            n = len(self._items)
            df = len(self.postings.get(feature, ()))
            value = self._idf[feature] = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        return value

    def phrasing_weight(self, phrasing: dict[str, float]) -> float:
        """The idf-weighted size of a phrasing: the denominator of its coverage, cached."""
        key = id(phrasing)
        value = self._want.get(key)
        if value is None:
            value = self._want[key] = sum(pw * self.idf(f) for f, pw in phrasing.items())
        return value

    def phrasing_table(self, entry_id: str) -> PhrasingTable:
        """Where each word of an entry's phrasings occurs, and each phrasing's size.

        Scoring adds up, per phrasing, what the inquiry covers of it; looking up each of
        the inquiry's shared words once here is cheaper than looking in every phrasing.
        Built when an entry is first scored and kept for the recently scored ones, so
        memory stays bounded at any base size."""
        table = self._tables.get(entry_id)
        if table is None:
            phrasings = self._items[entry_id].phrasings
            where: dict[str, list[tuple[int, float]]] = {}
            for number, phrasing in enumerate(phrasings):
                for feature, weight in phrasing.items():
                    where.setdefault(feature, []).append((number, weight))
            table = self._tables[entry_id] = PhrasingTable(
                {f: tuple(places) for f, places in where.items()},
                tuple(self.phrasing_weight(p) for p in phrasings))
            if len(self._tables) > TABLES_KEPT:
                self._tables.popitem(last=False)
        else:
            self._tables.move_to_end(entry_id)
        return table

    def analyse(self, text: str) -> Analysis:
        return analyse(text, self.vocab)


TABLES_KEPT = 4096


@dataclass(frozen=True)
class PhrasingTable:
    places: dict[str, tuple[tuple[int, float], ...]]  # feature -> (phrasing number, its weight there)
    wants: tuple[float, ...]  # idf-weighted size of each phrasing


def _phrasing_texts(entry: Entry) -> list[str]:
    return [entry.title, *entry.questions, " ".join(entry.tags), " ".join(entry.keywords)]


def _all_text(entry: Entry) -> str:
    return " ".join([*_phrasing_texts(entry), entry.answer, entry.answer_en])


Split = tuple[Entry, list[str], list[list[str]]]  # an entry, its ``_split``


def _split(entry: Entry) -> tuple[list[str], list[list[str]]]:
    """An entry's phrasing texts and the words of each. A build keeps the words of every
    entry until it is done: interned, they take a third of the memory."""
    texts = _phrasing_texts(entry)
    return texts, [list(map(sys.intern, words(text))) for text in texts]


def _gram_frequencies(split: list[Split]) -> Counter[str]:
    """What ``CharGramIndex.add`` of each entry's phrasings would count."""
    return frequencies({w for ws in text_words for w in ws} for _, _, text_words in split)


def _vocabulary(entry: Entry) -> tuple[set[str], set[str]]:
    """Folded words and stems an entry adds to the vocabulary (recomputed on removal)."""
    return _word_sets(set(words(_all_text(entry))))


def _word_sets(distinct: set[str]) -> tuple[set[str], set[str]]:
    """The vocabulary's words (longer than two letters) and stems (of content words) among distinct words."""
    return {w for w in distinct if len(w) > 2}, {stem(w) for w in distinct - STOP if len(w) > 1 and not w.isdigit()}


@dataclass
class _AnswerWords:
    words: set[str]  # distinct words of the answer and its English version
    surface: set[str]
    stems: set[str]
    entries: int = 0  # entries giving this answer, counted since it was last added up


def _vocabulary_counts(split: list[Split]) -> tuple[Counter[str], Counter[str]]:
    """What ``Vocabulary.add(*_vocabulary(entry))`` of each entry would add, counted at once.

    Splitting the long answers into words was most of learning a large base's words, and
    entries share a few standard answers: each answer's words are found once and counted
    times the entries giving it; an entry itself adds what its phrasings have beyond them."""
    surface: Counter[str] = Counter()
    stems: Counter[str] = Counter()
    answers: dict[tuple[str, str], _AnswerWords] = {}
    for entry, _, text_words in split:
        key = (entry.answer, entry.answer_en)
        answer = answers.get(key)
        if answer is None:
            if len(answers) >= ANSWER_CACHE:
                _count_answers(answers.values(), surface, stems)
                answers.clear()
            distinct = set(words(entry.answer)) | set(words(entry.answer_en))
            answer = answers[key] = _AnswerWords(distinct, *_word_sets(distinct))
        answer.entries += 1
        own_surface, own_stems = _word_sets(set(chain.from_iterable(text_words)) - answer.words)
        surface.update(own_surface)
        stems.update(own_stems - answer.stems)
    _count_answers(answers.values(), surface, stems)
    return surface, stems


def _count_answers(answers: Iterable[_AnswerWords], surface: Counter[str], stems: Counter[str]) -> None:
    for answer in answers:
        for word in answer.surface:
            surface[word] += answer.entries
        for s in answer.stems:
            stems[s] += answer.entries
        answer.entries = 0


EntryText = tuple[dict[str, float], set[str]]  # an answer's features, weighted as an answer's, and groups


def _index_entry(entry: Entry, text_words: list[list[str]], vocab: Vocabulary,
                 answers: dict[str, EntryText]) -> IndexedEntry:
    """``text_words`` are the words of each of ``_phrasing_texts(entry)``."""
    weights: dict[str, float] = {}
    groups: set[str] = set()
    phrasing_groups: set[str] = set()
    phrasings = []
    stemmed = []
    questions = 1 + len(entry.questions)  # title and questions come first
    for number, (text, found_words) in enumerate(zip(_phrasing_texts(entry), text_words, strict=True)):
        if not text.strip():
            continue
        features, found_groups, content_stems = entry_features(found_words, vocab)
        phrasing_groups |= found_groups
        phrasings.append(features)
        _merge(weights, features)
        if number < questions:
            stemmed.append(" ".join(content_stems))
    groups |= phrasing_groups
    for text in (entry.answer, entry.answer_en):
        found = answers.get(text)
        if found is None:
            if len(answers) >= ANSWER_CACHE:
                answers.clear()
            features, found_groups, _ = entry_features(words(text), vocab)
            found = answers[text] = _scaled(features, ANSWER_WEIGHT), found_groups
        groups |= found[1]
        _merge(weights, found[0])
    return IndexedEntry(entry, weights, tuple(phrasings), frozenset(groups), tuple(stemmed),
                        frozenset(phrasing_groups))


def _post(postings: dict[str, dict[str, float]], entry_id: str, weights: dict[str, float]) -> None:
    for feature, weight in weights.items():
        try:
            postings[feature][entry_id] = weight
        except KeyError:
            postings[feature] = {entry_id: weight}


_SHARED_WEIGHTS: dict[float, float] = {}  # the few distinct weights, one float object each


def _scaled(features: dict[str, float], factor: float) -> dict[str, float]:
    """Weights are products of a few constants: one shared float per value (not one per
    entry and feature) is stored in the postings."""
    scaled = {}
    for feature, weight in features.items():
        value = weight * factor
        scaled[feature] = _SHARED_WEIGHTS.setdefault(value, value)
    return scaled


def _merge(weights: dict[str, float], features: dict[str, float]) -> None:
    """Keep each feature's strongest weight. The weights are shared floats already: the
    analysis's constants, or an answer's ``_scaled`` ones."""
    known = weights.get
    for feature, weight in features.items():
        if weight > known(feature, 0.0):
            weights[feature] = weight


@contextmanager
def _uncollected() -> Iterator[None]:
    """No cyclic garbage collection while a base is built: a build makes only objects
    that stay (no cycles to free), and the collector's full passes over the growing
    index cost about two percent of building a large one."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def settle() -> None:
    """Take everything built so far out of the garbage collector's full passes.

    The index of a large knowledge base is millions of small objects that live as long
    as the process; a full collection walking them all stalls one triage for tens of
    milliseconds at ten thousand entries. Called once the index is loaded."""
    gc.collect()
    gc.freeze()

