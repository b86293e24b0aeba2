"""Turn a text into weighted features: stems, compound parts, typo fixes and concepts.

Both the knowledge entries and the inquiries go through the same analysis, so a
business writing "lagerhallen", "lager hal" or "lagerhaln" and an entry saying
"lagerhal" meet on the same features. The vocabulary (words the knowledge base
knows) is owned by the index and grows and shrinks with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from bot.triage.synonyms import Synonyms, cover, groups_in
from bot.triage.text import STOP, stem, words

PART_WEIGHT = 0.5
TYPO_WEIGHT = 0.8
LINKS = ("s", "e")
GROUP_PART_MIN = 4  # shorter compound parts signal no concept or intent ("digitalise|ret" is no "rette")


@dataclass
class Vocabulary:
    """Stems and folded words of the knowledge base, counted per entry so removal is exact."""

    synonyms: Synonyms
    stems: Counter[str]
    surface: Counter[str]
    deletes: dict[str, set[str]]
    typo_min_length: int = 5
    _splits: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    _splits_at: int = 0  # vocabulary size when the split cache was last emptied
    _corrections: dict[str, str | None] = field(default_factory=dict)  # emptied whenever the vocabulary changes
    _readings: dict[str, Reading] = field(default_factory=dict)  # the same lifetime

    @classmethod
    def empty(cls, synonyms: Synonyms, typo_min_length: int = 5) -> Vocabulary:
        return cls(synonyms, Counter(), Counter(), {}, typo_min_length)

    def add(self, surface: Iterable[str] | Mapping[str, int], stem_counts: Iterable[str] | Mapping[str, int]) -> None:
        """One entry's words and stems (sets), or many entries' counted at once (mappings
        to the number of entries having each): the same as adding them one by one."""
        self._corrections.clear()
        self._readings.clear()
        self.surface.update(surface)
        fresh = [s for s in stem_counts if s not in self.stems]
        self.stems.update(stem_counts)
        for s in fresh:
            if len(s) >= self.typo_min_length:
                for d in _deletions(s):
                    self.deletes.setdefault(d, set()).add(s)

    def discard(self, surface: set[str], stem_set: set[str]) -> None:
        self._corrections.clear()
        self._readings.clear()
        self.surface.subtract(surface)
        for s in stem_set:
            self.stems[s] -= 1
            if self.stems[s] <= 0:
                del self.stems[s]
                for d in _deletions(s):
                    self.deletes.get(d, set()).discard(s)

    def knows(self, word: str) -> bool:
        return (self.surface[word] > 0 or word in self.synonyms.lexicon
                or self.stems[stem(word)] > 0) if len(word) >= 3 else False

    def correct(self, s: str) -> str | None:
        """The known stem one edit away (delete, insert, substitute), the most common if several.

        A word the synonym list knows is spelt right even when no entry uses it: "varevogn"
        is a vehicle, not a typo for whatever entry word lies one letter away.
        Remembered per stem until the vocabulary changes: inquiries repeat their words."""
        if s in self._corrections:
            return self._corrections[s]
        if len(self._corrections) >= CORRECTIONS_KEPT:
            self._corrections.clear()
        fixed = self._corrections[s] = self._correct(s)
        return fixed

    def _correct(self, s: str) -> str | None:
        if (not self.typo_min_length <= len(s) <= MAX_WORD or self.stems[s] > 0
                or s in self.synonyms.lexicon_stems):
            return None
        found: set[str] = set(self.deletes.get(s, ()))
        for d in _deletions(s):
            found |= self.deletes.get(d, set())
            if self.stems[d] > 0:
                found.add(d)
        found = {f for f in found if f[0] == s[0] and OSA.distance(f, s, score_cutoff=1) <= 1}
        return max(sorted(found), key=lambda f: self.stems[f]) if found else None

    def read(self, word: str) -> Reading:
        """A folded word's stem, whether it is a content word, and its compound parts.

        Remembered per word until the vocabulary changes: an index is built from the same
        words again and again, and this was most of analysing each. Only the split depends
        on the vocabulary, and ``split`` gives the same answer until the vocabulary changes."""
        found = self._readings.get(word)
        if found is None:
            if len(self._readings) >= READINGS_KEPT:
                self._readings.clear()
            found = self._readings[word] = self._read(word)
        return found

    def _read(self, word: str) -> Reading:
        s = stem(word)
        if word in STOP or word.isdigit() or len(word) < 2:
            return s, False, None
        parts = self.split(word) if len(word) >= MIN_COMPOUND else None
        return s, True, tuple((stem(part), len(part) >= GROUP_PART_MIN) for part in parts) if parts else None

    def split(self, word: str) -> tuple[str, str] | None:
        """Split a compound into two known words ("lagerbygning" -> "lager", "bygning").

        Cached; the cache is emptied whenever the vocabulary grew by a tenth, so a
        word learnt later is used for splitting soon without re-splitting per call."""
        if not MIN_COMPOUND <= len(word) <= MAX_WORD:
            return None
        if len(self.stems) > 1.1 * self._splits_at + 50:
            self._splits.clear()
            self._splits_at = len(self.stems)
        if word not in self._splits:
            self._splits[word] = self._split(word)
        return self._splits[word]

    def _split(self, word: str) -> tuple[str, str] | None:
        for i in range(3, len(word) - 2):
            left, right = word[:i], word[i:]
            if left in PREFIXES or not self.knows(right):
                continue
            if self.knows(left):
                return left, right
            if left[-1] in LINKS and len(left) > 3 and self.knows(left[:-1]):
                return left[:-1], right
        return None


# words a writer slips into a phrase without changing it ("fik lige nej", "har nu fået
# afslag"); phrases are also looked for with them left out
FILLERS = frozenset(stem(w) for w in """lige jo nu desvaerre bare altsaa faktisk ogsaa saa vel
egentlig allerede stadig endnu igen netop just already still also really actually unfortunately""".split())

# a particle in front makes a new word, not a compound of the rest: "forventer" is no
# "venter", "overvejer" no "vejer", "undersøge" no "søge", "i forvejen" no road
PREFIXES = frozenset("for til over under med mod ind bag efter fra paa ved hen ned frem gennem bort".split())
MIN_COMPOUND = 7  # shorter words are never split: two known parts of three letters are mostly chance
MAX_WORD = 40  # longer "words" are hashes, URLs or garbage: never typo-corrected or split
CORRECTIONS_KEPT = 100_000  # remembered typo corrections; emptied at this size, so memory stays bounded
READINGS_KEPT = 100_000  # remembered word readings, the same

# a word's stem; whether it is a content word (not a stop word, number or single letter:
# those are part of phrases, never a term alone); the stems of its compound parts, each
# with whether it is long enough to signal a group
Reading = tuple[str, bool, tuple[tuple[str, bool], ...] | None]


def _deletions(s: str) -> set[str]:
    return {s[:i] + s[i + 1:] for i in range(len(s))}


@dataclass(frozen=True)
class Analysis:
    features: dict[str, float]  # feature -> weight; concepts are "@name"
    groups: frozenset[str]  # concepts "@", intents "!" and department words "="
    stems: tuple[str, ...]
    concepts_of: dict[str, set[str]] = field(default_factory=dict)  # stem -> concepts it is a term of


def analyse(text: str, vocab: Vocabulary, *, fix_typos: bool = True) -> Analysis:
    """Features of one text against the vocabulary as it is now."""
    covered: dict[str, set[str]] = {}
    features, groups, sequence, _ = _features(words(text), vocab, fix_typos, covered)
    return Analysis(features, frozenset(groups), tuple(sequence), covered)


def entry_features(text_words: list[str], vocab: Vocabulary) -> tuple[dict[str, float], set[str], list[str]]:
    """A knowledge entry's text as the index keeps it: its features, groups and content stems.

    The same analysis as an inquiry's, less what only an inquiry is asked: an entry's
    words are the vocabulary, so none is a typo, and which concept explains each stem
    is never looked up for an entry. Leaving those out makes it a third cheaper, and
    analysing entries is most of building an index."""
    features, groups, sequence, function_words = _features(text_words, vocab, False, None)
    return features, groups, [s for n, s in enumerate(sequence) if n not in function_words]


def _features(text_words: list[str], vocab: Vocabulary, fix_typos: bool, covered: dict[str, set[str]] | None
              ) -> tuple[dict[str, float], set[str], list[str], set[int]]:
    """Features, groups, the stem sequence and the positions of its function words;
    ``covered``, when given, learns which concepts each stem is a term of."""
    features: dict[str, float] = {}
    sequence: list[str] = []
    function_words: set[int] = set()  # positions of stop words: part of phrases, never a term alone
    singles: list[str] = []
    read = vocab.read
    for word in text_words:
        s, content, parts = read(word)
        if not content:
            function_words.add(len(sequence))
            sequence.append(s)
            continue
        fixed = vocab.correct(s) if fix_typos else None
        term = fixed or s
        sequence.append(term)
        weight = TYPO_WEIGHT if fixed else 1.0
        if weight > features.get(term, 0.0):
            features[term] = weight
        if parts:
            _put_parts(features, parts, term, singles, covered, vocab.synonyms)
    groups = groups_in(sequence, vocab.synonyms, singles, covered, function_words)
    gone = {i for i in function_words if sequence[i] in FILLERS}
    if gone:  # "fik lige nej", "har desværre fået afslag": the phrase without the filler
        kept = [i for i in range(len(sequence)) if i not in gone]
        groups |= groups_in([sequence[i] for i in kept], vocab.synonyms, (), None,
                            {n for n, i in enumerate(kept) if i in function_words})
    for g in groups:
        if g[0] == "@":
            _put(features, g, 1.0)
    return features, groups, sequence, function_words


def _put_parts(features: dict[str, float], parts: tuple[tuple[str, bool], ...], whole: str, singles: list[str],
               covered: dict[str, set[str]] | None, synonyms: Synonyms) -> None:
    """A compound's parts are weaker features of it, and signal their groups unless the
    vocabulary names the compound itself: "sandwichbar" is a place to eat, not a bar
    serving alcohol, so its parts signal no group. ``parts`` are as ``Vocabulary.read`` gives them."""
    named = (whole,) in synonyms.phrases
    for part_stem, signals in parts:
        _put(features, part_stem, PART_WEIGHT)
        if signals and not named:
            singles.append(part_stem)
            if covered is not None:
                _cover_compound(covered, whole, part_stem, synonyms)


def _cover_compound(covered: dict[str, set[str]], whole: str, part: str, synonyms: Synonyms) -> None:
    """A compound is explained by its part's concept ("tøjbutik" by the shop concept)."""
    cover(covered, [whole, part], synonyms.phrases.get((part,), frozenset()))


def _put(features: dict[str, float], key: str, weight: float) -> None:
    if weight > features.get(key, 0.0):
        features[key] = weight
