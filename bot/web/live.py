"""Live updates for web pages: a tiny in-process publish/subscribe hub.

Pages hold a server-sent-events stream per topic ("inbox", "thread:42", "chat:<session>");
the pipeline and the web chat channel publish small JSON events to topics. Subscribers
that fall behind lose old events rather than slowing the publisher.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any


class Hub:
    def __init__(self, queue_size: int = 100) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._queue_size = queue_size

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(topic, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    async def subscribe(self, topic: str, keepalive: float = 15.0) -> AsyncIterator[dict[str, Any] | None]:
        """Yield events of ``topic``; yields None every ``keepalive`` seconds of silence."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._queue_size)
        self._subscribers[topic].add(queue)
        try:
            while True:
                try:
                    yield await asyncio.wait_for(queue.get(), keepalive)
                except TimeoutError:
                    yield None
        finally:
            self._subscribers[topic].discard(queue)


def sse(event: dict[str, Any] | None) -> str:
    """One server-sent-events frame; a comment line keeps idle connections open."""
    if event is None:
        return ": keepalive\n\n"
    return f"event: {event.get('type', 'message')}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"


async def frames(hub: Hub, topic: str, stopping: asyncio.Event, first: str,
                 keepalive: float = 15.0) -> AsyncIterator[str]:
    """Hub events as server-sent-events frames, ending when ``stopping`` is set.

    It subscribes before yielding ``first``, so a page that loads its history on that
    first frame misses nothing published in between; ending on ``stopping`` keeps open
    pages from holding up a shutdown.
    """
    events = hub.subscribe(topic, keepalive)
    following = asyncio.ensure_future(anext(events))
    stop = asyncio.ensure_future(stopping.wait())
    await asyncio.sleep(0)  # the subscription exists once the hub's generator has started
    try:
        yield first
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
        await events.aclose()  # type: ignore[attr-defined]
