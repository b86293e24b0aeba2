"""A real browser for tests: Debian's Chromium driven by Playwright (sync API), headless.

    from tests.servers.browser import browser, page  # noqa: F401   (fixtures)

``browser`` is one Chromium per test module; ``page`` is a fresh context (its
own cookies, so its own chat session) and page per test. Playwright's own browser download
is not used: ``/usr/bin/chromium`` is, and it is installed with apt-get when missing and
we are root; otherwise the browser tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def ensure_chromium() -> str | None:
    """The path of Chromium, installing Debian's package if we may; None if it is not there."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], env=env, check=False, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], env=env, check=False, capture_output=True)
    return CHROMIUM if Path(CHROMIUM).exists() else None


def launch_options(executable: str = CHROMIUM) -> dict[str, Any]:
    """The same options for the sync and async Playwright APIs (benchmarks use async)."""
    return {"executable_path": executable, "headless": True, "args": LAUNCH_ARGS}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (a playwright.sync_api.Browser) per test module.

    Module scope, not session: while the sync API is active it holds an event loop open in
    this thread, and the asyncio tests of other modules could not start their own.
    """
    executable = ensure_chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**launch_options(executable))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new page in its own context (fresh cookies); dialogs are recorded on ``page.dialogs``."""
    context = browser.new_context(locale="da-DK")
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    new_page.dialogs = []  # type: ignore[attr-defined]
    new_page.on("dialog", lambda dialog: (new_page.dialogs.append(dialog.message), dialog.dismiss()))
    yield new_page
    context.close()
