"""`indgang bench workspace`: how fast people see each other through the staff workspace.

Starts `indgang serve` on a temporary database and Debian's Chromium with two browser
contexts, a business in the web chat and a signed-in member of staff on the case inbox.
Each round measures, with the browsers' own clocks on this machine:

1. case to inbox: from the business pressing Enter on a new inquiry to its row appearing
   in the staff inbox, without a reload (pipeline, hub, event stream, fragment fetch);
2. reply to chat: from staff pressing Send on the thread page to the reply appearing in
   the business's chat (form post, outbox worker, web chat stream).

The targets are medians under 2 s for both.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.bench.web import CHROMIUM, LAUNCH_ARGS, start_serve
from bot.passwords import hash_password
from bot.store import Store
from escalation import staff

EMAIL, PASSWORD = "bench@kommune.dk", "bench-password-123"
TARGET = 2.0

# Resolves with Date.now() when an element matching ``selector`` and containing ``text`` appears.
APPEARS_JS = """([selector, text]) => {
  const found = () => Array.from(document.querySelectorAll(selector)).some(e => e.textContent.includes(text));
  window.__seenAt = new Promise((resolve) => {
    if (found()) { resolve(Date.now()); return; }
    new MutationObserver((_, observer) => {
      if (found()) { observer.disconnect(); resolve(Date.now()); }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}"""
STAMP_ON_KEY_JS = """(id) => { window.__pressedAt = null; document.getElementById(id).addEventListener("keydown",
  (e) => { if (e.key === "Enter" && window.__pressedAt === null) window.__pressedAt = Date.now(); }, { capture: true }); }"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rounds", type=int, default=10, help="how many cases to open and answer (default 10)")


def add_bench_staff(db_path: Path) -> None:
    store = Store(db_path)
    try:
        member = store.run(staff.add, "Bench Staff", EMAIL, ["Erhvervsservice"], "admin")
        store.run(staff.set_password_hash, member["id"], hash_password(PASSWORD))
    finally:
        store.close()


async def sign_in(page: Any, url: str) -> None:
    await page.goto(f"{url}/login?next=/staff%3Fview%3Dall")
    await page.fill("#email", EMAIL)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/staff?view=all")


async def one_round(browser: Any, staff_page: Any, url: str, number: int) -> tuple[float, float]:
    text = f"Vi vil flytte hele vores virksomhed til kommunen (runde {number})"
    reply = f"Tak, vi ringer i morgen (runde {number})"
    await staff_page.goto(f"{url}/staff?view=all")
    await staff_page.wait_for_selector("#inbox-table[data-live-ready]", state="attached")
    await staff_page.evaluate(APPEARS_JS, ["#inbox-table tr", text])
    context = await browser.new_context()
    chat = await context.new_page()
    await chat.goto(f"{url}/chat")
    await chat.wait_for_selector("#chat[data-live='1']", state="attached")
    await chat.evaluate(STAMP_ON_KEY_JS, "chat-input")
    await chat.fill("#chat-input", text)
    await chat.press("#chat-input", "Enter")
    seen = await asyncio.wait_for(staff_page.evaluate("window.__seenAt"), 15)
    to_inbox = (seen - await chat.evaluate("window.__pressedAt")) / 1000
    await staff_page.click(f"#inbox-table tr:has-text('runde {number})') a")
    await staff_page.fill("#reply-text", reply)
    await chat.evaluate(APPEARS_JS, ["#chat-log .msg-out", reply])
    pressed = await staff_page.evaluate("Date.now()")
    await staff_page.click("form[action$='/reply'] button[type=submit]")
    to_chat = (await asyncio.wait_for(chat.evaluate("window.__seenAt"), 15) - pressed) / 1000
    await context.close()
    return to_inbox, to_chat


async def bench(rounds: int) -> list[tuple[float, float]]:
    from playwright.async_api import async_playwright
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        process, url = await start_serve(folder, folder / "bench.db")
        try:
            add_bench_staff(folder / "bench.db")
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
                staff_page = await (await browser.new_context()).new_page()
                await sign_in(staff_page, url)
                results = [await one_round(browser, staff_page, url, n) for n in range(1, rounds + 1)]
                await browser.close()
            return results
        finally:
            process.terminate()
            await process.wait()


def report(results: list[tuple[float, float]]) -> str:
    lines = [f"staff workspace, {len(results)} rounds in Chromium against a fresh indgang serve:"]
    for label, values in (("case to staff inbox", [r[0] for r in results]),
                          ("staff reply to chat", [r[1] for r in results])):
        median = statistics.median(values)
        verdict = "met" if median < TARGET else "MISSED"
        lines.append(f"  {label:20} median {1000 * median:5.0f} ms   max {1000 * max(values):5.0f} ms   "
                     f"target median < {TARGET * 1000:.0f} ms: {verdict}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    print(report(asyncio.run(bench(args.rounds))))
    return 0
