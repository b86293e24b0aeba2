"""Normalisation, cleanup, language and follow-up detection, as the business writes them."""

import pytest

from bot.triage import clean_inquiry, detect_language, is_unsatisfied, normalise
from bot.triage.text import fold, stems


@pytest.mark.parametrize("written, expected", [
    ("Ansøgning", "ansoegning"),
    ("ÅBNINGSTIDER", "aabningstider"),
    ("Miljøgodkendelse", "miljoegodkendelse"),
    ("Hæk", "haek"),
])
def test_danish_letters_fold_like_a_keyboard_without_them(written, expected):
    assert fold(written) == expected


@pytest.mark.parametrize("a, b", [
    ("byggetilladelse", "byggetilladelser"),
    ("ansøgningen", "ansoegning"),
    ("Virksomheder", "virksomhed"),
])
def test_inflections_and_spellings_share_a_stem(a, b):
    assert stems(a) == stems(b)


def test_rules_see_single_spaced_lowercase_folded_text():
    assert normalise("  Vi vil  FLYTTE   virksomheden! ") == "vi vil flytte virksomheden"


def test_signature_with_cvr_and_greeting_are_removed():
    mail = ("Hej Erhvervsservice\n\nHvordan søger vi om udeservering?\n\nPå forhånd tak.\n\n"
            "Med venlig hilsen\nAnna Hansen\nCafé Sol ApS\nCVR 12345678\nTlf. 12 34 56 78")
    assert clean_inquiry(mail) == "Hvordan søger vi om udeservering?"


def test_a_cvr_line_without_signature_is_dropped_but_cvr_as_topic_is_kept():
    assert clean_inquiry("Hvad er et CVR-nummer?\nCVR: 87654321") == "Hvad er et CVR-nummer?"


def test_thanks_followed_by_a_question_keeps_the_question():
    text = "Tak for svaret, men hvad med weekenden?\nMvh\nOle"
    assert clean_inquiry(text) == "Tak for svaret, men hvad med weekenden?"


def test_english_sign_off_and_quoted_history_are_removed():
    text = "Hi,\nCan we park here?\nBest regards,\nJo\n\nOn Monday Eksempel wrote:\n> old"
    assert clean_inquiry(text) == "Can we park here?"


@pytest.mark.parametrize("text, lang", [
    ("Hvordan søger jeg om byggetilladelse?", "da"),
    ("how do i apply for a building permit", "en"),
    ("maa min toejbutik holde aabent 2 paaskedag", "da"),
    ("Is my shop allowed to open on Sundays?", "en"),
])
def test_language_is_detected_from_function_words(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text, unsatisfied", [
    ("Det hjalp ikke", True),
    ("det hjalp desværre ikke, jeg vil tale med en person", True),
    ("Nej, det var ikke det jeg spurgte om", True),
    ("That didn't help", True),
    ("That did not answer my question", True),
    ("Tak, det hjalp!", False),
    ("Super, tak for hjælpen", False),
    ("Thanks, that helps", False),
])
def test_unsatisfied_follow_ups_are_recognised(text, unsatisfied):
    assert is_unsatisfied(text) is unsatisfied
