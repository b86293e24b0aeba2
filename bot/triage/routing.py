"""Which department owns an escalated inquiry: the one its closest entries and its
department words point to; several departments in a complex case mean the
business needs the coordinator, Erhvervsservice."""

from __future__ import annotations

from bot.triage.features import Analysis
from bot.triage.index import KnowledgeIndex
from bot.triage.scoring import Scored
from bot.triage.settings import TriageSettings
from bot.triage.synonyms import Synonyms, groups_in
from bot.triage.text import stem, words
from bot.types import Complexity

FALLBACK = "Erhvervsservice"
KEYWORD_VOTE = 0.25
TOP_ENTRIES = 5


def department_votes(query: Analysis, scored: list[Scored], index: KnowledgeIndex) -> dict[str, float]:
    votes: dict[str, float] = {}
    if scored:
        floor = scored[0].score * 0.5
        for s in scored[:TOP_ENTRIES]:
            if s.score >= floor:
                department = index.item(s.entry_id).entry.department
                votes[department] = votes.get(department, 0.0) + s.score
    for group in query.groups:
        if group[0] == "=":
            votes[group[1:]] = votes.get(group[1:], 0.0) + KEYWORD_VOTE
    return votes


def named_departments(text: str, synonyms: Synonyms) -> set[str]:
    """Departments other than the coordinator whose own words the inquiry uses.

    Whole words only: parts of compounds ("Havne|vej 22") name no department."""
    found = groups_in([stem(w) for w in words(text)], synonyms)
    return {g[1:] for g in found if g[0] == "="} - {FALLBACK}


def guess_department(query: Analysis, scored: list[Scored], index: KnowledgeIndex,
                     complexity: Complexity, settings: TriageSettings,
                     named: frozenset[str] = frozenset(), preferred: str = "") -> str:
    """A complex case whose inquiry itself names the matters of several departments
    goes to the coordinator; otherwise a rule's department, else the best-voted one."""
    if complexity == "complex" and len(named) >= settings.multi_department_min:
        return FALLBACK
    if preferred:
        return preferred
    votes = department_votes(query, scored, index)
    if not votes:
        return FALLBACK
    return max(sorted(votes), key=lambda d: votes[d])
