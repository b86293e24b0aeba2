"""decide(): answers what the knowledge base covers, escalates the rest with reasons."""

from bot.triage import KnowledgeIndex, TriageSettings, decide, load_default_rules
from bot.types import Entry, Rule

ENTRIES = [
    Entry(id="alkohol-ny", title="Søg alkoholbevilling", department="Erhvervsservice",
          questions=("Hvordan søger jeg alkoholbevilling til min restaurant?",
                     "Hvad kræver det at få lov til at servere øl og vin?",
                     "How do I apply for an alcohol licence?"),
          answer="Du søger alkoholbevilling hos Bevillingsnævnet med en ansøgning.",
          answer_en="Apply to the licensing board."),
    Entry(id="udeservering", title="Udeservering på fortovet", department="Vej og Trafik",
          questions=("Hvordan får jeg lov til udeservering foran min café?",
                     "Må jeg stille borde og stole ud på fortovet?",
                     "How do I apply for outdoor seating?"),
          answer="Du søger om udeservering hos Vej og Trafik.", answer_en="Apply to Roads."),
    Entry(id="affald", title="Indsamling af erhvervsaffald", department="Affald",
          questions=("Hvordan får vi hentet affald fra virksomheden?",
                     "How do we arrange waste collection?"),
          answer="Erhvervsaffald hentes efter aftale.", answer_en="Waste is collected by agreement."),
]


def index() -> KnowledgeIndex:
    return KnowledgeIndex(ENTRIES)


def test_a_covered_question_is_answered_with_the_entry_and_its_department():
    d = decide("Hvordan søger vi om udeservering foran vores café?", index())
    assert (d.action, d.entry_id, d.department, d.complexity) == ("answer", "udeservering", "Vej og Trafik", "simple")
    assert d.candidates[0][0] == "udeservering"


def test_typed_without_danish_letters_still_matches():
    d = decide("hvordan soeger vi om udeservering paa fortovet", index())
    assert d.entry_id == "udeservering"


def test_an_english_inquiry_matches_the_english_phrasing():
    d = decide("How can we get outdoor seating in front of our cafe?", index())
    assert (d.action, d.entry_id, d.lang) == ("answer", "udeservering", "en")


def test_an_unrelated_question_is_escalated_as_simple_with_a_reason():
    d = decide("Hvornår holder svømmehallen åbent?", index())
    assert d.action == "escalate" and d.entry_id is None and d.complexity == "simple"
    assert d.reasons


def test_a_negated_intent_is_not_answered_by_the_entry_for_the_opposite():
    d = decide("Vi har fået afslag på vores alkoholbevilling. Hvordan klager vi?", index())
    assert d.action == "escalate"
    assert any("negated intent" in r for r in d.reasons)


def test_a_matching_rule_escalates_with_its_department_and_complexity():
    rule = Rule(id=9, pattern=r"\bflytte (vores )?virksomhed", department="Erhvervsservice",
                complexity="complex", note="relocation")
    d = decide("Vi vil flytte vores virksomhed og har brug for affald hentet", index(), [rule])
    assert (d.action, d.department, d.complexity) == ("escalate", "Erhvervsservice", "complex")
    assert "relocation" in d.reasons[0]


def test_the_shipped_rules_catch_an_expansion():
    d = decide("Vi vil udvide vores produktion med en ny hal på 4.000 m2.", index(), load_default_rules())
    assert d.action == "escalate" and d.complexity == "complex"


def test_an_inactive_rule_or_a_broken_pattern_never_matches():
    rules = [Rule(id=1, pattern="udeservering", department="X", complexity="medium", active=False),
             Rule(id=2, pattern="(", department="X", complexity="medium")]
    assert decide("Hvordan søger vi om udeservering foran vores café?", index(), rules).action == "answer"


def test_a_raised_threshold_turns_an_answer_into_an_escalation():
    d = decide("Hvordan søger vi om udeservering foran vores café?", index(), (),
               TriageSettings(answer_threshold=1.01))
    assert d.action == "escalate" and any("threshold" in r for r in d.reasons)


def test_an_edited_entry_takes_effect_at_once_and_a_removed_one_is_gone():
    idx = index()
    idx.upsert(Entry(id="affald", title="Pap og papir", department="Affald",
                     questions=("Hvordan afleverer vi pap og papir?",), answer="Pap hentes."))
    assert decide("Hvordan afleverer vi pap og papir?", idx).entry_id == "affald"
    idx.remove("udeservering")
    assert idx.get("udeservering") is None and len(idx) == 2
    assert decide("Må jeg stille borde og stole ud på fortovet?", idx).entry_id != "udeservering"


def test_settings_are_built_from_a_toml_table():
    assert TriageSettings(**{"answer_threshold": 0.7, "min_margin": 0.2}).answer_threshold == 0.7


def test_decide_is_deterministic():
    text = "Må vi stille borde ud og servere øl på fortovet?"
    assert decide(text, index()) == decide(text, index())


def test_the_reasons_show_the_evidence_and_the_probability():
    d = decide("Hvordan søger vi om udeservering foran vores café?", index())
    assert 0.0 <= d.score <= 1.0
    assert "char-grams" in d.reasons[0] and "probability" in d.reasons[0]


def test_the_answerability_model_round_trips_through_json():
    from bot.triage.model import AnswerModel, load_model
    model = load_model()
    again = AnswerModel.from_json(model.to_json())
    values = {f: 0.5 for f in model.features}
    assert abs(again.probability(values) - model.probability(values)) < 1e-4


def test_a_described_situation_the_base_cannot_answer_is_at_least_medium():
    d = decide("En af vores medarbejdere har været sygemeldt i tyve uger, og sygedagpengene stopper måske "
               "snart. Hvad betyder det for os som arbejdsgiver, og kan han komme i et afklaringsforløb, "
               "mens han stadig er ansat hos os?", index())
    assert d.action == "escalate" and d.complexity in ("medium", "complex")


def test_a_complex_case_naming_several_departments_goes_to_the_coordinator():
    text = ("Vi vil udvide vores metalvirksomhed med en ny hal på 4.000 m². Det kræver ny miljøgodkendelse, "
            "byggetilladelse og et tillæg til lokalplanen. Hvordan griber vi det an?")
    d = decide(text, index(), load_default_rules())
    assert (d.action, d.complexity, d.department) == ("escalate", "complex", "Erhvervsservice")


def test_a_large_single_topic_project_is_complex_but_stays_with_its_department():
    text = ("Vi planlægger en tredages musikfestival for ca. 8.000 gæster med camping, barer og "
            "tre scener. Hvor starter vi, og kan vi få et møde om arrangementet?")
    d = decide(text, index())
    assert d.action == "escalate" and d.complexity == "complex" and d.department != "Erhvervsservice"


def test_asking_to_have_something_removed_is_not_answered_by_an_entry_about_applying():
    d = decide("Kan kommunen få fjernet vores borde og stole fra fortovet?", index())
    assert d.action == "escalate" and any("fjerne" in r for r in d.reasons)


def test_a_short_piece_of_a_compound_signals_no_intent():
    idx = KnowledgeIndex([Entry(id="arkiv", title="Digitaliseret arkiv", department="Byggesag",
                                questions=("Hvor finder jeg tegninger?",),
                                answer="Arkivet er digitaliseret.")])
    assert "!fejl" not in idx.item("arkiv").groups


def test_each_sentence_of_a_long_inquiry_is_weighed_on_its_own():
    from bot.triage.decide import assess
    mail = ("Vi har drevet café i midtbyen i mange år og har netop fået nye ejere af huset. "
            "Må vi stille borde og stole ud på fortovet?")
    found = assess(mail, index())
    best = next(e for e in found.evidence if e.entry_id == "udeservering")
    assert best.values["sentence_score"] > best.values["score"]


def test_only_the_asking_sentences_are_taken_as_the_question():
    from bot.triage.evidence import sentences_of
    text = "Vi har en café. Må vi stille borde og stole ud på fortovet? Tak for hjælpen."
    assert sentences_of(text) == ["Må vi stille borde og stole ud på fortovet?"]
    assert sentences_of("Vi har en café. Vi vil gerne servere ude.") == [
        "Vi har en café.", "Vi vil gerne servere ude."]


def test_a_question_too_short_to_say_what_it_asks_is_read_with_the_sentence_before():
    from bot.triage.evidence import sentences_of
    text = "Hallen bliver en meter højere, end lokalplanen tillader. Er det muligt?"
    assert sentences_of(text) == [text]


def test_the_shipped_vocabulary_bridges_everyday_words_to_official_terms():
    from bot.triage.features import Vocabulary, analyse
    from bot.triage.synonyms import load_synonyms
    vocab = Vocabulary.empty(load_synonyms())
    for text, concept in (("vi vil sætte et skilt op", "@skilt"),
                          ("kan vi ansætte en ledig med støtte", "@loentilskud"),
                          ("vi skal have en container på gaden", "@stillads"),
                          ("vi vil bygge til", "@byggetilladelse")):
        assert concept in analyse(text, vocab).groups, text


def test_a_two_megabyte_word_is_escalated_instead_of_stalling_triage() -> None:
    from bot.triage import KnowledgeIndex, decide
    decision = decide("a" * 2_000_000 + " byggetilladelse?", KnowledgeIndex([], None))
    assert decision.action == "escalate"


def test_a_business_asking_about_the_licence_it_already_holds_is_escalated():
    d = decide("Vi fik vores alkoholbevilling sidste år. Må vi have åbent til kl. 4 i weekenden?", index(),
               settings=TriageSettings(answer_threshold=0.0))
    assert d.action == "escalate"
    assert any("already has its alkoholbevilling" in r for r in d.reasons)


def test_owning_a_shop_is_no_reason_to_escalate_a_question_about_getting_a_permit():
    from bot.triage.holdings import held_terms
    from bot.triage.text import stem
    assert held_terms("Vi har en lille café. Hvordan får vi lov til udeservering?") == {stem("cafe")}
    d = decide("Vi har en lille café. Hvordan får vi lov til udeservering på fortovet?", index())
    assert (d.action, d.entry_id) == ("answer", "udeservering")


def test_what_is_held_is_the_noun_after_the_possessive_and_what_it_is_for():
    from bot.triage.holdings import held_terms
    from bot.triage.text import stem
    assert held_terms("Vores tilladelse til udeservering gælder til 30. september.") == {
        stem("tilladelse"), stem("udeservering")}
    assert held_terms("Vi fik vores nye miljøgodkendelse i 2019") == {stem("miljoegodkendelse")}
    assert held_terms("Vi søgte om refusion for to måneder siden") == {stem("refusion")}
    assert held_terms("Vores fabrik fik miljøgodkendelse i 2014.") == {stem("miljoegodkendelse")}
    assert held_terms("Vi har fået godkendt en byggetilladelse til hallen.") == {stem("byggetilladelse")}


def test_asking_what_it_costs_is_escalated_when_the_entry_states_no_amount():
    d = decide("Hvad koster det at få udeservering foran vores café?", index(),
               settings=TriageSettings(answer_threshold=0.0))
    assert d.action == "escalate"
    assert any("states no amount" in r for r in d.reasons)
    priced = [Entry(id="udeservering", title="Udeservering på fortovet", department="Vej og Trafik",
                    questions=("Hvordan får jeg lov til udeservering foran min café?",),
                    answer="Du søger om udeservering. Det koster 150 kr. pr. m² pr. sæson.")]
    d = decide("Hvad koster det at få udeservering foran vores café?", KnowledgeIndex(priced),
               settings=TriageSettings(answer_threshold=0.0))
    assert (d.action, d.entry_id) == ("answer", "udeservering")


def test_asking_whether_it_costs_anything_is_answered_by_an_entry_that_says_how_payment_works():
    rented = [Entry(id="udeservering", title="Udeservering på fortovet", department="Vej og Trafik",
                    questions=("Hvordan får jeg lov til udeservering foran min café?",),
                    answer="Du søger om udeservering. Der betales leje pr. m² efter kommunens takster.")]
    whether = decide("Må vi have udeservering foran vores café, og koster det noget?", KnowledgeIndex(rented),
                     settings=TriageSettings(answer_threshold=0.0))
    assert (whether.action, whether.entry_id) == ("answer", "udeservering")
    for how_much in ("Hvad koster det at få udeservering foran vores café?",
                     "What is the exact price of outdoor seating in front of our café?"):
        d = decide(how_much, KnowledgeIndex(rented), settings=TriageSettings(answer_threshold=0.0))
        assert d.action == "escalate", how_much
        assert any("states no amount" in r for r in d.reasons), how_much
    silent = decide("Må vi have udeservering foran vores café, og koster det noget?", index(),
                    settings=TriageSettings(answer_threshold=0.0))
    assert any("says nothing of payment" in r for r in silent.reasons)


def test_a_business_asking_where_its_own_application_stands_is_escalated_as_a_case():
    for text in ("Vi søgte om udeservering for tre uger siden. Hvornår får vi svar?",
                 "We applied for outdoor seating two weeks ago and have heard nothing. When will we know?",
                 "Vores ansøgning om alkoholbevilling har nu ligget hos jer i 10 uger."):
        d = decide(text, index(), settings=TriageSettings(answer_threshold=0.0))
        assert d.action == "escalate", text
        assert any("reads like a case" in r for r in d.reasons), text


def test_a_licence_that_has_already_run_out_is_a_case_one_about_to_run_out_is_not():
    lapsed = decide("Vores alkoholbevilling udløb i sidste uge. Må vi blive ved med at servere øl?", index(),
                    settings=TriageSettings(answer_threshold=0.0))
    assert lapsed.action == "escalate"
    from bot.triage.cases import case_points
    assert case_points("Vores alkoholbevilling udløber til efteråret. Hvornår skal vi søge?")[0] == 0.0


def test_asking_for_the_exact_amount_of_its_own_case_is_escalated_even_if_the_entry_states_a_rate():
    priced = [Entry(id="udeservering", title="Udeservering på fortovet", department="Vej og Trafik",
                    questions=("Hvordan får jeg lov til udeservering foran min café?",),
                    answer="Du søger om udeservering. Det koster 150 kr. pr. m² pr. sæson.")]
    d = decide("Hvad skal vi præcist betale for 18 m² udeservering fra april til september?",
               KnowledgeIndex(priced), settings=TriageSettings(answer_threshold=0.0))
    assert d.action == "escalate"


def test_a_fine_despite_a_permit_is_a_complaint_about_its_own_case():
    from bot.triage.cases import case_points
    assert case_points("Vi fik en p-afgift i går, selvom vores erhvervslicens var betalt.")[0] >= 2.0
    assert case_points("We got a parking ticket even though we have a business permit.")[0] >= 2.0
    assert case_points("Skal vi registreres, selvom vi kun sælger kaffe?")[0] == 0.0


def test_a_free_standing_pylon_metres_high_is_a_case_a_sign_on_the_facade_is_not():
    from bot.triage.cases import case_points
    for text in ("Kan vi sætte en 8 meter høj pylon med vores logo op ved indkørslen?",
                 "Vi vil have en reklamepylon på 12 meter ved vejen.",
                 "We want a 10 m high pylon by the entrance to our car dealership."):
        assert case_points(text)[0] >= 2.0, text
    for text in ("Må vi sætte et skilt på facaden over døren?",
                 "Arkitekten har tegnet hytterne 5,5 meter høje, men lokalplanen siger 5 meter."):
        assert case_points(text)[0] == 0.0, text


def test_asking_when_the_municipalitys_own_office_is_open_is_not_a_question_about_shop_hours():
    shops = [Entry(id="aabningstider", title="Åbningstider for butikker (lukkeloven)", department="Erhvervsservice",
                   questions=("Hvornår må min butik holde åbent?", "Må butikker holde åbent på helligdage?"),
                   answer="Butikker må som hovedregel holde åbent alle ugens dage.")]
    office = decide("hvornår har borgerservice åbent om torsdagen", KnowledgeIndex(shops))
    assert office.action == "escalate"
    assert "@kommunens_betjening" in KnowledgeIndex(shops).analyse("Hvornår har rådhuset åbent?").groups
    shop = decide("Hvornår må vores butik holde åbent om søndagen?", KnowledgeIndex(shops))
    assert (shop.action, shop.entry_id) == ("answer", "aabningstider")


def test_a_compound_the_vocabulary_names_means_what_it_names_not_what_its_parts_do():
    from bot.triage.features import analyse
    vocab = index().vocab
    assert analyse("Vi åbner en gårdbageri", vocab).groups == {"@madvarer"}  # gård|bageri: no farm land
    assert analyse("vi åbner en frokostbar", vocab).groups == {"@spisested"}  # frokost|bar: a place to eat
    assert "@landzone" in analyse("Vi har en gårdbutik", vocab).groups  # not named: its parts speak


def test_a_filler_word_inside_a_phrase_does_not_hide_it():
    from bot.triage.features import analyse
    vocab = index().vocab
    assert "!afslag" in analyse("Fik lige nej til vores overdækning", vocab).groups
    assert "!afslag" in analyse("Vi har desværre fået afslag", vocab).groups


def test_a_date_after_a_street_name_is_not_an_address():
    from bot.triage.cases import case_points
    assert case_points("Jeg overtager en restaurant på Torvegade 1. juni.")[0] == 0.0
    assert case_points("Vi har en butik på Torvegade 12. Må vi stille et skilt ud?")[0] == 2.0


def test_who_grants_a_permission_is_no_question_about_a_grant():
    from bot.triage.features import analyse
    vocab = index().vocab
    assert "!tilskud" not in analyse("Who grants permission to serve wine?", vocab).groups
    assert "!tilskud" in analyse("Can we get a grant for new windows?", vocab).groups


def test_an_employee_relocating_is_not_a_business_relocating():
    rules = load_default_rules()
    person = decide("We just hired an engineer who is relocating here. Does she need a personal ID number?",
                    index(), rules)
    assert not any("relocation" in r for r in person.reasons)
    company = decide("We are relocating our bakery production to your municipality. Where do we start?",
                     index(), rules)
    assert company.action == "escalate" and company.complexity == "complex"


def test_the_municipality_and_a_building_extension_are_not_things_the_business_holds_or_renews():
    from bot.triage.holdings import held_terms
    from bot.triage.text import stem
    assert stem("kommun") not in held_terms("Vi har kørt for kommunens vejafdeling, og vores kommune betaler.")
    d = decide("We're planning an extension to our café. How do we apply for outdoor seating too?", index(),
               settings=TriageSettings(answer_threshold=0.0))
    assert not any("negated intent" in r for r in d.reasons)


def test_asking_for_the_rate_the_council_uses_needs_the_rate_in_the_answer():
    tax = [Entry(id="daekningsafgift", title="Dækningsafgift på erhvervsejendomme", department="Opkrævning",
                 questions=("Hvad er dækningsafgift?",),
                 answer="Dækningsafgiften beregnes med den promille, byrådet har vedtaget.")]
    d = decide("Hvilken promille bruger kommunen til dækningsafgift i år?", KnowledgeIndex(tax),
               settings=TriageSettings(answer_threshold=0.0))
    assert d.action == "escalate"
    assert any("states no amount" in r for r in d.reasons)
