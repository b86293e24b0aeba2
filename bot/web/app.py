"""The Starlette application: health check, web chat, staff workspace, Telegram webhook.

Each part contributes its routes; nothing here knows what the routes do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from bot.runtime import Runtime


def create_app(runtime: Runtime, extra_routes: list[BaseRoute] | None = None) -> Starlette:
    async def healthz(request: Request) -> JSONResponse:
        from bot.outbox import pending_count
        pending = await runtime.store.call(pending_count)
        return JSONResponse({"status": "ok", "channels": sorted(runtime.channels), "outbox_pending": pending})

    routes: list[BaseRoute] = [Route("/healthz", healthz)]
    routes += _part_routes(runtime)
    routes += extra_routes or []
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.runtime = runtime
    return app


class SecurityHeaders:
    """Headers every response should carry unless a route chose its own (pages set their CSP)."""

    DEFAULTS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.DEFAULTS if n not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _part_routes(runtime: Runtime) -> list[BaseRoute]:
    """Routes of the web chat and staff workspace, when those modules are present."""
    routes: list[BaseRoute] = []
    for module_name in ("bot.channels.webchat.routes", "bot.web.staff.routes"):
        try:
            module = __import__(module_name, fromlist=["routes"])
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        routes += module.routes(runtime)
    return routes
