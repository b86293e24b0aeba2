"""The terminal channel behind `indgang chat`: an admin talks to the bot as a business would."""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import TextIO

from bot.types import Inbox, Message, Reply


class TerminalChannel:
    name = "terminal"

    def __init__(self, sender: str = "", out: TextIO = sys.stdout, prompt: str = "> ") -> None:
        self.sender = sender or f"terminal-{uuid.uuid4().hex[:8]}"
        self.out = out
        self.prompt = prompt
        self.delivered = asyncio.Event()

    async def run(self, inbox: Inbox) -> None:
        while True:
            line = await asyncio.to_thread(self._read_line)
            if line is None:
                return
            if not line.strip():
                continue
            self.delivered.clear()
            outcome = await inbox(Message(channel=self.name, sender=self.sender, text=line.strip(),
                                          source_id=uuid.uuid4().hex))
            if outcome.replies:
                await asyncio.wait_for(self.delivered.wait(), 10)
            elif outcome.status in ("attached", "ignored"):
                self._print(f"({outcome.status}: {outcome.reason})")

    def _read_line(self) -> str | None:
        try:
            return input(self.prompt)
        except EOFError:
            return None

    async def send(self, reply: Reply) -> str | None:
        self._print(f"\n{reply.text}\n")
        self.delivered.set()
        return None

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)
