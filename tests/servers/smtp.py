"""A real SMTP server (aiosmtpd) in the test's own event loop, capturing what it receives.

aiosmtpd's threaded ``Controller`` refuses port 0, so the server runs in the running
loop instead: port 0 the first time, the same port after ``stop()``/``start()``, which
is how a test takes the mail server down and brings it back. ``stop`` also cuts open
connections, as a real restart would, so a client holding one notices.
"""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


class _Capture:
    """The aiosmtpd handler: keeps each accepted message with its envelope."""

    def __init__(self, received: list[tuple[Envelope, EmailMessage]], arrived: asyncio.Event) -> None:
        self.received = received
        self.arrived = arrived

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        data = content if isinstance(content, bytes) else content.encode()
        self.received.append((envelope, email.message_from_bytes(data, policy=policy.default)))  # type: ignore[arg-type]
        self.arrived.set()
        return "250 OK"


@dataclass
class SmtpServer:
    """Loopback SMTP server; ``received`` is a list of (envelope, parsed message)."""

    host: str = "127.0.0.1"
    port: int = 0
    auth: tuple[str, str] | None = None
    received: list[tuple[Envelope, EmailMessage]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    connections_opened: int = 0
    _server: asyncio.AbstractServer | None = None
    _connections: list[SMTP] = field(default_factory=list)

    async def start(self) -> SmtpServer:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, self.host, self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for connection in self._connections:
            if connection.transport is not None:
                connection.transport.close()
        self._connections.clear()
        await self._server.wait_closed()
        self._server = None

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[Envelope, EmailMessage]]:
        """Wait until at least ``count`` messages arrived; fail the test after ``timeout``."""
        async def enough() -> None:
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.wait_for(enough(), timeout)
        return self.received

    def messages(self) -> list[EmailMessage]:
        return [message for _, message in self.received]

    def _protocol(self) -> SMTP:
        options: dict[str, Any] = {"hostname": "smtp.test", "ident": "test SMTP"}
        if self.auth:
            options.update(authenticator=self._authenticate, auth_require_tls=False, auth_required=True)
        connection = SMTP(_Capture(self.received, self.arrived), **options)
        self._connections.append(connection)
        self.connections_opened += 1
        return connection

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == self.auth
        return AuthResult(success=ok, handled=False)


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpServer]:
    server = await SmtpServer().start()
    try:
        yield server
    finally:
        await server.stop()
