"""The staff workspace in a real browser against `indgang serve`: signing in, roles, CSRF,
live cases from the web chat, replies back to the business, curation and escaping."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers.indgang import ServerHandle, start_server
from tests.servers.staff import (  # noqa: F401
    add_staff,
    browser,
    browser_login,
    business_page,
    csrf_of,
    http_login,
    run_async,
    smtp_capture,
    staff_page,
)

ADMIN, STAFF = "anne@kommune.dk", "bo@kommune.dk"
COMPLEX = "Vi vil flytte hele vores virksomhed til kommunen og skal bruge en grund"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    handle = start_server(tmp_path_factory.mktemp("staff-web"))
    add_staff(handle.db_path, "Anne Admin", ADMIN, role="admin")
    add_staff(handle.db_path, "Bo Sagsbehandler", STAFF, departments=("Erhvervsservice", "Grundsalg"))
    yield handle
    handle.stop()


def ask_in_chat(chat: Any, url: str, text: str) -> None:
    chat.goto(f"{url}/chat")
    chat.locator("#chat-input").fill(text)
    chat.locator("#chat-send").click()
    chat.locator("#chat-log .msg-out").first.wait_for()


@pytest.mark.slow
def test_staff_log_in_and_out(server: ServerHandle, staff_page: Any) -> None:  # noqa: F811
    staff_page.goto(f"{server.url}/staff")
    assert "/login?next=/staff" in staff_page.url
    browser_login(staff_page, server.url, STAFF)
    assert staff_page.get_by_role("heading", name="Sager").is_visible()
    staff_page.get_by_role("button", name="Log ud").click()
    staff_page.wait_for_url("**/login")
    staff_page.goto(f"{server.url}/staff")
    assert "/login" in staff_page.url


@pytest.mark.slow
def test_a_staff_member_is_refused_on_admin_pages(server: ServerHandle, staff_page: Any) -> None:  # noqa: F811
    browser_login(staff_page, server.url, STAFF)
    response = staff_page.goto(f"{server.url}/admin/entries")
    assert response.status == 403


@pytest.mark.slow
def test_a_form_post_without_the_csrf_token_is_refused(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.url) as client:
        assert client.post("/login", data={"email": STAFF, "password": "x"}).status_code == 403
        assert http_login(client, STAFF).status_code == 303
        token = csrf_of(client.get("/staff").text)
        assert client.post("/staff/threads/1/note", data={"text": "x"}).status_code == 403
        assert client.post("/staff/threads/1/note", data={"text": "x", "csrf": "forged"}).status_code == 403
        assert client.post("/logout", data={"csrf": token}).status_code == 303


@pytest.mark.slow
def test_chat_case_shows_live_in_the_inbox_and_the_staff_reply_reaches_the_chat(
        server: ServerHandle, staff_page: Any, business_page: Any) -> None:  # noqa: F811
    browser_login(staff_page, server.url, STAFF, target="/staff?view=all")
    staff_page.locator("#inbox-table[data-live-ready]").wait_for(state="attached")
    ask_in_chat(business_page, server.url, f"{COMPLEX} i Grundsalg-området")
    row = staff_page.locator("tr", has_text="Grundsalg-området")
    row.wait_for(timeout=5_000)  # no reload: the live stream brought it
    row.get_by_role("link").click()
    staff_page.get_by_role("button", name="Overtag sagen").click()
    staff_page.get_by_label("Svar virksomheden").fill("Hej, jeg ringer dig op i morgen om grunden. Bo")
    staff_page.get_by_role("button", name="Send", exact=True).click()
    staff_page.locator(".msg-out", has_text="jeg ringer dig op").wait_for()
    business_page.locator("#chat-log .msg-out", has_text="jeg ringer dig op i morgen").wait_for(timeout=5_000)


@pytest.mark.slow
def test_what_a_business_wrote_is_shown_as_text(server: ServerHandle, staff_page: Any, business_page: Any) -> None:  # noqa: F811
    ask_in_chat(business_page, server.url, f'<script>window.pwned = 1</script><img src=x onerror="window.pwned=2"> {COMPLEX}')
    browser_login(staff_page, server.url, STAFF, target="/staff?view=all&q=pwned")
    staff_page.locator("tr", has_text="window.pwned").get_by_role("link").click()
    staff_page.locator(".msg-in .text", has_text="<script>window.pwned = 1</script>").wait_for()
    assert staff_page.evaluate("window.pwned") is None
    assert staff_page.locator(".messages script, .messages img").count() == 0


@pytest.mark.slow
def test_an_admin_edit_reaches_try_a_question_at_once(server: ServerHandle, staff_page: Any) -> None:  # noqa: F811
    question = "Kan jeg leje en kano af kommunen?"
    browser_login(staff_page, server.url, ADMIN, target="/admin/entries")
    staff_page.goto(f"{server.url}/admin/try?q={question}")
    assert "escalate" in staff_page.locator("#try-result").inner_text()
    staff_page.goto(f"{server.url}/admin/entries/new")
    staff_page.get_by_label("Id (små bogstaver, bindestreger)").fill("kano-udlejning")
    staff_page.get_by_label("Titel").fill("Leje af kano")
    staff_page.get_by_label("Formuleringer (én pr. linje)").fill(f"{question}\nUdlejer kommunen kanoer?")
    staff_page.get_by_label("Svar på dansk").fill("Kommunen udlejer ikke kanoer; spørg den lokale kajakklub.")
    staff_page.get_by_label("Afdeling").select_option("Kultur og Events")
    staff_page.get_by_role("button", name="Gem").click()
    staff_page.wait_for_url("**/admin/entries/kano-udlejning?saved=1")
    assert "created" in staff_page.locator("table.log").inner_text()
    staff_page.goto(f"{server.url}/admin/try?q={question}")
    result = staff_page.locator("#try-result").inner_text()
    assert "kano-udlejning" in result and '"decision":"answer"' in result.replace(" ", "")


def _email_config(smtp_port: int, imap_port: int) -> str:
    return (f'[email]\naddress = "erhverv@eksempel.dk"\nimap_host = "127.0.0.1"\nimap_port = {imap_port}\n'
            f'imap_security = "none"\nimap_user = "x"\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp_port}\n'
            'smtp_security = "none"\npoll_seconds = 30.0\n')


@pytest.mark.slow
def test_a_reply_on_an_email_case_is_sent_threaded(tmp_path: Path, smtp_capture: Any) -> None:  # noqa: F811
    pytest.importorskip("bot.channels.email.channel", reason="the email channel is not available")
    from tests.servers.staff import free_port
    handle = start_server(tmp_path / "mail", _email_config(smtp_capture.port, free_port()))
    try:
        add_staff(handle.db_path, "Bo Sagsbehandler", STAFF)
        mail = tmp_path / "inquiry.eml"
        mail.write_text("From: Kim <kim@vaerksted.dk>\nTo: erhverv@eksempel.dk\nSubject: Flytning\n"
                        "Message-ID: <original-1@vaerksted.dk>\nContent-Type: text/plain; charset=utf-8\n\n"
                        f"{COMPLEX}.\n", encoding="utf-8")
        ingested = subprocess.run([sys.executable, "-m", "bot.cli", "--config", "indgang.toml", "--db",
                                   str(handle.db_path), "ingest", "--channel", "email", str(mail)],
                                  cwd=handle.db_path.parent, capture_output=True, text=True, timeout=60)
        thread_id = json.loads(ingested.stdout.splitlines()[-1])["thread_id"]
        with httpx.Client(base_url=handle.url) as client:
            http_login(client, STAFF)
            token = csrf_of(client.get(f"/staff/threads/{thread_id}").text)
            sent = client.post(f"/staff/threads/{thread_id}/reply", data={"csrf": token, "text": "Vi ringer i dag."})
            assert sent.status_code == 303
        messages = smtp_capture.wait_for(2, timeout=10)
        reply = next(m for m in messages if "Vi ringer i dag." in m.get_body(("plain",)).get_content())
        earlier = {m["Message-ID"] for m in messages if m is not reply} | {"<original-1@vaerksted.dk>"}
        assert reply["In-Reply-To"] in earlier  # the latest message of the thread
        assert reply["References"].split()[0] == "<original-1@vaerksted.dk>"
        assert reply["To"].addresses[0].addr_spec == "kim@vaerksted.dk"
        assert "Auto-Submitted" not in reply or reply["Auto-Submitted"] == "no"
    finally:
        handle.stop()


# -- the same pages in-process (Starlette's TestClient), for what a browser adds nothing to --

@functools.lru_cache(maxsize=1)
def password_hash() -> str:
    """Hashed once: argon2 is slow on purpose."""
    from bot.passwords import hash_password
    from tests.servers.staff import PASSWORD
    return hash_password(PASSWORD)


@pytest.fixture
def client(runtime: Any) -> Iterator[Any]:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from bot.web.auth import Auth
    from bot.web.staff.routes import routes
    from escalation import staff
    for name, address, role in (("Anne Admin", ADMIN, "admin"), ("Bo Sagsbehandler", STAFF, "staff")):
        member = runtime.store.run(staff.add, name, address, ["Erhvervsservice"], role)
        runtime.store.run(staff.set_password_hash, member["id"], password_hash())
    app = Starlette(routes=routes(runtime, Auth(runtime, base_delay=0.2)))
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


def _case(runtime: Any, text: str = COMPLEX, **extra: Any) -> Any:
    memory = runtime.channels["memory"]
    return run_async(lambda: runtime.pipeline.receive(memory.message(text, **extra)))


def test_failed_logins_are_slowed_and_logged(client: Any, runtime: Any) -> None:
    import time
    for expected_wait in (0.0, 0.2):
        started = time.monotonic()
        assert http_login(client, STAFF, "wrong password").status_code == 401
        assert time.monotonic() - started >= expected_wait
    failed = runtime.store.run(lambda db: list(db["events"].rows_where("kind = 'login_failed'")))
    assert len(failed) == 2 and STAFF in failed[-1]["detail"]


def test_a_restart_gives_a_password_guesser_no_fresh_start(client: Any, runtime: Any) -> None:
    import time

    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from bot.web.auth import Auth
    from bot.web.staff.routes import routes
    for _ in range(2):
        assert http_login(client, STAFF, "wrong password").status_code == 401
    restarted = Starlette(routes=routes(runtime, Auth(runtime, base_delay=0.2)))
    with TestClient(restarted, base_url="http://testserver", follow_redirects=False) as fresh:
        started = time.monotonic()
        assert http_login(fresh, STAFF, "wrong password").status_code == 401
        assert time.monotonic() - started >= 0.4  # the third failure in a row waits 2 x 0.2 s
        assert http_login(fresh, STAFF).status_code in (302, 303)
    left = runtime.store.run(lambda db: [r[0] for r in db.execute("SELECT key FROM state WHERE key LIKE 'login_failures:%'")])
    assert left == []  # a success starts the count afresh


def test_a_session_older_than_its_cookie_is_removed_at_the_next_sign_in(client: Any, runtime: Any) -> None:
    from bot.store import set_state
    runtime.store.run(set_state, "session:stale", json.dumps({"staff_id": 1, "csrf": "x",
                                                             "created": "2020-01-01T00:00:00.000+00:00"}))
    assert http_login(client, STAFF).status_code in (302, 303)
    keys = runtime.store.run(lambda db: [r[0] for r in db.execute("SELECT key FROM state WHERE key LIKE 'session:%'")])
    assert "session:stale" not in keys and len(keys) == 1


def test_refusing_without_dialogue_is_explained_and_nothing_is_sent(client: Any, runtime: Any) -> None:
    outcome = _case(runtime)
    http_login(client, STAFF)
    page = client.get(f"/staff/threads/{outcome.thread_id}")
    answer = client.post(f"/staff/threads/{outcome.thread_id}/close",
                         data={"csrf": csrf_of(page.text), "outcome": "refused", "message": "Nej."})
    assert answer.status_code == 400 and "Intet afslag uden dialog" in answer.text


def test_attachments_download_as_files_never_as_pages(client: Any, runtime: Any) -> None:
    from bot.types import Attachment
    html = Attachment("tegning.html", "text/html", 30, b"<script>alert(1)</script>")
    outcome = _case(runtime, attachments=(html,))
    http_login(client, STAFF)
    assert 'href="/staff/attachments/1"' in client.get(f"/staff/threads/{outcome.thread_id}").text
    download = client.get("/staff/attachments/1")
    assert download.headers["content-disposition"] == 'attachment; filename="tegning.html"'
    assert download.headers["content-type"] == "application/octet-stream"


def test_a_rule_change_applies_to_the_next_inquiry(client: Any, runtime: Any) -> None:
    question = "Må vi sætte en pølsevogn op ved stranden?"
    http_login(client, ADMIN)
    token = csrf_of(client.get("/admin/rules").text)
    saved = client.post("/admin/rules", data={"csrf": token, "pattern": r"\bpoelsevogn", "department": "Kultur og Events",
                                              "complexity": "complex", "note": "mobile food", "active": "1"})
    assert saved.status_code == 303
    decision = runtime.knowledge.decide(question, runtime.settings)
    assert (decision.action, decision.complexity) == ("escalate", "complex"), decision.reasons


def test_a_new_colleague_chooses_a_password_through_a_one_time_link(client: Any) -> None:
    import re
    http_login(client, ADMIN)
    token = csrf_of(client.get("/admin/staff").text)
    page = client.post("/admin/staff", data={"csrf": token, "name": "Cia Ny", "email": "cia@kommune.dk",
                                             "departments": ["Byplan"], "role": "staff"})
    found = re.search(r'id="password-link">([^<]+)<', page.text)
    assert found, page.text
    link = found.group(1)
    client.cookies.clear()
    form = client.get(link)
    assert client.post(link, data={"csrf": csrf_of(form.text), "password": "nyt-langt-kodeord"}).status_code == 303
    assert client.get(link).status_code == 404  # used up
    assert http_login(client, "cia@kommune.dk", "nyt-langt-kodeord").status_code == 303


def test_unanswered_wording_becomes_a_phrasing_from_the_page(client: Any, runtime: Any) -> None:
    _case(runtime, "Kan jeg leje en kano af kommunen?")
    http_login(client, ADMIN)
    page = client.get("/admin/unanswered")
    assert "Kan jeg leje en kano af kommunen?" in page.text
    added = client.post("/admin/unanswered/phrasing", data={"csrf": csrf_of(page.text), "entry_id": "stadeplads-torvedage",
                                                           "text": "Kan jeg leje en kano af kommunen?"})
    assert added.status_code == 303
    assert "Kan jeg leje en kano af kommunen?" not in client.get("/admin/unanswered").text


def test_weekly_status_board_lists_open_cases_by_phase(client: Any, runtime: Any) -> None:
    from escalation import cases
    moving = _case(runtime)
    _case(runtime, "Vi overvejer at etablere et nyt logistikcenter i kommunen og vil gerne høre om grunde.",
          sender="other@firma.dk")
    runtime.store.run(cases.set_phase, moving.case_id, "attraction", "staff:1")
    http_login(client, STAFF)
    page = client.get("/staff/weekly")
    assert page.status_code == 200
    attraction = page.text.split('id="phase-attraction"')[1].split("</section>")[0]
    assert moving.case_number in attraction
    assert "Afklaring" in page.text and "Sagsbehandling" in page.text and "Tiltrækning" in page.text
    assert "Nye i denne uge: <strong>2</strong>" in page.text
