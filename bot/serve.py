"""`indgang serve`: every configured channel, the outbox and the web app in one asyncio process.

SIGINT/SIGTERM stop the web server and the channels, then drain what the outbox can send,
so a stop loses nothing (whatever could not be sent stays queued for the next start).
Logs are JSON lines on stderr, one per event, so they can be shipped and searched as is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import uvicorn
from starlette.routing import BaseRoute

from bot.config import Settings
from bot.errors import UserError
from bot.runtime import Runtime
from bot.web.app import create_app

log = logging.getLogger("indgang.serve")


def add_configured_channels(runtime: Runtime) -> None:
    settings = runtime.settings
    if settings.email.enabled:
        from bot.channels.email.channel import EmailChannel
        runtime.add_channel(EmailChannel(settings.email, runtime.store))
    if settings.telegram.enabled:
        from bot.channels.telegram import TelegramChannel
        runtime.add_channel(TelegramChannel(settings.telegram, runtime.store, service=settings.service,
                                            wake=runtime.worker.poke))
    try:
        from bot.channels.webchat.channel import WebChatChannel
    except ModuleNotFoundError:
        return
    runtime.add_channel(WebChatChannel(runtime))


def channel_routes(runtime: Runtime) -> list[BaseRoute]:
    """Routes a channel serves itself (the Telegram webhook); the web chat's come via create_app."""
    routes: list[BaseRoute] = []
    for channel in runtime.channels.values():
        own = getattr(channel, "routes", None)
        if callable(own):
            routes += own()
    return routes


async def serve(settings: Settings, ready: asyncio.Event | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set or SIGINT/SIGTERM arrives; ``ready`` is set once the port is open."""
    stop = stop or asyncio.Event()
    sock = listen(settings.web.host, settings.web.port)
    runtime = Runtime.open(settings)
    try:
        add_configured_channels(runtime)
        app = create_app(runtime, channel_routes(runtime))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                                               timeout_graceful_shutdown=3))
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        main = asyncio.create_task(runtime.run())
        web = asyncio.create_task(server.serve(sockets=[sock]))
        with _signals_set(stop):
            if await _started(server, web):
                _announce(runtime, app, public_url(settings.web.host, sock))
                if ready:
                    ready.set()
                await _until_stopped(stop, web, main)
            log.info("stopping")
            server.should_exit = True
            main.cancel()
            for result in await asyncio.gather(main, web, return_exceptions=True):
                if isinstance(result, Exception):
                    log.error("stopped by an error", exc_info=result)
        log.info("stopped")
    finally:
        sock.close()
        runtime.close()


def listen(host: str, port: int) -> socket.socket:
    """Bind before starting anything, so a busy port is one clear error (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def public_url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}"


async def _started(server: uvicorn.Server, web: asyncio.Task[None]) -> bool:
    while not server.started and not web.done():
        await asyncio.sleep(0.01)
    return server.started


async def _until_stopped(stop: asyncio.Event, *tasks: asyncio.Task[Any]) -> None:
    """Wait for the stop signal, or for a task that should run forever ending early."""
    waiter = asyncio.ensure_future(stop.wait())
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()


@contextlib.contextmanager
def _signals_set(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT/SIGTERM set ``stop``; only the main thread may install signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _announce(runtime: Runtime, app: Any, url: str) -> None:
    paths = {getattr(route, "path", "") for route in app.routes}
    lines = [f"Indgang kører på {url}", f"  web chat:     {url}/chat",
             f"  widget:       <script src=\"{url}/chat/widget.js\" defer></script>"]
    if "/staff" in paths or any(p.startswith("/staff") for p in paths):
        lines.append(f"  medarbejdere: {url}/staff")
    lines += [f"  database:     {runtime.settings.db_path}", f"  kanaler:      {', '.join(sorted(runtime.channels))}"]
    if not runtime.store.run(lambda db: db.execute("SELECT count(*) FROM staff").fetchone()[0]):
        lines.append(f"Ingen medarbejdere endnu. Opret den første administrator:\n"
                     f"  indgang --db {runtime.settings.db_path} staff add \"Navn\" navn@kommune.dk "
                     "--role admin --dept Erhvervsservice")
    lines.append("Stop med Ctrl-C.")
    print("\n".join(lines), flush=True)
    log.info("started url=%s channels=%s", url, ",".join(sorted(runtime.channels)))


class JsonLines(logging.Formatter):
    """One JSON object per line; audit events keep their fields instead of a sentence."""

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
        line: dict[str, Any] = {"at": at, "level": record.levelname, "logger": record.name}
        line.update(_audit_fields(record) or {"msg": record.getMessage()})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _audit_fields(record: logging.LogRecord) -> dict[str, Any] | None:
    """``events.record`` logs (kind, thread, case, actor, detail JSON): keep them as fields."""
    args = record.args
    if record.name != "indgang.audit" or not isinstance(args, tuple) or len(args) != 5:
        return None
    kind, thread_id, case_id, actor, detail = args
    try:
        detail = json.loads(detail) if isinstance(detail, str) else detail
    except ValueError:
        pass
    return {"event": kind, "thread_id": thread_id, "case_id": case_id, "actor": actor, "detail": detail}


def configure_logging(verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler], force=True)
    logging.getLogger("indgang").setLevel(logging.DEBUG if verbose else logging.INFO)


def serve_forever(settings: Settings) -> int:
    configure_logging(logging.getLogger().level == logging.DEBUG)
    asyncio.run(serve(settings))
    return 0
