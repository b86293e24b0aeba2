"""The live side of the chat: one server-sent-events stream per open page.

The stream subscribes first and only then says "ready"; the page reads the history when
it hears "ready", so a reply published in between is either in the history or on the
stream, never lost. Duplicates between the two are dropped by the page by key.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import AsyncIterator

from bot.web.live import Hub, sse


async def event_stream(hub: Hub, topic: str, stopping: asyncio.Event,
                       keepalive: float = 15.0) -> AsyncIterator[str]:
    events = hub.subscribe(topic, keepalive)
    following = asyncio.ensure_future(anext(events))
    stop = asyncio.ensure_future(stopping.wait())
    await asyncio.sleep(0)  # the subscription exists once the hub's generator has started
    try:
        yield sse({"type": "ready"})
        while True:
            done, _ = await asyncio.wait({following, stop}, return_when=asyncio.FIRST_COMPLETED)
            if stop in done:
                return
            yield sse(following.result())
            following = asyncio.ensure_future(anext(events))
    finally:
        for task in (following, stop):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        await events.aclose()
