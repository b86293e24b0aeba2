"""An in-memory channel: the shortest way to drive the whole pipeline in a test."""

from __future__ import annotations

import asyncio
import itertools

from bot.types import Inbox, Message, Outcome, Reply

_ids = itertools.count(1)


class MemoryChannel:
    name = "memory"

    def __init__(self) -> None:
        self.sent: list[Reply] = []
        self.queue: asyncio.Queue[Message] = asyncio.Queue()
        self.outcomes: list[Outcome] = []
        self.fail_sends = 0  # how many sends should fail before one succeeds

    def message(self, text: str, sender: str = "business-1", **extra: object) -> Message:
        return Message(channel=self.name, sender=sender, text=text,
                       source_id=str(extra.pop("source_id", f"m{next(_ids)}")), **extra)  # type: ignore[arg-type]

    async def run(self, inbox: Inbox) -> None:
        while True:
            message = await self.queue.get()
            self.outcomes.append(await inbox(message))

    async def send(self, reply: Reply) -> str | None:
        if self.fail_sends > 0:
            self.fail_sends -= 1
            raise ConnectionError("memory channel told to fail")
        self.sent.append(reply)
        return f"sent-{reply.outbox_id}"
