"""Live updates for web pages: a tiny in-process publish/subscribe hub.

Pages hold a server-sent-events stream per topic ("inbox", "thread:42", "chat:<session>");
the pipeline and the web chat channel publish small JSON events to topics. Subscribers
that fall behind lose old events rather than slowing the publisher.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any, AsyncIterator


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
                except asyncio.TimeoutError:
                    yield None
        finally:
            self._subscribers[topic].discard(queue)


def sse(event: dict[str, Any] | None) -> str:
    """One server-sent-events frame; a comment line keeps idle connections open."""
    if event is None:
        return ": keepalive\n\n"
    return f"event: {event.get('type', 'message')}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
