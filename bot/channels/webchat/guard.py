"""Who is chatting and how fast: signed session cookies, per-session tokens, a flood limit.

The session id is random and kept in an HttpOnly cookie signed with the runtime's key, so
a page cannot read it and a client cannot pick someone else's. The token a page must send
with each message is derived from the session, so a form on another site cannot post
into a conversation it cannot see.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque

from itsdangerous import BadSignature, Signer

COOKIE = "indgang_chat"
COOKIE_MAX_AGE = 30 * 24 * 3600


class Sessions:
    def __init__(self, key: str) -> None:
        self._signer = Signer(key, salt="indgang-webchat-session")
        self._key = key.encode()

    def new(self) -> str:
        return secrets.token_urlsafe(18)

    def cookie_value(self, session: str) -> str:
        return self._signer.sign(session).decode()

    def from_cookie(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return self._signer.unsign(value).decode()
        except BadSignature:
            return None

    def token(self, session: str) -> str:
        return hmac.new(self._key, f"webchat-token:{session}".encode(), hashlib.sha256).hexdigest()[:32]

    def token_ok(self, session: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.token(session), str(token))


class Throttle:
    """At most ``per_minute`` messages per key in any sliding minute; memory only."""

    def __init__(self, per_minute: int, window: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._last_sweep = time.monotonic()

    def allow(self, *keys: str) -> bool:
        """Count one message against every key, but only if none of them is over the limit."""
        now = time.monotonic()
        self._sweep(now)
        windows = [self._window(key, now) for key in keys]
        if any(len(w) >= self.per_minute for w in windows):
            return False
        for w in windows:
            w.append(now)
        return True

    def _window(self, key: str, now: float) -> deque[float]:
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _sweep(self, now: float) -> None:
        """Forget idle clients now and then so the table does not grow without end."""
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]
