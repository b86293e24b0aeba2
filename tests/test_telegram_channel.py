"""The Telegram channel, with the real python-telegram-bot talking HTTP to a local Bot API."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from telegram.error import NetworkError

from bot.channels.telegram import TelegramChannel, split_text
from bot.channels.telegram.channel import SECRET_HEADER, file_url_of, webhook_url
from bot.config import Settings, TelegramSettings
from bot.runtime import Runtime
from bot.types import Message, Reply
from tests.conftest import make_settings
from tests.servers.botapi import BotApiServer, botapi  # noqa: F401

QUESTION = "Hvor ansøger jeg om et næringsbrev?"
RELOCATION = "Vi overvejer at flytte vores virksomhed til kommunen – kan I hjælpe?"
QUESTIONS = [
    "Hvor ansøger jeg om et næringsbrev?",
    "Hvor registrerer man et nyt firma?",
    "Hvor slår man lokalplaner op?",
    "Skal vi søge om lov til et nyt butiksskilt?",
    "Koster det noget at få rettet BBR?",
    "Hvor lang tid tager behandlingen af en alkoholbevilling?",
]
CASE_NUMBER = re.compile(r"\b\d{4}-\d{4,}\b")

Started = tuple[Runtime, TelegramChannel, "asyncio.Task[None]"]


@pytest.fixture
async def start(runtime_factory: Callable[..., Runtime], botapi: BotApiServer,  # noqa: F811
                tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Started]]]:
    """Start a runtime with a Telegram channel pointed at the stand-in; stopped after the test."""
    started: list[Started] = []

    async def start_channel(settings: Settings | None = None, run: bool = True, **telegram: Any) -> Started:
        settings = settings or settings_for(botapi, tmp_path, **telegram)
        runtime = runtime_factory(settings)
        channel = TelegramChannel(settings.telegram, runtime.store, service=settings.service,
                                  wake=runtime.worker.poke, poll_timeout=2.0, max_backoff=0.5)
        runtime.add_channel(channel)
        task = asyncio.create_task(runtime.run()) if run else asyncio.create_task(asyncio.sleep(0))
        started.append((runtime, channel, task))
        return runtime, channel, task

    yield start_channel
    for _, channel, task in started:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await channel.close()


def settings_for(api: BotApiServer, tmp_path: Path, **telegram: Any) -> Settings:
    return make_settings(tmp_path, telegram=TelegramSettings(token=api.token, api_base_url=api.base_url,
                                                             **telegram))


async def wait_until(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
    return result


def inbound(runtime: Runtime) -> list[dict[str, Any]]:
    return runtime.store.run(lambda db: list(db["messages"].rows_where(
        "direction = 'in' AND channel = 'telegram'", order_by="id")))


def answer_of(runtime: Runtime, entry_id: str) -> str:
    entry = runtime.knowledge.index.get(entry_id)
    assert entry is not None
    return entry.answer


# -- answering -------------------------------------------------------------------------


async def test_question_gets_the_danish_answer_in_the_same_chat(start, botapi: BotApiServer) -> None:  # noqa: F811
    runtime, _, _ = await start()
    botapi.push_text(501, QUESTION)
    [sent] = await botapi.wait_for_sent(1, chat_id=501)
    assert answer_of(runtime, "naeringsbrev-afskaffet")[:80] in sent["text"]
    assert "Fik du svar på dit spørgsmål?" in sent["text"]
    [message] = inbound(runtime)
    assert message["source_id"] == f"501:{botapi.sent[0]['message_id'] - 1}"


async def test_danish_question_from_an_english_phone_is_answered_in_danish(start, botapi: BotApiServer) -> None:  # noqa: F811
    await start()
    botapi.push_text(502, QUESTION, user_lang="en")
    [sent] = await botapi.wait_for_sent(1, chat_id=502)
    assert "Fik du svar" in sent["text"]


async def test_start_greets_in_danish_and_promises_a_person(start, botapi: BotApiServer) -> None:  # noqa: F811
    runtime, _, _ = await start()
    botapi.push_text(510, "/start")
    [sent] = await botapi.wait_for_sent(1, chat_id=510)
    assert sent["text"].startswith("Hej Mette!")
    assert "Skriv dit spørgsmål her" in sent["text"] and "medarbejder" in sent["text"]
    assert inbound(runtime) == []


async def test_start_greets_in_english_when_the_phone_is_english(start, botapi: BotApiServer) -> None:  # noqa: F811
    await start()
    botapi.push_text(511, "/start", user_lang="en")
    [sent] = await botapi.wait_for_sent(1, chat_id=511)
    assert sent["text"].startswith("Hello Mette!")
    assert "member of staff" in sent["text"]


async def test_case_is_acknowledged_and_a_later_message_is_attached(start, botapi: BotApiServer) -> None:  # noqa: F811
    runtime, _, _ = await start()
    botapi.push_text(520, RELOCATION)
    [ack] = await botapi.wait_for_sent(1, chat_id=520)
    assert CASE_NUMBER.search(ack["text"])
    assert "kontaktperson" in ack["text"] and "Du hører fra os senest" in ack["text"]
    botapi.push_text(520, "Vi har også spørgsmål om parkering ved den nye adresse")
    later = await wait_until(lambda: [m for m in inbound(runtime) if m["status"] == "attached"])
    assert len(later) == 1
    await asyncio.sleep(0.2)
    assert len(botapi.sent_messages(520)) == 1


# -- sending ---------------------------------------------------------------------------


async def test_flood_control_429_is_waited_out_and_the_answer_arrives_once(start, botapi: BotApiServer) -> None:  # noqa: F811
    await start()
    botapi.fail_next_sends(429, count=1, retry_after=1)
    pushed = time.monotonic()
    botapi.push_text(530, QUESTION)
    await botapi.wait_for_sent(1, chat_id=530, timeout=6)
    assert botapi.sent[0]["at"] - pushed >= 0.9
    assert len(botapi.method_calls("sendMessage")) == 2
    await asyncio.sleep(0.3)
    assert len(botapi.sent_messages(530)) == 1


async def test_long_reply_is_split_at_paragraphs_and_sent_in_order(start, botapi: BotApiServer) -> None:  # noqa: F811
    _, channel, _ = await start(run=False)
    paragraphs = [f"Afsnit {i}. " + "ord " * 400 for i in range(6)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    assert len(text) > 2 * 4096
    await channel.send(Reply(outbox_id=1, thread_id=1, channel="telegram", recipient="540", text=text))
    parts = [m["text"] for m in botapi.sent_messages(540)]
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert "\n\n".join(parts) == text


async def test_a_failed_part_is_retried_without_resending_the_parts_before_it(start, botapi: BotApiServer) -> None:  # noqa: F811
    _, channel, _ = await start(run=False)
    text = "\n\n".join(f"Afsnit {i}. " + "ord " * 900 for i in range(3))
    reply = Reply(outbox_id=7, thread_id=1, channel="telegram", recipient="541", text=text)
    botapi.fail_next_sends(500, count=1, after=1)
    with pytest.raises(NetworkError):
        await channel.send(reply)
    await channel.send(reply)
    parts = [m["text"] for m in botapi.sent_messages(541)]
    assert [p.split(".")[0] for p in parts] == ["Afsnit 0", "Afsnit 1", "Afsnit 2"]


def test_split_falls_back_to_lines_then_words_and_counts_emoji_twice() -> None:
    lines = "\n".join("linje " * 10 for _ in range(100))
    assert all(not p.startswith(" ") and len(p) <= 1000 for p in split_text(lines, 1000))
    words = " ".join(["ord"] * 3000)
    assert all(p.endswith("ord") for p in split_text(words, 1000))
    emoji = "😊" * 3000
    assert [len(p) for p in split_text(emoji)] == [2048, 952]


# -- files, stickers, groups ------------------------------------------------------------


async def test_photo_with_a_question_is_kept_and_handed_to_a_person(start, botapi: BotApiServer) -> None:  # noqa: F811
    runtime, _, _ = await start()
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
    botapi.push_photo(550, photo, caption="Må vi sætte dette skilt op på facaden?")
    [ack] = await botapi.wait_for_sent(1, chat_id=550)
    assert CASE_NUMBER.search(ack["text"])
    [message] = inbound(runtime)
    assert message["status"] == "escalated"
    files = runtime.store.run(lambda db: list(db["attachments"].rows_where("message_id = ?", [message["id"]])))
    assert [(f["content_type"], f["data"]) for f in files] == [("image/jpeg", photo)]


async def test_document_over_the_cap_is_listed_without_its_content(start, botapi: BotApiServer) -> None:  # noqa: F811
    runtime, _, _ = await start(file_cap=100)
    botapi.push_document(551, b"%PDF" + bytes(500), caption="Her er tegningen til byggesagen")
    await botapi.wait_for_sent(1, chat_id=551)
    [message] = inbound(runtime)
    files = runtime.store.run(lambda db: list(db["attachments"].rows_where("message_id = ?", [message["id"]])))
    assert [(f["filename"], f["size"], f["data"]) for f in files] == [("tegning.pdf", 504, None)]


async def test_a_bare_sticker_gets_a_friendly_reply_and_no_case(start, botapi: BotApiServer) -> None:  # noqa: F811
    runtime, _, _ = await start()
    botapi.push_sticker(552)
    [sent] = await botapi.wait_for_sent(1, chat_id=552)
    assert sent["text"].startswith("Tak!")
    [message] = inbound(runtime)
    assert message["status"] == "ignored" and message["full_text"] == "[sticker 👍]"
    assert runtime.store.run(lambda db: db["cases"].count) == 0


async def test_group_message_is_ignored_unless_the_bot_is_addressed(start, botapi: BotApiServer) -> None:  # noqa: F811
    runtime, _, _ = await start()
    group = -100777
    botapi.push_text(group, QUESTION, chat_type="supergroup")
    botapi.push_text(group, f"@indgang_test_bot {QUESTION}", chat_type="supergroup")
    botapi.push_reply_to_bot(group, "Hvor registrerer man et nyt firma?", chat_type="supergroup")
    await botapi.wait_for_sent(2, chat_id=group)
    texts = [m["text"] for m in inbound(runtime)]
    assert texts == [QUESTION, "Hvor registrerer man et nyt firma?"]


# -- delivery guarantees ----------------------------------------------------------------


async def test_restart_mid_stream_handles_every_update_exactly_once(
        start, botapi: BotApiServer, tmp_path: Path) -> None:  # noqa: F811
    settings = settings_for(botapi, tmp_path)
    first, channel, _ = await start(settings, run=False)
    updates = [botapi.push_text(600 + i, q) for i, q in enumerate(QUESTIONS)]
    receive, handled = first.pipeline.receive, []

    async def stop_after_third(message: Message):  # the process stops after the store, before the offset
        outcome = await receive(message)
        handled.append(message.source_id)
        if len(handled) == 3:
            raise asyncio.CancelledError
        return outcome

    first.pipeline.receive = stop_after_third  # type: ignore[method-assign]
    await asyncio.gather(first.run(), return_exceptions=True)
    await channel.close()
    first.close()
    assert len(handled) == 3
    second, _, _ = await start(settings)
    for i in range(len(QUESTIONS)):
        await botapi.wait_for_sent(1, chat_id=600 + i)
    await asyncio.sleep(0.3)
    assert [len(botapi.sent_messages(600 + i)) for i in range(len(QUESTIONS))] == [1] * len(QUESTIONS)
    assert len(inbound(second)) == len(QUESTIONS)
    assert botapi.deliveries[updates[2]["update_id"]] == 2
    await wait_until(lambda: botapi.confirmed_offset == updates[-1]["update_id"] + 1, timeout=5)


async def test_webhook_mode_registers_and_handles_a_posted_update(start, botapi: BotApiServer) -> None:  # noqa: F811
    runtime, channel, _ = await start(mode="webhook", webhook_url="https://indgang.example.dk")
    await wait_until(lambda: botapi.webhook_url)
    assert botapi.webhook_url == "https://indgang.example.dk/telegram/webhook"
    assert botapi.webhook_secret == channel.secret
    update = {"update_id": 9001, "message": botapi.message(560, text=QUESTION)}
    app = Starlette(routes=channel.routes())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web") as web:
        refused = await web.post("/telegram/webhook", json=update, headers={SECRET_HEADER: "wrong"})
        first = await web.post("/telegram/webhook", json=update, headers={SECRET_HEADER: channel.secret})
        again = await web.post("/telegram/webhook", json=update, headers={SECRET_HEADER: channel.secret})
    assert (refused.status_code, first.status_code, again.status_code) == (403, 200, 200)
    [sent] = await botapi.wait_for_sent(1, chat_id=560)
    assert "Fik du svar" in sent["text"]
    assert len(inbound(runtime)) == 1
    assert botapi.method_calls("getUpdates") == []


def test_file_and_webhook_addresses_follow_the_configured_api() -> None:
    assert file_url_of("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert file_url_of("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    site = TelegramSettings(token="1:x", mode="webhook", webhook_url="https://indgang.example.dk/")
    assert webhook_url(site) == "https://indgang.example.dk/telegram/webhook"
    given = TelegramSettings(token="1:x", mode="webhook", webhook_url="https://example.dk/tg/hook")
    assert webhook_url(given) == "https://example.dk/tg/hook"
