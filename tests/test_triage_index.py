"""The knowledge index grows and shrinks entry by entry, with the same result as a fresh build."""

from bot.bench.scale import synthetic_kb
from bot.triage import KnowledgeIndex, decide
from bot.triage.scoring import shortlist
from bot.types import Entry

BASE = [
    Entry(id="hegn", title="Hegnssyn", department="Borgerservice",
          questions=("Naboens hæk er for høj, hvad gør vi?", "Who trims a hedge on the boundary?"),
          answer="Kontakt hegnssynet via Borgerservice."),
    Entry(id="grave", title="Gravetilladelse", department="Vej og Trafik",
          questions=("Skal vi have tilladelse til at grave i fortovet?", "Do we need a permit to dig?"),
          answer="Søg gravetilladelse hos Vej og Trafik."),
    Entry(id="affald", title="Erhvervsaffald", department="Affald",
          questions=("Hvordan får vi hentet affald?", "How is our waste collected?"),
          answer="Affald hentes efter aftale."),
]


def test_an_added_then_removed_entry_leaves_the_index_as_if_never_added():
    fresh = KnowledgeIndex(BASE)
    edited = KnowledgeIndex(BASE)
    edited.upsert(Entry(id="extra", title="Stilladstilladelse", department="Vej og Trafik",
                        questions=("Må vi stille stillads op?",), answer="Søg om råden over vej."))
    edited.remove("extra")
    assert edited.postings == fresh.postings
    assert +edited.grams.df == +fresh.grams.df
    assert decide("Skal vi søge om at grave i fortovet?", edited) == decide("Skal vi søge om at grave i fortovet?", fresh)


def test_editing_an_entry_replaces_its_words_everywhere():
    idx = KnowledgeIndex(BASE)
    idx.upsert(Entry(id="affald", title="Pap og papir", department="Affald",
                     questions=("Hvordan afleverer vi pap?",), answer="Pap hentes."))
    assert "affald" not in idx.postings.get("hent", {}) or idx.item("affald").entry.title == "Pap og papir"
    assert decide("Hvordan afleverer vi pap?", idx).candidates[0][0] == "affald"


def test_a_large_base_reads_a_capped_number_of_postings_per_inquiry():
    idx = KnowledgeIndex(synthetic_kb(BASE, 600))
    query = idx.analyse("Skal vi have tilladelse til at grave i fortovet foran butikken?")
    assert 0 < len(shortlist(query, idx, 40)) <= 40


def test_decisions_do_not_depend_on_the_order_entries_were_loaded_in() -> None:
    import json
    import random

    from bot.triage import TriageSettings, load_default_rules
    from knowledge.entries import read_file
    from tests.conftest import bench_file

    entries = read_file(bench_file("kb.jsonl"))
    shuffled = list(entries)
    random.Random(7).shuffle(shuffled)
    first, second = KnowledgeIndex(entries), KnowledgeIndex(shuffled)
    rules, settings = load_default_rules(), TriageSettings()
    for line in bench_file("dev.jsonl").read_text(encoding="utf-8").splitlines()[:60]:
        text = json.loads(line)["text"]
        assert decide(text, first, rules, settings) == decide(text, second, rules, settings)


def test_a_misspelling_is_read_against_the_words_the_base_has_now():
    idx = KnowledgeIndex(BASE)
    before = idx.analyse("Må vi sætte et stilads op?").features
    idx.upsert(Entry(id="extra", title="Stilladstilladelse", department="Vej og Trafik",
                     questions=("Må vi stille stillads op?",), answer="Søg om råden over vej."))
    learnt = idx.analyse("Må vi sætte et stilads op?").features
    idx.remove("extra")
    assert "stillad" in learnt and "stillad" not in before
    assert idx.analyse("Må vi sætte et stilads op?").features == before


def test_char_gram_similarity_is_the_tf_idf_cosine_and_does_not_depend_on_cache_state():
    import math

    from bot.triage.chargrams import CharGramIndex, gram_counts
    grams = CharGramIndex()
    texts = {"a": "udeservering på fortovet", "b": "affald fra virksomheden", "c": "fortov og vej"}
    for key, text in texts.items():
        grams.add(key, text)
    grams.refresh()
    query = "udeservering foran caféen på fortovet"
    first = grams.similarities(query, ["a", "b", "c"])
    again = grams.similarities(query, ["c", "b", "a"])
    assert first == again
    n = len(texts)
    idf = {g: math.log((1 + n) / (1 + c)) + 1.0 for g, c in grams.df.items()}
    def vector(text):
        return {g: (1 + math.log(c)) * idf.get(g, math.log(1 + n) + 1.0) for g, c in gram_counts(text).items()}
    q, a = vector(query), vector(texts["a"])
    cosine = sum(q[g] * a[g] for g in q.keys() & a.keys()) / math.sqrt(sum(v * v for v in q.values()) * sum(v * v for v in a.values()))
    assert abs(first["a"] - cosine) < 1e-9
    assert first["a"] > first["c"] > first["b"]
