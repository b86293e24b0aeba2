"""Which department owns an escalated inquiry: the one its closest entries and its
department words point to; several departments in a complex case mean the
business needs the coordinator, Erhvervsservice."""

from __future__ import annotations

from bot.triage.features import Analysis
from bot.triage.index import KnowledgeIndex
from bot.triage.scoring import Scored
from bot.triage.settings import TriageSettings
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


def guess_department(query: Analysis, scored: list[Scored], index: KnowledgeIndex,
                     complexity: Complexity, settings: TriageSettings) -> str:
    votes = department_votes(query, scored, index)
    if not votes:
        return FALLBACK
    if complexity == "complex" and len(votes) >= settings.multi_department_min:
        return FALLBACK
    return max(sorted(votes), key=lambda d: votes[d])
