"""`indgang serve`: every configured channel, the outbox and the web app in one asyncio process.

SIGINT/SIGTERM stop the channels first, then drain what the outbox can send, so a stop
loses nothing (whatever could not be sent stays queued for the next start).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import uvicorn

from bot.config import Settings
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
        runtime.add_channel(TelegramChannel(settings.telegram, runtime.store))
    try:
        from bot.channels.webchat.channel import WebChatChannel
    except ModuleNotFoundError:
        return
    runtime.add_channel(WebChatChannel(runtime))


async def serve(settings: Settings, ready: asyncio.Event | None = None) -> None:
    runtime = Runtime.open(settings)
    add_configured_channels(runtime)
    app = create_app(runtime)
    config = uvicorn.Config(app, host=settings.web.host, port=settings.web.port, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    main = asyncio.create_task(runtime.run())
    web = asyncio.create_task(server.serve())
    url = f"http://{settings.web.host}:{settings.web.port}"
    print(f"Indgang kører: web chat {url}/chat  medarbejdere {url}/staff  database {settings.db_path}  "
          f"kanaler: {', '.join(sorted(runtime.channels))}", flush=True)
    if ready:
        ready.set()
    await stop.wait()
    log.info("stopping")
    server.should_exit = True
    main.cancel()
    await asyncio.gather(main, web, return_exceptions=True)
    runtime.close()


def serve_forever(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format='{"at": "%(asctime)s", "level": "%(levelname)s", "logger": "%(name)s", "msg": %(message)r}')
    asyncio.run(serve(settings))
    return 0
