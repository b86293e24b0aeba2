"""Domain vocabulary an admin can extend: concepts, intents and department keywords.

A business writes "frokostbar" or "my café" where the knowledge base says
"fødevarevirksomhed"; a concept groups such words (Danish and English) so both
sides meet on one feature. Intents ("klage", "forny", "pris"...) mark what an
inquiry asks for, so an entry about the opposite errand is not sent as the answer.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.triage.text import stem, words

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "synonyms.toml"
MAX_PHRASE = 4

Phrase = tuple[str, ...]
PhraseNode = tuple[frozenset[str], dict[str, "PhraseNode"]]  # groups of the phrase ending here, next stems
_NO_GROUPS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Synonyms:
    """Term groups as loaded; ``phrases`` maps a stem sequence to the groups it signals."""

    concepts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    intents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    departments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    phrases: dict[Phrase, frozenset[str]] = field(default_factory=dict)
    lexicon: frozenset[str] = frozenset()  # folded words known from the groups, for compound splitting
    lexicon_stems: frozenset[str] = frozenset()  # stems of the lexicon: words never taken for typos
    trie: dict[str, PhraseNode] = field(default_factory=dict)  # the phrases, stem by stem

    @classmethod
    def build(cls, concepts: dict[str, list[str]], intents: dict[str, list[str]],
              departments: dict[str, list[str]]) -> Synonyms:
        phrases: dict[Phrase, set[str]] = {}
        lexicon: set[str] = set()
        for prefix, groups in (("@", concepts), ("!", intents), ("=", departments)):
            for name, terms in groups.items():
                for term in terms:
                    key = term_key(term)
                    if key:
                        phrases.setdefault(key, set()).add(prefix + name)
                        lexicon.update(w for w in words(term) if len(w) > 2)
        return cls(
            concepts={k: tuple(v) for k, v in concepts.items()},
            intents={k: tuple(v) for k, v in intents.items()},
            departments={k: tuple(v) for k, v in departments.items()},
            phrases={k: frozenset(v) for k, v in phrases.items()},
            lexicon=frozenset(lexicon),
        )

    def __post_init__(self) -> None:
        if self.phrases and not self.trie:
            object.__setattr__(self, "trie", _trie(self.phrases))
        if self.lexicon and not self.lexicon_stems:
            object.__setattr__(self, "lexicon_stems", frozenset(stem(w) for w in self.lexicon))


def _trie(phrases: dict[Phrase, frozenset[str]]) -> dict[str, PhraseNode]:
    """Most words of a text begin some phrase (stop words begin many), so finding groups
    is mostly following a text's next stems from there: only as far as some phrase goes
    on with them, and without building a tuple for each span looked up."""
    trie: dict[str, PhraseNode] = {}
    for key in phrases:
        level = trie
        for n, word in enumerate(key, 1):
            node = level.get(word)
            if node is None:
                node = level[word] = (phrases.get(key[:n], _NO_GROUPS), {})
            level = node[1]
    return trie


def term_key(term: str) -> Phrase:
    """A term as the stem sequence it is recognised by (stop words kept inside phrases)."""
    return tuple(stem(t) for t in words(term))[:MAX_PHRASE]


def load_synonyms(path: Path | None = None) -> Synonyms:
    """Read the TOML vocabulary; the one shipped in ``knowledge/data`` by default."""
    data = tomllib.loads((path or DEFAULT_PATH).read_text(encoding="utf-8"))
    return Synonyms.build(data.get("concepts", {}), data.get("intents", {}),
                          data.get("departments", {}))


def groups_in(stem_seq: list[str], synonyms: Synonyms, singles: Iterable[str] = (),
              covered: dict[str, set[str]] | None = None, function_words: Collection[int] = ()) -> set[str]:
    """Every group whose term occurs in the stem sequence (all words, stop words included),
    or equals one of the extra single stems (parts of compounds).

    A stop word is a term only inside a phrase: "bare" stems like "bar", and "kan vi bare
    gå i gang" is no question about a bar (``function_words`` holds their positions).

    ``covered``, when given, learns which concepts each stem of the sequence belongs
    to: a word that is a synonym of a concept the entry has is not left unexplained."""
    found: set[str] = set()
    for single in singles:
        found |= synonyms.phrases.get((single,), _NO_GROUPS)
    end = len(stem_seq)
    for i, node in [(i, node) for i, node in enumerate(map(synonyms.trie.get, stem_seq)) if node]:
        n = 1
        if i in function_words:  # a stop word counts only as the start of a longer phrase,
            if i + 1 < end:      # except that one ending the text is looked up on its own
                node, n = node[1].get(stem_seq[i + 1]), 2
            elif not node[1]:
                node = None
        while node is not None:
            group, following = node
            if group:
                found |= group
                if covered is not None:
                    cover(covered, stem_seq[i:i + n], group)
            node = following.get(stem_seq[i + n]) if i + n < end else None
            n += 1
    return found


def cover(covered: dict[str, set[str]], stem_span: list[str], groups: frozenset[str]) -> None:
    """Each stem of the span is a term of the groups' concepts."""
    concepts = [g for g in groups if g[0] == "@"]
    if concepts:
        for s in stem_span:
            covered.setdefault(s, set()).update(concepts)
