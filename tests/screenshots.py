"""Take the README's screenshots of the staff workspace (run by hand, not by pytest):

    .venv/bin/python tests/screenshots.py          # writes docs/screenshots/*.png

Starts `indgang serve` on a fresh database, lets three businesses write in the web chat,
then photographs the case inbox, one thread and the entry editor in Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.servers.browser import ensure_chromium, launch_options  # noqa: E402
from tests.servers.indgang import start_server  # noqa: E402
from tests.servers.staff import add_staff, browser_login  # noqa: E402

OUT = REPO / "docs" / "screenshots"
INQUIRIES = (
    "Vi vil flytte hele vores virksomhed og produktion til kommunen næste år. Hvem skal vi tale med?",
    "Kan jeg leje en kano af kommunen til et firmaarrangement?",
    "Må jeg drive frisørsalon fra min kælder, og skal naboerne høres? Vi har også tegninger klar.",
)


def main() -> int:
    from playwright.sync_api import sync_playwright
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), '[service]\nmunicipality = "Eksempel Kommune"\n')
        try:
            add_staff(server.db_path, "Anne Andersen", "anne@eksempel.dk", role="admin",
                      departments=("Erhvervsservice", "Byplan", "Kultur og Events"))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_options(ensure_chromium() or ""))
                for text in INQUIRIES:
                    chat = browser.new_page()
                    chat.goto(f"{server.url}/chat")
                    chat.locator("#chat-input").fill(text)
                    chat.locator("#chat-send").click()
                    chat.locator("#chat-log .msg-out").first.wait_for()
                    chat.close()
                page = browser.new_page(viewport={"width": 1360, "height": 860})
                browser_login(page, server.url, "anne@eksempel.dk", target="/staff?view=all")
                page.screenshot(path=str(OUT / "inbox.png"), full_page=True)
                page.locator("tr", has_text="flytte").get_by_role("link").click()
                page.get_by_role("button", name="Overtag sagen").click()
                page.get_by_label("Intern note").fill("Byplan og Industrimiljø skal med til opstartsmødet.")
                page.get_by_role("button", name="Gem note").click()
                page.screenshot(path=str(OUT / "thread.png"), full_page=True)
                page.goto(f"{server.url}/admin/entries/udeservering-tilladelse")
                page.screenshot(path=str(OUT / "entry-editor.png"), full_page=True)
                browser.close()
        finally:
            server.stop()
    for name in ("inbox.png", "thread.png", "entry-editor.png"):
        print(OUT / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
