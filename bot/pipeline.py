"""The one path every inbound message takes, readable top to bottom:

    store -> thread -> (ignore | attach to case | triage) -> answer or case -> outbox

Step one commits the message before anything else, so the channel may acknowledge it to
its source; step two decides and acts in one transaction. If step two fails, the message
is marked failed and handed to a person: nothing is dropped. Messages that arrive together
take the two steps as a run (``process_all``): one commit stores them all, one more keeps
their decisions, each still behind its own error boundary.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from sqlite_utils import Database

from bot import events, outbox, threads
from bot.config import Settings
from bot.store import Store, get_row, transaction
from bot.triage import KnowledgeIndex, decide, detect_language, is_unsatisfied, load_synonyms
from bot.types import Decision, Entry, Message, Outcome, Rule
from escalation import cases, service_goals, texts
from knowledge import entries as kb
from knowledge import rules as rulebook

log = logging.getLogger(__name__)

CHAT_CHANNELS = ("webchat", "telegram", "terminal", "memory")
THANKS_RE = re.compile(r"^\W*(mange |tusind |1000 )?(tak|thanks?|thank you|ok|okay|super|perfekt)\b[\w\s!.,:)-]{0,30}$", re.I)
CONTACT_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|(?:\+45\s?)?(?:\d\s?){8}")
MAX_RUN = 16  # messages taken to the database thread at once: bounds how long other work waits

Stored: TypeAlias = tuple[dict[str, Any], int, bool]  # thread, message id, whether it opened the thread


@dataclass
class Knowledge:
    """The in-memory side of the knowledge base: the index and the rules triage reads."""

    index: KnowledgeIndex
    rules: list[Rule] = field(default_factory=list)

    @classmethod
    def load(cls, db: Database) -> Knowledge:
        return cls(KnowledgeIndex(kb.all_entries(db, active_only=True), load_synonyms()),
                   rulebook.active_rules(db))

    def entry_changed(self, entry: Entry) -> None:
        """Called on the database thread, like triage, so the index needs no lock."""
        if entry.active:
            self.index.upsert(entry)
        else:
            self.index.remove(entry.id)

    def decide(self, text: str, settings: Settings, subject: str = "") -> Decision:
        return decide(text, self.index, self.rules, settings.triage, subject=subject)


def process(db: Database, knowledge: Knowledge, settings: Settings, message: Message) -> Outcome:
    """Store, then decide and act."""
    return _act_on(db, knowledge, settings, message, store_message(db, message))


def process_all(db: Database, knowledge: Knowledge, settings: Settings,
                messages: Sequence[Message]) -> list[Outcome | Exception]:
    """``process`` for each message in turn, but with two commits for a run of messages instead
    of two for each: commits were the largest cost per message after triage. Every message is
    still committed before any is decided on, and its reply before ``receive`` returns.

    A message's exception is returned in its place, as its own ``process`` call would raise it."""
    if len(messages) == 1:
        return [_alone(process, db, knowledge, settings, messages[0])]
    results: list[Outcome | Exception] = []
    while len(results) < len(messages):
        results += _process_run(db, knowledge, settings, messages[len(results):])
    return results


def _process_run(db: Database, knowledge: Knowledge, settings: Settings,
                 messages: Sequence[Message]) -> list[Outcome | Exception]:
    """Store a leading run of the messages, then decide and act on that run; if storing fails
    as a whole, each message is handled alone, so one bad message fails only itself."""
    try:
        run = _store_run(db, messages)
    except Exception:
        log.exception("storing a run of %d messages failed; storing each alone", len(messages))
        return [_alone(process, db, knowledge, settings, message) for message in messages]
    return _act_on_run(db, knowledge, settings, messages[:len(run)], run)


def _store_run(db: Database, messages: Sequence[Message]) -> list[Outcome | Stored]:
    """Commit a leading run of the messages. The run stops before a message on a thread it has
    already reached: that message must find its thread as the earlier one's decision left it
    (a case opened, a contact saved), so it starts the next run, as it would one by one."""
    run: list[Outcome | Stored] = []
    reached: set[int] = set()
    with transaction(db):
        for message in messages:
            duplicate = threads.is_duplicate(db, message)
            if duplicate:
                run.append(Outcome("duplicate", None, duplicate, reason="already received"))
                continue
            thread = threads.find_thread(db, message)
            if thread is not None and thread["id"] in reached:
                break
            stored = _save(db, message, thread)
            reached.add(stored[0]["id"])
            run.append(stored)
    return run


def _act_on_run(db: Database, knowledge: Knowledge, settings: Settings, messages: Sequence[Message],
                run: list[Outcome | Stored]) -> list[Outcome | Exception]:
    """Decide and act on a stored run in one transaction, each message behind its own error
    boundary (a savepoint). Should SQLite give up the whole transaction (disk full, I/O error),
    none of it was kept, so each message is decided on again alone, as ``process`` would."""
    pairs = list(zip(messages, run, strict=True))
    try:
        with transaction(db):
            return [_act_in_run(db, knowledge, settings, message, stored) for message, stored in pairs]
    except Exception:
        log.exception("deciding on a run of %d messages failed; deciding on each alone", len(run))
        return [_alone(_act_on, db, knowledge, settings, message, stored) for message, stored in pairs]


def _act_in_run(db: Database, knowledge: Knowledge, settings: Settings, message: Message,
                stored: Outcome | Stored) -> Outcome:
    """``_act_on`` inside a run's transaction. A hand-over to a person swallows the errors of
    opening its case; had one of them ended the run's transaction, the run is given up here,
    before the next message writes anything outside it."""
    outcome = _act_on(db, knowledge, settings, message, stored)
    if not db.conn.in_transaction:
        raise RuntimeError(f"the run's transaction ended while deciding on message {outcome.message_id}")
    return outcome


def _alone(fn: Callable[..., Outcome], *args: Any) -> Outcome | Exception:
    try:
        return fn(*args)
    except Exception as exc:
        return exc


def _act_on(db: Database, knowledge: Knowledge, settings: Settings, message: Message,
            stored: Outcome | Stored) -> Outcome:
    if isinstance(stored, Outcome):
        return stored
    thread, message_id, opened = stored
    return decide_and_act(db, knowledge, settings, thread, message_id, message, opened=opened)


def decide_and_act(db: Database, knowledge: Knowledge, settings: Settings, thread: dict[str, Any],
                   message_id: int, message: Message, *, opened: bool = False) -> Outcome:
    """The error boundary for one stored message: a failure goes to a person, never lost.

    Inside a run's transaction, an error that ended that whole transaction is raised instead:
    the hand-over written now would not join the run's, and the run is done again alone."""
    in_run = db.conn.in_transaction
    try:
        with transaction(db):
            return act(db, knowledge, settings, thread, message_id, message, opened=opened)
    except Exception as exc:
        if in_run and not db.conn.in_transaction:
            raise
        log.exception("message %s on thread %s failed", message_id, thread["id"])
        return hand_to_person(db, settings, thread, message_id, exc)


def store_message(db: Database, message: Message) -> Outcome | Stored:
    """Commit the message; returns its thread, its id and whether it opened the thread."""
    return _store_run(db, [message])[0]


def _save(db: Database, message: Message, thread: dict[str, Any] | None) -> Stored:
    """Save the message on its thread, opening one when it has none."""
    opened = thread is None
    if thread is None:
        lang = message.lang_hint or detect_language(f"{message.subject}\n{message.text}")
        thread = threads.create_thread(db, message, lang)
    message_id = threads.store_inbound(db, thread["id"], message, touch_thread=not opened)
    events.record(db, "received", thread["id"], channel=message.channel, message_id=message_id)
    return thread, message_id, opened


def act(db: Database, knowledge: Knowledge, settings: Settings, thread: dict[str, Any],
        message_id: int, message: Message, *, opened: bool = False) -> Outcome:
    """``opened``: this message has just opened the thread, so it has no case and no bot
    answer yet and neither is looked up."""
    if message.automatic:
        return ignore(db, thread, message_id, f"automatic message: {message.automatic}")
    if opened and message.channel == "email" and outbox.answers_a_notice(
            db, [message.in_reply_to or "", *message.references]):
        return ignore(db, thread, message_id, "a reply to a deadline notice sent to staff")
    case = None if opened else cases.of_thread(db, thread["id"])
    if case and case["status"] == "closed":
        return after_close(db, settings, thread, message_id, message, case)
    if case or thread["owner"] == "staff":
        return attach(db, settings, thread, message_id, message, case)
    if not message.text.strip() and not message.attachments:
        return ignore(db, thread, message_id, "empty message")
    if not opened and threads.bot_answered(db, thread["id"]):
        if THANKS_RE.match(message.text.strip()):
            return ignore(db, thread, message_id, "thanks after an answer")
        why = "unsatisfied with the answer" if is_unsatisfied(message.text) else "follow-up after a bot answer"
        base = knowledge.decide(message.text, settings, subject=message.subject)
        return escalate(db, settings, thread, message_id, _followup(base, why))
    decision = knowledge.decide(message.text, settings, subject=message.subject)
    if message.attachments:
        decision = _with_attachments(decision)
    if decision.action == "answer":
        return answer(db, knowledge, settings, thread, message_id, decision)
    return escalate(db, settings, thread, message_id, decision)


def _followup(base: Decision, why: str) -> Decision:
    complexity = base.complexity if base.complexity != "simple" else "medium"
    return Decision("escalate", base.lang, base.score, None, complexity, base.department,
                    (why, *base.reasons), base.candidates)


def _with_attachments(decision: Decision) -> Decision:
    complexity = "medium" if decision.complexity == "simple" else decision.complexity
    department = decision.department
    return Decision("escalate", decision.lang, decision.score, None, complexity, department,
                    ("files attached: a person looks at them", *decision.reasons), decision.candidates)


def ignore(db: Database, thread: dict[str, Any], message_id: int, reason: str) -> Outcome:
    threads.set_status(db, message_id, "ignored")
    events.record(db, "ignored", thread["id"], message_id=message_id, reason=reason)
    return Outcome("ignored", thread["id"], message_id, reason=reason)


def answer(db: Database, knowledge: Knowledge, settings: Settings, thread: dict[str, Any],
           message_id: int, decision: Decision) -> Outcome:
    entry = knowledge.index.get(decision.entry_id or "")
    assert entry is not None, "triage answered with an entry the index does not hold"
    threads.record_decision(db, message_id, decision, "answered")
    events.record(db, "answered", thread["id"], message_id=message_id, entry=entry.id,
                  score=round(decision.score, 3), reasons=list(decision.reasons))
    queued = _send(db, settings, thread, texts.answer_text(entry, thread["lang"]), None)
    return Outcome("answered", thread["id"], message_id, decision=decision, replies=queued)


def escalate(db: Database, settings: Settings, thread: dict[str, Any], message_id: int,
             decision: Decision) -> Outcome:
    threads.record_decision(db, message_id, decision, "escalated")
    case = cases.open_case(db, thread["id"], decision.complexity, decision.department,
                           working_days=settings.service.answer_days)
    queued = _acknowledge(db, settings, thread, case)
    events.record(db, "acknowledged", thread["id"], case_id=case["id"], reasons=list(decision.reasons))
    return Outcome("escalated", thread["id"], message_id, case["id"], case["number"], decision, replies=queued)


def _acknowledge(db: Database, settings: Settings, thread: dict[str, Any], case: dict[str, Any]) -> tuple[int, ...]:
    assignee = {"name": case["assignee_name"]} if case["assignee_name"] else None
    ask = texts.ask_contact(thread["lang"]) if thread["channel"] == "webchat" and not thread["contact"] else ""
    text = texts.acknowledgement(case, assignee, thread["lang"], settings.service.municipality,
                                 settings.service.answer_days, extra=ask)
    return _send(db, settings, thread, text, case["number"])


def attach(db: Database, settings: Settings, thread: dict[str, Any], message_id: int,
           message: Message, case: dict[str, Any] | None) -> Outcome:
    """A person owns this thread: the bot stays quiet, the message joins the case."""
    threads.set_status(db, message_id, "attached")
    events.record(db, "attached", thread["id"], case_id=case and case["id"], message_id=message_id)
    queued: tuple[int, ...] = ()
    contact = CONTACT_RE.search(message.text)
    if thread["channel"] in CHAT_CHANNELS and not thread["contact"] and contact:
        threads.touch(db, thread["id"], contact=contact.group(0).strip())
        queued = _send(db, settings, thread, texts.contact_saved(thread["lang"]), None)
    return Outcome("attached", thread["id"], message_id, case and case["id"], case and case["number"],
                   reason="thread owned by a person" if thread["owner"] == "staff" else "open case",
                   replies=queued)


def after_close(db: Database, settings: Settings, thread: dict[str, Any], message_id: int,
                message: Message, case: dict[str, Any]) -> Outcome:
    """A closed case hears back: a survey answer is recorded, anything else reopens the case."""
    score = service_goals.satisfaction_score(message.text)
    if score is not None and service_goals.awaiting_satisfaction(db, case):
        service_goals.record_satisfaction(db, case["id"], score)
        threads.set_status(db, message_id, "satisfaction")
        queued = _send(db, settings, thread, texts.satisfaction_thanks(thread["lang"]), case["number"])
        return Outcome("attached", thread["id"], message_id, case["id"], case["number"],
                       reason=f"satisfaction {score}", replies=queued)
    cases.reopen(db, case["id"], actor="business")
    return attach(db, settings, thread, message_id, message, case)


def hand_to_person(db: Database, settings: Settings, thread: dict[str, Any], message_id: int,
                   exc: Exception) -> Outcome:
    """The failure path: keep the message, mark it, open a case so a person sees it."""
    threads.set_status(db, message_id, "failed", f"{type(exc).__name__}: {exc}")
    events.record(db, "failed", thread["id"], message_id=message_id, error=f"{type(exc).__name__}: {exc}")
    try:
        with transaction(db):
            case = cases.of_thread(db, thread["id"])
            queued: tuple[int, ...] = ()
            if case is None:
                case = cases.open_case(db, thread["id"], "medium", None, working_days=settings.service.answer_days)
                queued = _acknowledge(db, settings, thread, case)
    except Exception:
        log.exception("could not open a case for failed message %s", message_id)
        return Outcome("failed", thread["id"], message_id, reason=str(exc))
    return Outcome("failed", thread["id"], message_id, case["id"], case["number"], reason=str(exc), replies=queued)


def _send(db: Database, settings: Settings, thread: dict[str, Any], text: str,
          case_number: str | None) -> tuple[int, ...]:
    if thread["channel"] == "email":
        limit = settings.email.auto_replies_per_hour
        if outbox.recent_automatic(db, thread["address"]) >= limit:
            events.record(db, "rate_limited", thread["id"], limit=limit)
            return ()
    if case_number is None and thread["channel"] == "email":  # only email subjects carry the number
        case_number = _case_number(db, thread)
    subject = texts.subject_for(thread["subject"], case_number, thread["lang"])
    domain = settings.email.address.rpartition("@")[2] or "indgang.local"
    return (outbox.enqueue(db, thread, text, subject=subject, domain=domain),)


def _case_number(db: Database, thread: dict[str, Any]) -> str | None:
    case = cases.of_thread(db, thread["id"])
    return case["number"] if case else None


def unfinished(db: Database) -> list[int]:
    """Messages stored but never decided on: a crash came between the two steps."""
    return [r[0] for r in db.execute("SELECT id FROM messages WHERE direction = 'in' AND status = 'received'")]


class Pipeline:
    """The async face of ``process``: channels call ``receive`` as their inbox."""

    def __init__(self, store: Store, settings: Settings, knowledge: Knowledge,
                 on_queued: Callable[[], None] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.knowledge = knowledge
        self.on_queued = on_queued or (lambda: None)
        self.listeners: list[Callable[[Outcome], None]] = []
        self._waiting: deque[tuple[Message, asyncio.Future[Outcome]]] = deque()
        self._taker: asyncio.Task[None] | None = None

    async def receive(self, message: Message) -> Outcome:
        """One hop to the database thread does it all: triage there too, because under the
        GIL a separate triage thread only adds hand-overs (measured: fewer inquiries/s).
        Messages that arrive while that thread is busy wait here and go over together."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((message, future))
        if self._taker is None or self._taker.done():
            self._taker = asyncio.create_task(self._take_waiting())
        result = await future
        if result.replies:
            self.on_queued()
        for listener in self.listeners:
            listener(result)
        return result

    async def _take_waiting(self) -> None:
        """Hand what waits to the database thread, a run at a time, until nothing waits."""
        while self._waiting:
            taken = [self._waiting.popleft() for _ in range(min(MAX_RUN, len(self._waiting)))]
            try:
                results = await self.store.call(process_all, self.knowledge, self.settings,
                                                [message for message, _ in taken])
            except asyncio.CancelledError:
                for _, future in (*taken, *self._waiting):
                    future.cancel()
                self._waiting.clear()
                raise
            except Exception as exc:
                results = [exc] * len(taken)
            for (_, future), result in zip(taken, results, strict=True):
                _settle(future, result)

    async def resume(self) -> int:
        """Finish what a crash interrupted: decide on messages that were stored only."""
        ids = await self.store.call(unfinished)
        for message_id in ids:
            await self.store.call(resume_one, self.knowledge, self.settings, message_id)
        if ids:
            self.on_queued()
        return len(ids)


def _settle(future: asyncio.Future[Outcome], result: Outcome | Exception) -> None:
    if future.done():  # its receiver was cancelled; the message was handled all the same
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)


def resume_one(db: Database, knowledge: Knowledge, settings: Settings, message_id: int) -> Outcome:
    row = get_row(db, "messages", message_id)
    assert row is not None
    thread = threads.get_thread(db, row["thread_id"])
    assert thread is not None
    message = Message(channel=row["channel"], sender=thread["address"], text=row["text"],
                      source_id=row["source_id"] or "", subject=row["subject"], full_text=row["full_text"],
                      automatic=row["automatic"])
    return decide_and_act(db, knowledge, settings, thread, message_id, message)
