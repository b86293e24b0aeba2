"""A local stand-in for the Telegram Bot API, so the real python-telegram-bot talks HTTP to it.

It runs as a Starlette app under uvicorn in the test's own event loop, holds a queue of
updates the test pushes, long-polls ``getUpdates`` honouring the offset the way Telegram
does (an offset confirms every update below it), records what the bot sends, serves
files for ``getFile``, and can be told to answer ``sendMessage`` with a 429 or a 500.

Use the ``botapi`` fixture (``from tests.servers.botapi import botapi  # noqa: F401``) or
``async with BotApiServer() as api:`` outside pytest (the Telegram benchmark does).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "123456:TEST-token_for-indgang"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Indgang", "username": "indgang_test_bot"}


@dataclass
class Failure:
    """How the next ``count`` sendMessage calls fail."""

    status: int
    count: int
    retry_after: int = 1
    after: int = 0  # successful sends to let through first


@dataclass
class BotApiServer:
    token: str = TOKEN
    host: str = "127.0.0.1"
    port: int = 0
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    deliveries: dict[int, int] = field(default_factory=dict)  # update_id -> times returned
    files: dict[str, bytes] = field(default_factory=dict)
    webhook_url: str = ""
    webhook_secret: str = ""
    confirmed_offset: int = 0
    failures: list[Failure] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> BotApiServer:
        sock = socket.socket()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted sockets;
        sock.bind((self.host, self.port))  # without it every long poll after the first stalls ~40 ms
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app(), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.005)
        return self

    async def stop(self) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._server and self._task:
            self._server.should_exit = True
            await self._task

    async def __aenter__(self) -> BotApiServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    # -- what tests do -----------------------------------------------------------------

    def push(self, message: dict[str, Any]) -> dict[str, Any]:
        """Queue an update carrying ``message``; returns the update."""
        update = {"update_id": next(self._update_ids), "message": message}
        self.updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update

    def message(self, chat_id: int, *, user_lang: str = "da", chat_type: str = "private",
                first_name: str = "Mette", **fields: Any) -> dict[str, Any]:
        user_id = chat_id if chat_type == "private" else abs(chat_id) + 7
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "last_name": "Jensen",
                "language_code": user_lang}
        chat = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": first_name} if chat_type == "private" else {"title": "Byggeholdet"})
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                "from": user, **fields}

    def push_text(self, chat_id: int, text: str, user_lang: str = "da", **extra: Any) -> dict[str, Any]:
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] \
            if text.startswith("/") else []
        mention = f"@{BOT_USER['username']}"
        if mention in text:
            entities.append({"type": "mention", "offset": text.index(mention), "length": len(mention)})
        fields: dict[str, Any] = {"text": text}
        if entities:
            fields["entities"] = entities
        return self.push(self.message(chat_id, user_lang=user_lang, **extra, **fields))

    def push_reply_to_bot(self, chat_id: int, text: str, **extra: Any) -> dict[str, Any]:
        replied = self.message(chat_id, text="Tidligere svar", **extra)
        replied["from"] = BOT_USER
        return self.push(self.message(chat_id, text=text, reply_to_message=replied, **extra))

    def push_photo(self, chat_id: int, data: bytes, caption: str = "", **extra: Any) -> dict[str, Any]:
        small, large = self._file(data[:64]), self._file(data)
        sizes = [{**small, "width": 90, "height": 60}, {**large, "width": 1280, "height": 853}]
        return self.push(self.message(chat_id, photo=sizes, **_caption(caption), **extra))

    def push_document(self, chat_id: int, data: bytes, file_name: str = "tegning.pdf",
                      mime_type: str = "application/pdf", caption: str = "", **extra: Any) -> dict[str, Any]:
        document = {**self._file(data), "file_name": file_name, "mime_type": mime_type}
        return self.push(self.message(chat_id, document=document, **_caption(caption), **extra))

    def push_voice(self, chat_id: int, data: bytes, **extra: Any) -> dict[str, Any]:
        voice = {**self._file(data), "duration": 3, "mime_type": "audio/ogg"}
        return self.push(self.message(chat_id, voice=voice, **extra))

    def push_sticker(self, chat_id: int, emoji: str = "👍", **extra: Any) -> dict[str, Any]:
        sticker = {**self._file(b"RIFF-webp"), "width": 512, "height": 512, "is_animated": False,
                   "is_video": False, "type": "regular", "emoji": emoji}
        return self.push(self.message(chat_id, sticker=sticker, **extra))

    def fail_next_sends(self, status: int, count: int = 1, retry_after: int = 1, after: int = 0) -> None:
        """After ``after`` good sends, ``count`` sendMessage calls answer ``status`` (429: retry_after)."""
        self.failures.append(Failure(status, count, retry_after, after))

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return [m for m in self.sent if chat_id is None or int(m["chat_id"]) == chat_id]

    async def wait_for_sent(self, n: int, timeout: float = 5.0, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Wait until at least ``n`` messages were sent (to ``chat_id``); fail the test on timeout."""
        deadline = time.monotonic() + timeout
        while len(self.sent_messages(chat_id)) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {n} sent messages, got {self.sent_messages(chat_id)!r}")
            await asyncio.sleep(0.01)
        return self.sent_messages(chat_id)

    def method_calls(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    # -- the HTTP side -----------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
        ])

    async def _api(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        params = await _params(request)
        self.calls.append((method, params))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _ok(True)
        return await handler(params)

    async def _download(self, request: Request) -> Response:
        data = self.files.get(request.path_params["path"])
        if request.path_params["token"] != self.token or data is None:
            return Response(status_code=404)
        return Response(data, media_type="application/octet-stream")

    async def _m_getMe(self, params: dict[str, Any]) -> Response:
        return _ok({**BOT_USER, "can_join_groups": True, "can_read_all_group_messages": False,
                    "supports_inline_queries": False})

    async def _m_getUpdates(self, params: dict[str, Any]) -> Response:
        offset, timeout = int(params.get("offset") or 0), float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not self.updates and not self._closing and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        batch = self.updates[:limit]
        for update in batch:
            self.deliveries[update["update_id"]] = self.deliveries.get(update["update_id"], 0) + 1
        return _ok(batch)

    async def _m_sendMessage(self, params: dict[str, Any]) -> Response:
        if self.failures and self.failures[0].after > 0:
            self.failures[0].after -= 1
        elif self.failures:
            failure = self.failures[0]
            failure.count -= 1
            if failure.count <= 0:
                self.failures.pop(0)
            if failure.status == 429:
                return _error(429, f"Too Many Requests: retry after {failure.retry_after}",
                              {"retry_after": failure.retry_after})
            return _error(failure.status, "Internal Server Error")
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": int(params["chat_id"]), "type": "private"}, "from": BOT_USER,
                   "text": params["text"]}
        self.sent.append({**params, "message_id": message["message_id"], "at": time.monotonic()})
        return _ok(message)

    async def _m_getFile(self, params: dict[str, Any]) -> Response:
        file_id = params["file_id"]
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        return _ok({"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.files[file_id]),
                    "file_path": file_id})

    async def _m_setWebhook(self, params: dict[str, Any]) -> Response:
        self.webhook_url = params.get("url", "")
        self.webhook_secret = params.get("secret_token", "")
        return _ok(True)

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Response:
        self.webhook_url = ""
        return _ok(True)

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> Response:
        return _ok({"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0})

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _file(self, data: bytes) -> dict[str, Any]:
        file_id = f"files/f{len(self.files) + 1}"
        self.files[file_id] = data
        return {"file_id": file_id, "file_unique_id": f"u{len(self.files)}", "file_size": len(data)}


def _caption(caption: str) -> dict[str, Any]:
    return {"caption": caption} if caption else {}


async def _params(request: Request) -> dict[str, Any]:
    """Telegram accepts JSON, urlencoded and multipart bodies, and query parameters."""
    params: dict[str, Any] = dict(request.query_params)
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        params.update(json.loads(await request.body() or b"{}"))
    elif kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)


@pytest.fixture
async def botapi() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as server:
        yield server
