"""The IMAP side of the email channel: watch one folder and hand each new message on.

One connection at a time: connect (plain, STARTTLS or SSL), log in, select the folder,
catch up on what arrived since the last UID handled, then wait for news with IDLE (or
by polling when the server has no IDLE), and catch up again. Every step races against
the connection-lost callback and a timeout, because aioimaplib never fails a waiting
call when the connection drops; any failure ends the connection and a new one is built
after a jittered exponential backoff.

Exactly once: messages are fetched with BODY.PEEK[] (fetching does not set \\Seen),
handed on, and only after the handler returned (the message is stored) marked \\Seen
(or moved) and the cursor (UIDVALIDITY, last UID) advanced in the database. A crash
before that means the message is fetched again, and the store then calls it a
duplicate. When UIDVALIDITY changes the UIDs mean nothing any more, so the channel
falls back to the UNSEEN search once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aioimaplib
from sqlite_utils import Database

from bot.config import EmailSettings
from bot.store import Store, get_state, set_state

log = logging.getLogger(__name__)
T = TypeVar("T")

Handler = Callable[[bytes, str], Awaitable[Any]]  # (raw message, source label)
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_UIDNEXT = re.compile(rb"UIDNEXT (\d+)")
_NEWS = re.compile(rb"^\d+ (EXISTS|RECENT)\b")


class ImapError(Exception):
    """The server refused something (login, select) or the connection is gone."""


class ConnectionLost(ImapError):
    pass


@dataclass(frozen=True)
class ImapOptions:
    idle_seconds: float  # re-IDLE after this long; 0 means never IDLE, always poll
    poll_seconds: float
    reconnect_max: float = 60.0
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = None


@dataclass(frozen=True)
class Cursor:
    uidvalidity: int
    last_uid: int


def cursor_key(settings: EmailSettings) -> str:
    user = settings.imap_user or settings.address
    return f"email.imap:{user}@{settings.imap_host}:{settings.imap_port}/{settings.imap_folder}"


def load_cursor(db: Database, key: str) -> Cursor | None:
    value = get_state(db, key)
    if not value:
        return None
    data = json.loads(value)
    return Cursor(int(data["uidvalidity"]), int(data["last_uid"]))


def save_cursor(db: Database, key: str, cursor: Cursor) -> None:
    set_state(db, key, json.dumps({"uidvalidity": cursor.uidvalidity, "last_uid": cursor.last_uid}))


def backoff(failures: int, ceiling: float) -> float:
    """Jittered exponential delay, so many clients do not all reconnect at the same instant."""
    return min(ceiling, 0.5 * 2 ** max(0, failures - 1)) * random.uniform(0.5, 1.0)


class Mailbox:
    """One logged-in connection with the folder selected."""

    def __init__(self, settings: EmailSettings, options: ImapOptions) -> None:
        self.settings = settings
        self.options = options
        self.lost = asyncio.Event()
        self.uidvalidity = 0
        self.uidnext = 0
        self.client: aioimaplib.IMAP4 | None = None

    @property
    def can_idle(self) -> bool:
        return self.options.idle_seconds > 0 and self.client is not None and self.client.has_capability("IDLE")

    async def open(self) -> None:
        s = self.settings
        context = self._context() if s.imap_security == "ssl" else None
        self.client = aioimaplib.IMAP4(host=s.imap_host, port=s.imap_port, timeout=self.options.timeout,
                                       conn_lost_cb=lambda exc: self.lost.set(), ssl_context=context)
        await self.call(self.client.wait_hello_from_server())
        if s.imap_security == "starttls":
            await self._starttls()
        login = await self.call(self.client.login(s.imap_user or s.address, s.imap_password))
        if login.result != "OK":
            raise ImapError(f"IMAP login refused for {s.imap_user or s.address}: {_text(login)}")
        await self.call(self.client.protocol.capability())  # the full post-login list
        await self._select(s.imap_folder)

    async def close(self) -> None:
        if self.client is None:
            return
        if not self.lost.is_set() and self.client.get_state() in ("AUTH", "SELECTED"):
            with contextlib.suppress(Exception):  # never CancelledError: that would keep the loop alive
                if self.client.has_pending_idle():
                    self.client.idle_done()
                await asyncio.wait_for(self.client.logout(), 0.5)
        transport = self.client.protocol.transport
        if transport is not None:
            transport.close()

    async def call(self, awaitable: Awaitable[T], timeout: float | None = None) -> T:
        """Await a command, failing fast when the connection drops or the server goes quiet."""
        task = asyncio.ensure_future(awaitable)
        lost = asyncio.ensure_future(self.lost.wait())
        try:
            done, _ = await asyncio.wait({task, lost}, timeout=timeout or self.options.timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            if not task.done():
                task.cancel()
                task.add_done_callback(_ignore_outcome)
        if task in done:
            return task.result()
        raise ConnectionLost("connection lost" if lost in done else "server did not answer in time")

    async def search(self, criteria: str) -> list[int]:
        response = await self.call(self.client.uid_search(criteria, charset=None))  # type: ignore[union-attr]
        _check(response, f"UID SEARCH {criteria}")
        found = (int(t) for line in response.lines[:-1] for t in line.split() if t.isdigit())
        return sorted(set(found))

    async def fetch(self, uid: int) -> bytes | None:
        """The whole message without setting \\Seen; None when it vanished meanwhile."""
        response = await self.call(self.client.uid("fetch", str(uid), "BODY.PEEK[]"))  # type: ignore[union-attr]
        _check(response, f"UID FETCH {uid}")
        for line in response.lines:
            if isinstance(line, bytearray):
                return bytes(line)
            if isinstance(line, bytes) and b"FETCH" in line and line.endswith(b"{0}"):
                return b""
        return None

    async def mark_done(self, uid: int) -> None:
        """\\Seen, and moved to the done folder when one is configured."""
        client = self.client
        assert client is not None
        _check(await self.call(client.uid("store", str(uid), "+FLAGS.SILENT", r"(\Seen)")), "UID STORE")
        folder = self.settings.imap_done_folder
        if not folder:
            return
        if client.has_capability("MOVE"):
            _check(await self.call(client.uid("move", str(uid), _quote(folder))), "UID MOVE")
            return
        _check(await self.call(client.uid("copy", str(uid), _quote(folder))), "UID COPY")
        _check(await self.call(client.uid("store", str(uid), "+FLAGS.SILENT", r"(\Deleted)")), "UID STORE")
        _check(await self.call(client.uid("expunge", str(uid))), "UID EXPUNGE")

    async def wait_for_news(self) -> None:
        """Return when new mail may be there: IDLE news, the re-IDLE time, or the poll interval."""
        if self.can_idle:
            await self._idle(self.options.idle_seconds)
            return
        lost = asyncio.ensure_future(self.lost.wait())
        try:
            await asyncio.wait({lost}, timeout=self.options.poll_seconds)
        finally:
            lost.cancel()
        if self.lost.is_set():
            raise ConnectionLost("connection lost while polling")
        _check(await self.call(self.client.noop()), "NOOP")  # type: ignore[union-attr]

    async def _idle(self, seconds: float) -> None:
        client = self.client
        assert client is not None
        idle = await self.call(client.idle_start(timeout=seconds))
        wait = seconds + self.options.timeout
        while True:
            lines = await self.call(client.wait_server_push(wait), wait)
            if any(isinstance(line, bytes) and line.startswith(b"BYE") for line in lines):
                raise ConnectionLost(f"server said {lines[0]!r}")
            if lines == aioimaplib.STOP_WAIT_SERVER_PUSH or any(
                    isinstance(line, bytes) and _NEWS.match(line) for line in lines):
                break
        # Only on the way out normally: after a failure or a cancel, close() ends the connection.
        client.idle_done()
        await self.call(idle)

    async def _starttls(self) -> None:
        client = self.client
        assert client is not None
        protocol = client.protocol
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        _check(await self.call(protocol.execute(command)), "STARTTLS")
        loop = asyncio.get_running_loop()
        protocol.transport = await self.call(loop.start_tls(
            protocol.transport, protocol, self._context(), server_hostname=self.settings.imap_host))
        await self.call(protocol.capability())

    async def _select(self, folder: str) -> None:
        response = await self.call(self.client.select(_quote(folder)))  # type: ignore[union-attr]
        if response.result != "OK":
            raise ImapError(f"cannot select folder {folder!r}: {_text(response)}")
        head = b"\n".join(line for line in response.lines if isinstance(line, bytes))
        validity, uidnext = _UIDVALIDITY.search(head), _UIDNEXT.search(head)
        self.uidvalidity = int(validity.group(1)) if validity else 0
        self.uidnext = int(uidnext.group(1)) if uidnext else 0

    def _context(self) -> ssl.SSLContext:
        return self.options.ssl_context or ssl.create_default_context(ssl.Purpose.SERVER_AUTH)


class ImapReceiver:
    """The endless loop: connect, catch up, wait for news, and reconnect after any failure."""

    def __init__(self, settings: EmailSettings, store: Store, handle: Handler, options: ImapOptions,
                 connected: asyncio.Event | None = None) -> None:
        self.settings = settings
        self.store = store
        self.handle = handle
        self.options = options
        self.key = cursor_key(settings)
        self.connected = connected or asyncio.Event()  # set while the folder is selected

    async def run(self) -> None:
        failures = 0
        while True:
            mailbox = Mailbox(self.settings, self.options)
            try:
                await mailbox.open()
                failures = 0
                self.connected.set()
                log.info("IMAP %s selected (uidvalidity %s, idle %s)", self.key, mailbox.uidvalidity,
                         mailbox.can_idle)
                await self._watch(mailbox)
            except (TimeoutError, ImapError, OSError, aioimaplib.AioImapException) as exc:
                failures += 1
                delay = backoff(failures, self.options.reconnect_max)
                log.warning("IMAP %s: %s; reconnecting in %.1f s", self.key, exc or type(exc).__name__, delay)
                await asyncio.sleep(delay)
            finally:
                self.connected.clear()
                await mailbox.close()

    async def _watch(self, mailbox: Mailbox) -> None:
        while True:
            while await self.catch_up(mailbox):
                pass
            await mailbox.wait_for_news()

    async def catch_up(self, mailbox: Mailbox) -> int:
        """Handle every message not handled yet; returns how many were there."""
        cursor = await self.store.call(load_cursor, self.key)
        if cursor is None or cursor.uidvalidity != mailbox.uidvalidity:
            return await self._resync(mailbox, cursor)
        uids = [u for u in await mailbox.search(f"UID {cursor.last_uid + 1}:*") if u > cursor.last_uid]
        for uid in uids:
            await self._one(mailbox, uid)
            await self.store.call(save_cursor, self.key, Cursor(mailbox.uidvalidity, uid))
        return len(uids)

    async def _resync(self, mailbox: Mailbox, old: Cursor | None) -> int:
        """First start or a new UIDVALIDITY: what is unseen is new; the cursor starts after it."""
        if old is not None:
            log.warning("IMAP %s: UIDVALIDITY changed from %s to %s; handling unseen mail", self.key,
                        old.uidvalidity, mailbox.uidvalidity)
        uids = await mailbox.search("UNSEEN")
        for uid in uids:
            await self._one(mailbox, uid)
        everything = [] if mailbox.uidnext else await mailbox.search("ALL")
        last = max([mailbox.uidnext - 1, *uids, *everything, 0])
        await self.store.call(save_cursor, self.key, Cursor(mailbox.uidvalidity, last))
        return len(uids)

    async def _one(self, mailbox: Mailbox, uid: int) -> None:
        raw = await mailbox.fetch(uid)
        if raw is None:
            log.info("IMAP %s: uid %s vanished before it was fetched", self.key, uid)
            return
        await self.handle(raw, f"imap {self.settings.imap_folder} uid {mailbox.uidvalidity}:{uid}")
        await mailbox.mark_done(uid)


def _ignore_outcome(task: asyncio.Future[Any]) -> None:
    """An abandoned command's late failure is expected; reading it keeps asyncio from warning."""
    if not task.cancelled():
        task.exception()


def _check(response: Any, what: str) -> None:
    if response.result != "OK":
        raise ImapError(f"{what} failed: {_text(response)}")


def _text(response: Any) -> str:
    return " ".join(line.decode(errors="replace") for line in response.lines if isinstance(line, bytes))[:200]


def _quote(folder: str) -> str:
    if re.fullmatch(r"[\w.\-/]+", folder):
        return folder
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
