"""`indgang bench web`: how long a business waits for an answer in the web chat.

Starts `indgang serve` on a temporary database and Debian's Chromium, then for each of N
answerable questions opens a fresh chat (a new session, so each is a first question),
types it, and measures in the page from the Enter key to the answer appearing in the
conversation: the whole path of POST, pipeline, outbox, event stream and rendering.
The target is a median under one second.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.runtime import Runtime
from knowledge import entries as kb

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]

# Installed in the page before Enter is pressed: resolves with the milliseconds from the
# Enter keydown to the next reply element in the conversation log.
ROUND_JS = """() => {
  const log = document.getElementById("chat-log");
  const input = document.getElementById("chat-input");
  const before = log.querySelectorAll(".msg-out").length;
  let start = null;
  window.__indgangRound = new Promise((resolve) => {
    input.addEventListener("keydown", (e) => { if (e.key === "Enter" && start === null) start = performance.now(); },
                           { capture: true });
    new MutationObserver((_, observer) => {
      if (start !== null && log.querySelectorAll(".msg-out").length > before) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    }).observe(log, { childList: true });
  });
}"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--questions", type=int, default=20, help="how many questions to type (default 20)")
    parser.add_argument("--staff", action="store_true",
                        help="also measure the staff workspace (when it provides a bench)")


async def chat_round(page: Any, text: str, timeout: float = 15.0) -> float:
    """Type ``text`` into an open chat page, press Enter; seconds until the next reply shows."""
    await page.evaluate(ROUND_JS)
    await page.fill("#chat-input", text)
    await page.press("#chat-input", "Enter")
    milliseconds = await asyncio.wait_for(page.evaluate("window.__indgangRound"), timeout)
    return milliseconds / 1000


def answerable_questions(db_path: Path, count: int) -> list[str]:
    """Phrasings of the shipped entries that triage answers (not the first, which is the title's twin)."""
    runtime = Runtime.open(Settings(db_path=str(db_path)))
    try:
        phrasings = [q for entry in kb.read_file(kb.DEFAULT_KB) for q in entry.questions[1:2]]
        chosen = [q for q in phrasings if runtime.knowledge.decide(q, runtime.settings).action == "answer"]
    finally:
        runtime.close()
    if not chosen:
        raise SystemExit("no answerable questions in the knowledge base")
    return [chosen[i % len(chosen)] for i in range(count)]


async def start_serve(folder: Path, db_path: Path) -> tuple[asyncio.subprocess.Process, str]:
    """`indgang serve` on any free port; returns the process and its base URL."""
    (folder / "indgang.toml").write_text("[web]\nhost = \"127.0.0.1\"\nport = 0\nmessages_per_minute = 100000\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--config", "indgang.toml", "--db", str(db_path), "serve",
        cwd=folder, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        env=_env())
    assert process.stdout is not None
    while line := await asyncio.wait_for(process.stdout.readline(), 60):
        match = re.search(r"https?://[^\s/]+", line.decode())
        if match:
            return process, match.group(0)
    raise RuntimeError(f"indgang serve exited with {await process.wait()}")


def _env() -> dict[str, str]:
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("INDGANG_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


async def measure(url: str, questions: list[str]) -> list[float]:
    from playwright.async_api import async_playwright
    timings = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        for text in questions:
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(f"{url}/chat")
            await page.wait_for_selector("#chat[data-live='1']", state="attached")
            timings.append(await chat_round(page, text))
            await context.close()
        await browser.close()
    return timings


async def bench(count: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_path = folder / "bench.db"
        questions = answerable_questions(db_path, count)
        process, url = await start_serve(folder, db_path)
        try:
            return await measure(url, questions)
        finally:
            process.terminate()
            await process.wait()


def report(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    verdict = "met" if median < 1.0 else "MISSED"
    return (f"web chat, Enter to answer on screen, {len(ordered)} questions in Chromium:\n"
            f"  median {1000 * median:.0f} ms   p95 {1000 * p95:.0f} ms   "
            f"min {1000 * ordered[0]:.0f} ms   max {1000 * ordered[-1]:.0f} ms\n"
            f"  target median < 1000 ms: {verdict}")


def run(args: argparse.Namespace) -> int:
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    print(report(asyncio.run(bench(args.questions))))
    if args.staff:
        print("staff workspace: not measured here; see `indgang bench workspace`")
    return 0
