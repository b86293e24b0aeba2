"""Triage: decide whether the knowledge base answers an inquiry or a person must take it."""

from bot.triage.cleanup import clean_inquiry, is_unsatisfied
from bot.triage.decide import decide
from bot.triage.index import KnowledgeIndex
from bot.triage.rules import load_default_rules, load_rules
from bot.triage.settings import TriageSettings
from bot.triage.synonyms import Synonyms, load_synonyms
from bot.triage.text import detect_language, normalise

__all__ = [
    "KnowledgeIndex", "Synonyms", "TriageSettings", "clean_inquiry", "decide", "detect_language",
    "is_unsatisfied", "load_default_rules", "load_rules", "load_synonyms", "normalise",
]
