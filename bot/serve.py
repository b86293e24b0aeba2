"""`indgang serve`: every configured channel, the outbox and the web app in one asyncio process.

SIGINT/SIGTERM stop the web server and the channels, then drain what the outbox can send,
so a stop loses nothing (whatever could not be sent stays queued for the next start).
Logs are JSON lines on stderr, one per event, so they can be shipped and searched as is.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import threading
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


