"""A business's own word for a concept the entry has counts as explained, not as extra content."""

from bot.triage import KnowledgeIndex, Synonyms
from bot.triage.evidence import gather
from bot.triage.scoring import score_entries
from bot.types import Entry

SYNONYMS = Synonyms.build({"faktura": ["faktura", "regning", "invoice"], "butik": ["butik", "shop"]},
                          {}, {})
ENTRIES = [
    Entry(id="faktura", title="Faktura til kommunen", department="Opkrævning",
          questions=("Hvordan sender vi en faktura til kommunen?",),
          answer="Send fakturaen elektronisk til det oplyste EAN-nummer."),
    Entry(id="skilt", title="Skilte på facaden", department="Byplan",
          questions=("Må butikken have et skilt på facaden?",),
          answer="Et skilt på facaden kræver som regel tilladelse."),
]


def index() -> KnowledgeIndex:
    return KnowledgeIndex(ENTRIES, SYNONYMS)


def test_a_word_learns_the_concepts_it_is_a_term_of():
    query = index().analyse("Kan vi sende regningen som pdf")
    assert "@faktura" in query.concepts_of["regning"]


def test_a_compound_is_explained_by_the_concept_of_its_part():
    idx = index()
    query = idx.analyse("facadebutikken")  # "facade" and "butik" are both words the base knows
    assert query.concepts_of[query.stems[0]] == {"@butik"}


def test_a_synonym_of_the_entrys_concept_is_not_left_unexplained():
    idx = index()
    query = idx.analyse("Hvordan sender vi regningen til kommunen")
    scored = score_entries(query, idx, 8)
    evidence = {e.entry_id: e.values for e in gather("Hvordan sender vi regningen til kommunen",
                                                     query, scored, idx, "da")}
    assert scored[0].entry_id == "faktura"
    assert evidence["faktura"]["unexplained"] == 0.0


def test_the_synonym_counts_towards_how_much_of_the_inquiry_the_entry_explains():
    idx = index()
    with_synonym = score_entries(idx.analyse("sende regningen til kommunen"), idx, 8)[0]
    unknown_word = score_entries(idx.analyse("sende papirerne til kommunen"), idx, 8)[0]
    assert with_synonym.entry_id == "faktura"
    assert with_synonym.query_cover > unknown_word.query_cover



def test_a_word_the_synonym_list_knows_is_not_taken_for_a_typo():
    from bot.triage.features import Vocabulary
    vocab = Vocabulary.empty(Synonyms.build({"bil": ["bil", "varevogn"]}, {}, {}))
    vocab.add({"varevogne"}, {"varevogne"})  # an entry word one letter from the synonym
    assert vocab.correct("varevogn") is None  # known to the synonym list: spelt right
    assert vocab.correct("varevogme") == "varevogne"  # an unknown word still gets its fix


def test_a_word_made_with_a_particle_is_not_split_into_the_rest():
    """"forventer" (expect) says nothing about waiting, "overvejer" nothing about roads."""
    synonyms = Synonyms.build({"ventetid": ["venter", "ventetid"], "vej": ["vej", "vejen"]}, {}, {})
    idx = KnowledgeIndex([Entry(id="tid", title="Ventetid på byggesager", department="Byggesag",
                                questions=("Hvor længe venter vi på en afgørelse?", "Hvem ejer vejen?"),
                                answer="Vi venter typisk fire uger. Vejen ejes af kommunen.")], synonyms)
    for word in ("forventer", "overvejer", "forvejen"):
        query = idx.analyse(f"Vi {word} det")
        assert not query.groups, word
    assert "@vej" in idx.analyse("kommunevejen").groups  # a true compound still is one
