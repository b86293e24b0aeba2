"""The live side of the chat: one server-sent-events stream per open page.

The stream subscribes first and only then says "ready"; the page reads the history when
it hears "ready", so a reply published in between is either in the history or on the
stream, never lost. Duplicates between the two are dropped by the page by key.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from bot.web.live import Hub, frames, sse


def event_stream(hub: Hub, topic: str, stopping: asyncio.Event, keepalive: float = 15.0) -> AsyncIterator[str]:
    return frames(hub, topic, stopping, sse({"type": "ready"}), keepalive)
