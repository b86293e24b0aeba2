"""The web chat as a Channel: inbound through the HTTP routes, outbound through the live hub.

There is no connection to poll: the routes hand each posted message to the inbox that
``run`` was given, and ``send`` publishes a reply to the page's event stream. A page that
is closed misses nothing, because on load it reads the conversation from the database.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from bot.types import Inbox, Message, Outcome, Reply

if TYPE_CHECKING:
    from bot.runtime import Runtime

CHANNEL = "webchat"
BOT_AUTHOR = "Erhvervsservice"


def topic(session: str) -> str:
    return f"chat:{session}"


class WebChatChannel:
    name = CHANNEL

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.inbox: Inbox | None = None
        self.stopping = asyncio.Event()  # set on shutdown so open event streams end

    async def run(self, inbox: Inbox) -> None:
        """Keep the inbox for the routes and wait; cancellation ends the open streams."""
        self.inbox = inbox
        self.stopping.clear()
        try:
            await asyncio.Event().wait()
        finally:
            self.stopping.set()

    async def receive(self, message: Message) -> Outcome:
        """What the POST route calls; works before ``run`` started too (tests, start-up)."""
        inbox = self.inbox or self.runtime.pipeline.receive
        return await inbox(message)

    async def send(self, reply: Reply) -> str | None:
        row = await self.runtime.store.call(outbound_row, reply.outbox_id)
        self.runtime.hub.publish(topic(reply.recipient), {"type": "reply", **(row or _fallback(reply))})
        return f"webchat-{reply.outbox_id}"


def _fallback(reply: Reply) -> dict[str, Any]:
    return {"key": f"o{reply.outbox_id}", "direction": "out", "author": BOT_AUTHOR, "text": reply.text, "at": ""}


HISTORY_SQL = """
    SELECT m.id, m.direction, m.source_id, m.author, m.text, m.created_at, s.name AS staff_name
    FROM messages m
    JOIN threads t ON t.id = m.thread_id
    LEFT JOIN staff s ON m.author = 'staff:' || s.id
    WHERE t.channel = ? AND t.address = ? AND m.direction IN ('in', 'out') {extra}
    ORDER BY m.id DESC LIMIT ?
"""


def history(db: Database, session: str, limit: int = 200) -> list[dict[str, Any]]:
    """The session's conversation, oldest first: what the business wrote and was sent, no notes."""
    rows = db.execute(HISTORY_SQL.format(extra=""), [CHANNEL, session, limit]).fetchall()
    return [_item(row) for row in reversed(rows)]


def outbound_row(db: Database, outbox_id: int) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT m.id, m.direction, m.source_id, m.author, m.text, m.created_at, s.name "
        "FROM outbox o JOIN messages m ON m.id = o.message_id "
        "LEFT JOIN staff s ON m.author = 'staff:' || s.id WHERE o.id = ?", [outbox_id]).fetchone()
    return _item(row) if row else None


def _item(row: tuple) -> dict[str, Any]:
    """One line of the conversation as the page shows it; keys let the page skip repeats."""
    message_id, direction, source_id, author, text, created_at, staff_name = row
    if direction == "in":
        return {"key": f"c{source_id}", "direction": "in", "author": "", "text": text, "at": created_at}
    name = staff_name or (BOT_AUTHOR if author in ("bot", "") else author)
    return {"key": f"m{message_id}", "direction": "out", "author": name, "text": text, "at": created_at}
