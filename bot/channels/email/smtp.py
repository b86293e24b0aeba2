"""Sending composed mail over SMTP, keeping one connection open between sends.

The outbox worker may hand us several replies at once; they go out one at a time over
a single connection (a lock), because SMTP is a conversation, not a pipe. A connection
that went stale is found with NOOP before use and replaced. Any failure during a send
is raised, never retried here: the outbox retries with backoff and marks a reply sent
only once the server accepted it, which is what keeps a reply from going out twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from email.message import EmailMessage

import aiosmtplib

from bot.config import EmailSettings

log = logging.getLogger(__name__)

SECURITY = ("none", "starttls", "ssl")


class SmtpSender:
    """One reusable SMTP connection configured from ``EmailSettings``."""

    def __init__(self, settings: EmailSettings, *, ssl_context: ssl.SSLContext | None = None,
                 timeout: float = 30.0) -> None:
        if settings.smtp_security not in SECURITY:
            raise ValueError(f"smtp_security must be one of {', '.join(SECURITY)}, not {settings.smtp_security!r}")
        self.settings = settings
        self.ssl_context = ssl_context
        self.timeout = timeout
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    async def send(self, message: EmailMessage) -> None:
        """Deliver one message to the configured server; raises when it was not accepted."""
        async with self._lock:
            client = await self._connection()
            try:
                await client.send_message(message)
            except BaseException:
                await self._drop()
                raise

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._client is not None and await self._alive(self._client):
            return self._client
        await self._drop()
        self._client = await self._connect()
        return self._client

    async def _alive(self, client: aiosmtplib.SMTP) -> bool:
        if not client.is_connected:
            return False
        try:
            await client.noop(timeout=min(self.timeout, 5.0))
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            return False
        return True

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host, port=s.smtp_port, timeout=self.timeout,
            use_tls=s.smtp_security == "ssl", start_tls=s.smtp_security == "starttls",
            tls_context=self.ssl_context if s.smtp_security != "none" else None,
            local_hostname=s.address.rpartition("@")[2] or "localhost",  # no DNS lookup of our own name
        )
        await client.connect()
        try:
            if s.smtp_user:
                await client.login(s.smtp_user, s.smtp_password)
        except BaseException:
            with contextlib.suppress(Exception):
                client.close()
            raise
        log.info("connected to SMTP %s:%s (%s)", s.smtp_host, s.smtp_port, s.smtp_security)
        return client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        with contextlib.suppress(Exception):
            if client.is_connected:
                await asyncio.wait_for(client.quit(), 2.0)
        with contextlib.suppress(Exception):
            client.close()
