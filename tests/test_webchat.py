"""The web chat as a business uses it: in Chromium against a real `indgang serve`."""

from __future__ import annotations

import functools
import http.server
import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from bot.store import Store
from tests.servers.browser import browser, page  # noqa: F401
from tests.servers.indgang import ServerHandle, indgang_server_factory, start_server  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
CAP = 500
QUESTION = "Hvad koster det at have caféborde på fortovet?"
QUESTION_EN = "What does it cost to have café tables on the pavement?"
RELOCATION = ("Vi vil flytte vores fabrik med 120 ansatte til kommunen og skal bruge en stor grund, "
              "miljøgodkendelse og byggetilladelse")

pytestmark = pytest.mark.slow


def kb_entry(entry_id: str) -> dict[str, Any]:
    for line in (REPO / "knowledge" / "data" / "default_kb.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry["id"] == entry_id:
            return entry
    raise KeyError(entry_id)


ANSWER = kb_entry("udeservering-tilladelse")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """One server for the browser tests; a high flood limit, since they share one address."""
    handle = start_server(tmp_path_factory.mktemp("chat"),
                          f"[web]\nmessages_per_minute = 1000\nmax_message_chars = {CAP}\n")
    yield handle
    handle.stop()


def ask(page: Page, text: str) -> None:
    """Type into the message box and press Enter, as a business would."""
    page.locator("#chat-input").fill(text)
    page.locator("#chat-input").press("Enter")


def replies(page: Page) -> Any:
    return page.locator("#chat-log .msg-out .text")


def test_a_business_asks_a_question_and_reads_the_answer(server: ServerHandle, page: Page) -> None:
    page.goto(f"{server.url}/chat")
    expect(page.get_by_role("heading", name="Skriv til Erhvervsservice")).to_be_visible()
    ask(page, QUESTION)
    expect(page.locator("#chat-log .msg-in .text")).to_have_text(QUESTION)
    expect(replies(page).first).to_contain_text(ANSWER["answer"][:60])
    expect(page.get_by_label("Din besked")).to_be_focused()


def test_a_complex_inquiry_opens_a_case_and_the_contact_given_is_noted(server: ServerHandle, page: Page) -> None:
    page.goto(f"{server.url}/chat")
    ask(page, RELOCATION)
    expect(replies(page).first).to_contain_text("oprettet den som sag")
    expect(replies(page).first).to_contain_text("e-mailadresse eller dit telefonnummer")
    ask(page, "anna@fabrikken.dk")
    expect(replies(page).nth(1)).to_have_text("Tak, vi har noteret, hvordan vi kan kontakte dig.")
    with sqlite3.connect(server.db_path) as db:
        contacts = [row[0] for row in db.execute("SELECT contact FROM threads WHERE channel = 'webchat'")]
    assert "anna@fabrikken.dk" in contacts


def test_the_conversation_is_still_there_after_a_reload(server: ServerHandle, page: Page) -> None:
    page.goto(f"{server.url}/chat")
    ask(page, QUESTION)
    expect(replies(page)).to_have_count(1)
    page.reload()
    expect(page.locator("#chat-log .msg")).to_have_count(2)
    expect(page.locator("#chat-log .msg-in .text")).to_have_text(QUESTION)
    expect(replies(page).first).to_contain_text(ANSWER["answer"][:60])


def test_a_script_typed_by_a_business_is_shown_as_text(server: ServerHandle, page: Page) -> None:
    page.goto(f"{server.url}/chat")
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    ask(page, attack)
    expect(page.locator("#chat-log .msg-in .text")).to_have_text(attack)
    expect(replies(page)).to_have_count(1)
    page.reload()
    expect(page.locator("#chat-log .msg-in .text")).to_have_text(attack)
    assert page.locator("#chat-log script, #chat-log img").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_a_message_over_the_limit_is_refused_with_a_clear_message(server: ServerHandle, page: Page) -> None:
    page.goto(f"{server.url}/chat")
    ask(page, "ord " * 200)
    expect(page.get_by_role("alert")).to_contain_text(f"højst {CAP} tegn")
    expect(page.locator("#chat-log .msg")).to_have_count(0)
    expect(page.get_by_label("Din besked")).to_have_value(("ord " * 200).strip())


def test_english_on_the_button_and_in_the_answer(server: ServerHandle, page: Page) -> None:
    page.goto(f"{server.url}/chat")
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", name="Write to Erhvervsservice")).to_be_visible()
    ask(page, QUESTION_EN)
    expect(replies(page).first).to_contain_text(ANSWER["answer_en"][:50])
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_staff_reply_appears_live(server: ServerHandle, page: Page) -> None:
    page.goto(f"{server.url}/chat")
    ask(page, RELOCATION + " til en ny hal")
    expect(replies(page)).to_have_count(1)
    store = Store(server.db_path)
    try:
        store.run(_staff_writes, "Hej, jeg er din kontaktperson. Jeg ringer i morgen.")
    finally:
        store.close()
    expect(replies(page)).to_have_count(2)
    expect(replies(page).nth(1)).to_have_text("Hej, jeg er din kontaktperson. Jeg ringer i morgen.")
    expect(page.locator("#chat-log .msg-out .who").nth(1)).to_have_text("Mette Holm")


def _staff_writes(db: Any, text: str) -> None:
    from bot import outbox, threads
    from escalation import staff
    member = staff.add(db, "Mette Holm", "mette@kommune.dk", ["Erhvervsservice"])
    thread_id = db.execute("SELECT max(thread_id) FROM messages WHERE channel = 'webchat'").fetchone()[0]
    outbox.enqueue(db, threads.get_thread(db, thread_id), text, author=f"staff:{member['id']}", automatic=False)


@pytest.fixture
def other_site(tmp_path: Path, server: ServerHandle) -> Iterator[str]:
    """A plain page on another port that embeds the widget with one script tag."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang=da><head><meta charset=utf-8><title>Kommunen</title></head><body>"
        f"<h1>Erhverv</h1><script src=\"{server.url}/chat/widget.js\" defer></script></body></html>")
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{site.server_address[1]}/index.html"
    site.shutdown()
    site.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_the_widget_puts_a_working_chat_on_another_site(other_site: str, page: Page) -> None:
    page.goto(other_site)
    opener = page.get_by_role("button", name="Skriv til kommunen")
    expect(opener).to_have_attribute("aria-expanded", "false")
    opener.click()
    expect(opener).to_have_attribute("aria-expanded", "true")
    chat = page.frame_locator("#indgang-chat-frame")
    chat.get_by_label("Din besked").fill(QUESTION)
    chat.get_by_label("Din besked").press("Enter")
    expect(chat.locator("#chat-log .msg-out .text").first).to_contain_text(ANSWER["answer"][:60])
    chat.get_by_role("button", name="Luk chatten").click()
    expect(opener).to_be_focused()
    expect(page.locator("#indgang-chat-frame")).to_be_hidden()


# -- HTTP-level behaviour (no browser needed) -------------------------------------------------

def open_session(client: httpx.Client) -> str:
    """Load the page like a browser does; returns the token the page would post with."""
    html = client.get("/chat").text
    return re.search(r'data-token="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def post(client: httpx.Client, token: str, text: str, **extra: Any) -> httpx.Response:
    return client.post("/chat/messages", json={"text": text, **extra},
                       headers={"X-Chat-Token": token, "Accept": "application/json"})


def test_a_flood_from_one_client_is_throttled(indgang_server_factory: Any) -> None:  # noqa: F811
    server = indgang_server_factory("[web]\nmessages_per_minute = 3\n")
    with httpx.Client(base_url=server.url) as client:
        token = open_session(client)
        statuses = [post(client, token, f"Spørgsmål nummer {n}").status_code for n in range(3)]
        refused = post(client, token, "Et spørgsmål for meget")
        refused_en = post(client, token, "One too many", lang="en")
    assert statuses == [202, 202, 202]
    assert refused.status_code == 429
    assert "Vent et øjeblik" in refused.json()["error"]
    assert "wait a moment" in refused_en.json()["error"]
    assert refused.headers["retry-after"] == "60"


def test_a_post_without_the_page_token_is_refused(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.url) as client:
        open_session(client)
        refused = post(client, "forged", QUESTION)
    assert refused.status_code == 403
    assert "Genindlæs siden" in refused.json()["error"]


def test_the_same_message_posted_twice_is_handled_once(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.url) as client:
        token = open_session(client)
        first = post(client, token, QUESTION, id="7d5e1f0e-1111-4222-8333-944455556666")
        second = post(client, token, QUESTION, id="7d5e1f0e-1111-4222-8333-944455556666")
        items = client.get("/chat/history").json()["items"]
    assert (first.json()["status"], second.json()["status"]) == ("answered", "duplicate")
    assert [item["direction"] for item in items] == ["in", "out"]


def test_a_form_post_without_javascript_works(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.url) as client:
        token = open_session(client)
        sent = client.post("/chat/messages", data={"text": QUESTION, "token": token, "lang": "da"})
        page_after = client.get(sent.headers["location"]).text
    assert sent.status_code == 303
    assert "caféborde" in page_after


def test_the_chat_page_is_locked_down_and_only_the_embed_may_be_framed(server: ServerHandle) -> None:
    plain = httpx.get(f"{server.url}/chat")
    embed = httpx.get(f"{server.url}/chat?embed=1")
    assert "default-src 'none'; script-src 'self'" in plain.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in plain.headers["content-security-policy"]
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    for response in (plain, embed, httpx.get(f"{server.url}/chat/widget.js")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"]
    cookie = plain.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_a_huge_body_is_refused_without_being_read_whole(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.url) as client:
        token = open_session(client)
        refused = post(client, token, "x" * 100_000)
    assert refused.status_code == 413
    assert f"højst {CAP} tegn" in refused.json()["error"]
