"""The web chat's HTTP side: the page, the widget, posting messages, history and live replies.

Every handler is a thin shell: it checks who is asking and how much, builds a neutral
``Message`` and hands it to the channel's inbox. Replies never come back in the POST
response; they arrive on the event stream, the same way a member of staff's reply does.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels.webchat.channel import CHANNEL, WebChatChannel, history, topic
from bot.channels.webchat.guard import COOKIE, COOKIE_MAX_AGE, Sessions, Throttle
from bot.channels.webchat.page import render_page
from bot.channels.webchat.stream import event_stream
from bot.channels.webchat.ui import error_text, pick_lang
from bot.runtime import secret_key
from bot.types import Message

if TYPE_CHECKING:
    from bot.runtime import Runtime

STATIC = Path(__file__).parent / "static"
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")
LANG_COOKIE = "indgang_chat_lang"


class ChatRoutes:
    """The handlers share the runtime, the session signer and the flood limit."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.web = runtime.settings.web
        self.sessions = Sessions(runtime.store.run(secret_key, runtime.settings))
        self.throttle = Throttle(self.web.messages_per_minute)
        self.channel = webchat_channel(runtime)

    def session_of(self, request: Request) -> str | None:
        return self.sessions.from_cookie(request.cookies.get(COOKIE))

    async def page(self, request: Request) -> Response:
        session = self.session_of(request)
        fresh = session is None
        session = session or self.sessions.new()
        items = [] if fresh else await self.runtime.store.call(history, session)
        lang = pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
        embed = request.query_params.get("embed") == "1"
        response = render_page(lang=lang, embed=embed, token=self.sessions.token(session), items=items,
                               error=request.query_params.get("error", ""),
                               max_chars=self.web.max_message_chars)
        if fresh:
            self._set_cookie(request, response, session)
        return response

    def _set_cookie(self, request: Request, response: Response, session: str) -> None:
        """Cross-site embedding needs SameSite=None, which browsers accept only over HTTPS."""
        secure = request.url.scheme == "https" or self.web.public_url.startswith("https:")
        response.set_cookie(COOKIE, self.sessions.cookie_value(session), max_age=COOKIE_MAX_AGE,
                            path="/chat", httponly=True, secure=secure,
                            samesite="none" if secure else "lax")

    async def history(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:
            return _refuse(403, "expired", "da")
        items = await self.runtime.store.call(history, session)
        return JSONResponse({"items": items}, headers={"Cache-Control": "no-store"})

    async def events(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:
            return _refuse(403, "expired", "da")
        stream = event_stream(self.runtime.hub, topic(session), self.channel.stopping)
        return StreamingResponse(stream, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def post(self, request: Request) -> Response:
        wants_json = "json" in request.headers.get("accept", "")
        form = await _fields(request, max_bytes=self.web.max_message_chars * 4 + 4096)
        if form is None:
            return _answer(wants_json, 413, "too_long", "da", {}, limit=self.web.max_message_chars)
        session = self.session_of(request)
        text = str(form.get("text") or "").strip()
        refusal = self._refusal(request, session, form, text)
        if refusal or session is None:
            status, code = refusal or (403, "expired")
            return _answer(wants_json, status, code, pick_lang(form.get("lang")), form,
                           limit=self.web.max_message_chars)
        client_id = str(form.get("id") or "")
        client_id = client_id if CLIENT_ID_RE.match(client_id) else uuid.uuid4().hex
        outcome = await self.channel.receive(Message(channel=CHANNEL, sender=session, text=text,
                                                     source_id=client_id, sender_name=""))
        if not wants_json:
            return RedirectResponse(_back(form), status_code=303)
        return JSONResponse({"status": outcome.status, "key": f"c{client_id}",
                             "case_number": outcome.case_number}, status_code=202)

    def _refusal(self, request: Request, session: str | None, form: dict[str, Any],
                 text: str) -> tuple[int, str] | None:
        """Why a message is refused (HTTP status, error code), checked cheapest first; None: accept."""
        token = request.headers.get("x-chat-token") or form.get("token")
        if session is None or not self.sessions.token_ok(session, token):
            return 403, "expired"
        if not text:
            return 400, "empty"
        if len(text) > self.web.max_message_chars:
            return 413, "too_long"
        if not self.throttle.allow(f"session:{session}", f"ip:{_client_ip(request)}"):
            return 429, "too_many"
        return None

    async def widget(self, request: Request) -> Response:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=300"})


async def _fields(request: Request, max_bytes: int) -> dict[str, Any] | None:
    """JSON or URL-encoded form fields; None when the body is larger than any allowed message."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            return None
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}


def _answer(wants_json: bool, status: int, code: str, lang: str, form: dict[str, Any], **values: Any) -> Response:
    if not wants_json:
        return RedirectResponse(_back(form, error=code), status_code=303)
    return _refuse(status, code, lang, **values)


def _refuse(status: int, code: str, lang: str, **values: Any) -> JSONResponse:
    headers = {"Retry-After": "60"} if status == 429 else {}
    return JSONResponse({"error": error_text(code, lang, **values), "code": code}, status_code=status,
                        headers=headers)


def _back(form: dict[str, Any], error: str = "") -> str:
    """Where a form post without JavaScript returns to: the same page, with the error if any."""
    params = [("embed", "1")] if form.get("embed") == "1" else []
    params += [("lang", pick_lang(form.get("lang")))]
    params += [("error", error)] if error else []
    return "/chat?" + "&".join(f"{k}={v}" for k, v in params)


def webchat_channel(runtime: Runtime) -> WebChatChannel:
    """The runtime's web chat channel, added if missing so the outbox can deliver to it."""
    existing = runtime.channels.get(CHANNEL)
    if not isinstance(existing, WebChatChannel):
        existing = WebChatChannel(runtime)
        runtime.add_channel(existing)
    return existing


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def routes(runtime: Runtime) -> list[BaseRoute]:
    chat = ChatRoutes(runtime)
    return [
        Route("/chat", chat.page, methods=["GET"]),
        Route("/chat/messages", chat.post, methods=["POST"]),
        Route("/chat/history", chat.history, methods=["GET"]),
        Route("/chat/events", chat.events, methods=["GET"]),
        Route("/chat/widget.js", chat.widget, methods=["GET"]),
        Mount("/chat/static", app=StaticFiles(directory=STATIC), name="chat-static"),
    ]
