"""The few neutral types that flow through Indgang.

Inbound ``Message`` -> triage ``Decision`` -> ``Case`` (maybe) -> outbound ``Reply``.
Only ``bot/channels/*`` knows what an email, a Telegram update or a web socket is;
everything after the channel speaks in these types, so the pipeline reads the same
for every channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Literal, Protocol

Lang = Literal["da", "en"]
Complexity = Literal["simple", "medium", "complex"]
Action = Literal["answer", "escalate", "ignore"]
Phase = Literal["attraction", "clarification", "case_processing"]
Owner = Literal["bot", "staff"]

PHASES: tuple[Phase, ...] = ("attraction", "clarification", "case_processing")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    data: bytes | None = None  # None when over the size cap: listed, not kept


@dataclass(frozen=True)
class Message:
    """One inbound message, as the channel understood it.

    ``source_id`` is unique per channel (email Message-ID, Telegram update id,
    web chat client id): the store refuses a second message with the same one,
    which is how a duplicate delivery is handled once.
    """

    channel: str
    sender: str  # the business's address on that channel (email, chat id, session)
    text: str  # cleaned text for triage (quotes, signatures removed)
    source_id: str
    subject: str = ""
    sender_name: str = ""
    received_at: datetime = field(default_factory=utcnow)
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    raw: bytes | None = None  # kept so nothing is lost to a parsing mistake
    full_text: str = ""  # the whole body before cleanup, for people to read
    automatic: str | None = None  # why this is an auto-reply/bounce: never answered
    lang_hint: Lang | None = None
    extras: dict[str, Any] = field(default_factory=dict)  # native ids, chat type...


@dataclass(frozen=True)
class Decision:
    """What triage decided, with the reasons an admin reads to understand why."""

    action: Action
    lang: Lang
    score: float = 0.0
    entry_id: str | None = None
    complexity: Complexity = "simple"
    department: str | None = None
    reasons: tuple[str, ...] = ()
    candidates: tuple[tuple[str, float], ...] = ()  # (entry id, score), best first

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": "answer" if self.action == "answer" else "escalate",
            "entry_id": self.entry_id,
            "score": round(float(self.score), 4),
            "complexity": self.complexity,
            "department": self.department,
            "lang": self.lang,
        }


@dataclass(frozen=True)
class Entry:
    """A knowledge entry: the import format of ``shared/bench/kb.jsonl`` plus curation fields."""

    id: str
    title: str
    questions: tuple[str, ...]
    answer: str
    department: str
    answer_en: str = ""
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # optional "must mention" words for a match
    active: bool = True
    updated_by: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Rule:
    """An admin-editable escalation rule: a pattern that sends an inquiry straight to a person."""

    id: int
    pattern: str  # a regular expression, matched on normalised text
    department: str
    complexity: Complexity
    note: str = ""
    active: bool = True


@dataclass(frozen=True)
class Reply:
    """One outbound message, as taken from the outbox and handed to a channel."""

    outbox_id: int
    thread_id: int
    channel: str
    recipient: str
    text: str
    lang: Lang = "da"
    subject: str = ""
    html: str | None = None
    message_id: str = ""  # for email threading; channels may ignore it
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    automatic: bool = True  # bot-generated (Auto-Submitted) vs a person's reply
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    id: int
    number: str  # the number the business sees, e.g. "2026-0007"
    thread_id: int
    complexity: Complexity
    department: str
    phase: Phase
    status: str  # open | closed
    assignee_id: int | None
    assignee_name: str | None
    deadline: date
    created_at: str
    outcome: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What the pipeline did with one inbound message; channels and the CLI report it."""

    status: Literal["answered", "escalated", "attached", "ignored", "duplicate", "failed"]
    thread_id: int | None
    message_id: int | None = None
    case_id: int | None = None
    case_number: str | None = None
    decision: Decision | None = None
    reason: str = ""
    replies: tuple[int, ...] = ()  # outbox ids queued


Inbox = Callable[[Message], Awaitable[Outcome]]


class Channel(Protocol):
    """The one interface every channel offers: receive into the inbox, send a reply.

    ``run`` loops until cancelled; it must hand each message to ``inbox`` and only
    acknowledge it to its source (IMAP seen flag, Telegram offset) after the inbox
    returned, because that is when the message is stored.
    """

    name: str

    async def run(self, inbox: Inbox) -> None: ...

    async def send(self, reply: Reply) -> str | None: ...
