"""Putting the parts together: database, knowledge, pipeline, outbox worker and channels.

``Runtime`` is what the CLI, the web app and the tests share, so there is one way to
start Indgang and it is the way tests exercise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlite_utils import Database

from bot import privacy
from bot.config import Settings
from bot.outbox import OutboxWorker, recover
from bot.pipeline import Knowledge, Pipeline
from bot.store import Store, get_state, set_state, transaction
from bot.triage import load_default_rules
from bot.triage.index import settle
from bot.types import Channel, Outcome
from bot.web.live import Hub
from escalation import deadlines, notices, service_goals
from knowledge import entries as kb
from knowledge import rules as rulebook

log = logging.getLogger(__name__)
DEADLINE_CHECK_SECONDS = 3600.0
RETENTION_CHECK_SECONDS = 24 * 3600.0


def seed_if_new(db: Database, settings: Settings, with_knowledge: bool = True) -> bool:
    """A new database gets the shipped knowledge base and rules, once.

    Without ``with_knowledge`` (a first `kb import`), the imported file is the knowledge
    base: the shipped entries are not mixed into a municipality's own.
    """
    if get_state(db, "seeded"):
        return False
    path = settings.kb_path or kb.DEFAULT_KB
    with transaction(db):
        if with_knowledge and not db["entries"].count:
            kb.import_entries(db, kb.read_file(path), by="system")
        if not db["rules"].count:
            rulebook.replace_all(db, load_default_rules())
        set_state(db, "seeded", "1")
    return True


def secret_key(db: Database, settings: Settings) -> str:
    """The configured key, or one generated and kept in the database (never in the repo)."""
    if settings.web.secret_key:
        return settings.web.secret_key
    key = get_state(db, "secret_key")
    if key is None:
        key = secrets.token_urlsafe(32)
        set_state(db, "secret_key", key)
    return key


@dataclass
class Runtime:
    settings: Settings
    store: Store
    knowledge: Knowledge
    pipeline: Pipeline
    worker: OutboxWorker
    channels: dict[str, Channel] = field(default_factory=dict)
    hub: Hub = field(default_factory=Hub)  # live updates for web pages
    stopping: asyncio.Event = field(default_factory=asyncio.Event)  # set on shutdown: open streams end

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        store = Store(settings.db_path)
        store.run(seed_if_new, settings)
        knowledge = store.run(Knowledge.load)
        deadlines.load_calendar(date.today().year)
        settle()  # what start-up loaded lives as long as the process: out of full collections
        worker = OutboxWorker(store, {})
        pipeline = Pipeline(store, settings, knowledge, on_queued=worker.poke)
        runtime = cls(settings, store, knowledge, pipeline, worker)
        pipeline.listeners.append(runtime.announce)
        return runtime

    def announce(self, outcome: Outcome) -> None:
        """Tell open staff pages that a thread changed (new message, new case)."""
        if outcome.thread_id is None or outcome.status == "duplicate":
            return
        event = {"type": outcome.status, "thread_id": outcome.thread_id, "case_id": outcome.case_id,
                 "case_number": outcome.case_number}
        self.hub.publish("inbox", event)
        self.hub.publish(f"thread:{outcome.thread_id}", event)

    def add_channel(self, channel: Channel) -> None:
        self.channels[channel.name] = channel
        self.worker.channels[channel.name] = channel

    async def run(self, extra: list[Callable[[], Awaitable[Any]]] = ()) -> None:
        """Run every channel and the outbox worker until cancelled; one failing task is logged."""
        self.stopping.clear()
        await self.pipeline.resume()
        tasks = [asyncio.create_task(_guard(c.name, lambda c=c: c.run(self.pipeline.receive)))
                 for c in self.channels.values()]
        tasks.append(asyncio.create_task(_guard("outbox", self.worker.run)))
        tasks.append(asyncio.create_task(_guard("deadlines", lambda: _every(DEADLINE_CHECK_SECONDS,
                                                                            self.check_deadlines))))
        tasks.append(asyncio.create_task(_guard("retention", lambda: _every(RETENTION_CHECK_SECONDS,
                                                                            self.apply_retention))))
        tasks += [asyncio.create_task(_guard(getattr(fn, "__name__", "task"), fn)) for fn in extra]
        try:
            await asyncio.gather(*tasks)
        finally:
            self.stopping.set()
            for task in tasks:
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*tasks, return_exceptions=True)
            await self.store.call(recover)  # rows a cancelled send left 'sending' go out now
            await self.worker.drain_once()

    async def apply_retention(self) -> int:
        """Erase the threads the retention period has run out for; ``run`` does it daily, so
        what a business wrote is kept as long as it is needed, not for as long as nobody
        remembers to run a command."""
        days = self.settings.service.retention_days
        if days <= 0:
            return 0
        erased = await self.store.call(privacy.apply_retention, days)
        if erased:
            log.info("retention: %d threads untouched for %d days erased", erased, days)
        return erased

    async def check_deadlines(self, today: date | None = None) -> dict[str, int]:
        """Record each open case's reminder (a working day before its deadline) and breach
        (after it), for the inbox, the thread history and the weekly board; ``run`` checks
        hourly. The contact person is mailed only when there is an email channel to send it
        (the web chat alone has no way to reach staff)."""
        mailing = self.notice_mailing()
        found = await self.store.call(service_goals.check_deadlines, today, mailing)
        if any(found.values()):
            log.info("deadlines: %d reminders, %d breaches recorded%s", found["reminded"], found["breached"],
                     "" if mailing else "; reminders are not mailed without an email channel")
            self.hub.publish("inbox", {"type": "deadlines", **found})
            self.worker.poke()
        return found

    def notice_mailing(self) -> notices.Mailing | None:
        """None without an email channel: staff are reached by email only, never on the chat."""
        if "email" not in self.channels:
            return None
        return notices.mailing_for(self.settings)

    def close(self) -> None:
        self.store.close()


async def _every(seconds: float, job: Callable[[], Awaitable[Any]]) -> None:
    """Run the job now and then every so many seconds, until cancelled."""
    while True:
        await job()
        await asyncio.sleep(seconds)


async def _guard(name: str, run: Callable[[], Awaitable[Any]]) -> None:
    """Restart a crashed loop after a pause, so one channel's bug cannot stop the others."""
    delay = 1.0
    while True:
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s stopped with an error; restarting in %.0f s", name, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
