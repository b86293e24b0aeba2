"""Helpers for the staff workspace tests: accounts in a served database, signing in, and an
SMTP capture in its own thread (the browser tests use Playwright's sync API, so they have
no event loop of their own to run aiosmtpd in).

    from tests.servers.staff import smtp_capture  # noqa: F401   (fixture)
"""

from __future__ import annotations

import asyncio
import email
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from aiosmtpd.controller import Controller

from bot.passwords import hash_password
from bot.store import Store
from escalation import staff
from tests.servers.browser import browser  # noqa: F401  (the shared Chromium fixture)

T = TypeVar("T")
PASSWORD = "korrekt-hest-batteri"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def add_staff(db_path: Path | str, name: str, email_address: str, role: str = "staff",
              departments: tuple[str, ...] = ("Erhvervsservice",), password: str = PASSWORD) -> int:
    """Add a staff member with a password to the database a running server uses."""
    store = Store(db_path)
    try:
        member = store.run(staff.add, name, email_address, list(departments), role)
        store.run(staff.set_password_hash, member["id"], hash_password(password))
        return member["id"]
    finally:
        store.close()


def http_login(client: httpx.Client, email_address: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in through the login form as a browser would; the client keeps the session cookie."""
    form = client.get("/login")
    token = CSRF_RE.search(form.text).group(1)  # type: ignore[union-attr]
    return client.post("/login", data={"csrf": token, "email": email_address, "password": password,
                                       "next": "/staff"})


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def browser_login(page: Any, url: str, email_address: str, password: str = PASSWORD, target: str = "/staff") -> None:
    page.goto(f"{url}{target}")
    page.get_by_label("E-mail").fill(email_address)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{url}{target}*")


@dataclass
class SmtpCapture:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.messages)} of {count} messages arrived in {timeout} s")
                self.arrived.wait(left)
        return self.messages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_capture() -> Iterator[SmtpCapture]:
    """A loopback SMTP server in a thread; the threaded Controller needs a concrete port."""
    capture = SmtpCapture(free_port())
    controller = Controller(capture, hostname="127.0.0.1", port=capture.port)
    controller.start()
    try:
        yield capture
    finally:
        controller.stop()


def _context_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="da-DK")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def staff_page(browser: Any) -> Iterator[Any]:  # noqa: F811
    yield from _context_page(browser)


@pytest.fixture
def business_page(browser: Any) -> Iterator[Any]:  # noqa: F811
    yield from _context_page(browser)


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to the end in a thread of its own (safe while a sync browser is open)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()  # type: ignore[arg-type]
