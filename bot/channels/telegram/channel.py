"""The Telegram channel: long polling (or a webhook) in, the outbox out.

Store first, then confirm. python-telegram-bot's ``Updater`` advances its offset as soon
as a batch is queued for the handlers (22.8, ``Updater._start_polling``), and confirms
every fetched update once more on stop, so an update in flight when the process stops
would be lost. This channel therefore polls with the library's ``Bot.get_updates``
itself: each update goes through ``await inbox(...)``, and only then is the offset
persisted in ``state`` and, with the next ``getUpdates``, confirmed to Telegram. A stop
between the two means the update comes again; its source id (chat and message id) makes
it a duplicate, so nothing is lost and nothing is answered twice.

In webhook mode the route answers 200 only after the inbox returned; any failure answers
500, and Telegram delivers the update again.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import warnings
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from sqlite_utils import Database
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot, Update
from telegram import Message as TgMessage
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.request import HTTPXRequest

from bot import outbox, threads
from bot.channels.telegram import texts
from bot.channels.telegram.split import split_text
from bot.channels.telegram.updates import is_sticker_only, should_handle, to_message, wants_greeting
from bot.config import ServiceSettings, TelegramSettings
from bot.errors import UserError
from bot.outbox import RetryLater
from bot.store import Store, dumps, get_state, loads, set_state, transaction
from bot.types import Inbox, Outcome, Reply

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message"]
LENIENT_AFTER = 3  # failed attempts after which a file that will not download is listed only
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SENT_PREFIX = "telegram.sent."  # state key per outbox id: message ids of the parts sent
PRUNE_EVERY = 100  # sends between clean-ups of those keys


class TelegramChannel:
    name = "telegram"

    def __init__(self, settings: TelegramSettings, store: Store, *, service: ServiceSettings | None = None,
                 wake: Callable[[], None] | None = None, poll_timeout: float = 30.0,
                 max_backoff: float = 60.0) -> None:
        if settings.mode not in ("polling", "webhook"):
            raise UserError(f'[telegram] mode must be "polling" or "webhook", not "{settings.mode}"')
        if settings.mode == "webhook" and not settings.webhook_url:
            raise UserError("[telegram] mode = \"webhook\" needs webhook_url (the public https address)")
        self.settings = settings
        self.store = store
        self.service = service or ServiceSettings()
        self.wake = wake or (lambda: None)
        self._poll_wait = timedelta(seconds=poll_timeout)
        self.max_backoff = max_backoff
        self.bot = make_bot(settings)
        self.offset_key = f"telegram.{settings.token.partition(':')[0]}.offset"
        self.secret = hashlib.sha256(f"indgang-webhook:{settings.token}".encode()).hexdigest()[:48]
        self._inbox: Inbox | None = None
        self._failures: dict[int, int] = {}
        self._ready_lock = asyncio.Lock()
        self._webhook_lock = asyncio.Lock()
        self._sending: dict[int, asyncio.Task[str]] = {}
        self._sends = 0

    # -- receiving ---------------------------------------------------------------------

    async def run(self, inbox: Inbox) -> None:
        await self._ready()
        if self.settings.mode == "webhook":
            await self._serve_webhook(inbox)
        else:
            await self._poll(inbox)

    async def _poll(self, inbox: Inbox) -> None:
        await self.bot.delete_webhook()
        offset = int(await self.store.call(get_state, self.offset_key) or 0)
        failures = 0
        while True:
            try:
                updates = await self.bot.get_updates(offset=offset or None, timeout=self._poll_wait,
                                                     allowed_updates=ALLOWED_UPDATES)
                for update in updates:
                    await self._handle_counted(update, inbox)
                    offset = update.update_id + 1
                    await self.store.call(_save_offset, self.offset_key, offset)
                failures = 0
            except Exception as exc:  # the loop's error boundary: wait, then fetch again from offset
                failures += 1
                delay = self._pause(exc, failures)
                log.warning("telegram polling failed (%s: %s); again in %.1f s", type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)

    async def _handle_counted(self, update: Update, inbox: Inbox) -> Outcome | None:
        """Handle one update, counting failures so a stubborn file download cannot block it."""
        try:
            outcome = await self.handle(update, inbox)
        except Exception:
            self._failures[update.update_id] = self._failures.get(update.update_id, 0) + 1
            raise
        self._failures.pop(update.update_id, None)
        return outcome

    async def handle(self, update: Update, inbox: Inbox) -> Outcome | None:
        """Greet, ignore, or hand the message to the inbox; None when nothing was stored."""
        msg = update.message
        if not should_handle(msg, self.bot.bot):
            return None
        assert msg is not None
        if wants_greeting(msg):
            await self._greet(msg)
            return None
        lenient = self._failures.get(update.update_id, 0) >= LENIENT_AFTER
        outcome = await inbox(await to_message(self.bot, update, msg, self.settings.file_cap, lenient))
        if is_sticker_only(msg) and outcome.status == "ignored" and outcome.thread_id is not None:
            await self.store.call(_queue_sticker_reply, outcome.thread_id)
            self.wake()
        return outcome

    async def _greet(self, msg: TgMessage) -> None:
        """Sent directly: a greeting is not an inquiry, so it opens no thread."""
        lang = texts.greeting_lang(msg.from_user.language_code if msg.from_user else None)
        first_name = msg.from_user.first_name if msg.from_user else ""
        text = texts.greeting(lang, first_name, self.service.municipality, self.service.answer_days)
        try:
            await self.bot.send_message(msg.chat.id, text)
        except (Forbidden, BadRequest) as exc:  # the chat is gone; retrying will not help
            log.warning("greeting to chat %s refused: %s", msg.chat.id, exc)

    def _pause(self, exc: Exception, failures: int) -> float:
        if isinstance(exc, RetryAfter):
            return retry_seconds(exc)
        return min(self.max_backoff, 0.5 * 2 ** min(failures, 10))

    # -- webhook -----------------------------------------------------------------------

    def routes(self) -> list[Route]:
        """The webhook route, for the web app to mount (only used in webhook mode)."""
        return [Route(self.settings.webhook_path, self._webhook, methods=["POST"])]

    async def _serve_webhook(self, inbox: Inbox) -> None:
        self._inbox = inbox  # ready before Telegram learns the address
        try:
            await self.bot.set_webhook(url=webhook_url(self.settings), secret_token=self.secret,
                                       allowed_updates=ALLOWED_UPDATES, max_connections=1)
            await asyncio.Event().wait()
        finally:
            self._inbox = None

    async def _webhook(self, request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), self.secret):
            return Response(status_code=403)
        inbox = self._inbox
        if inbox is None:
            return Response(status_code=503)  # not running yet: Telegram delivers it again
        try:
            update = Update.de_json(await request.json(), self.bot)
        except Exception:
            return Response(status_code=400)
        try:
            async with self._webhook_lock:
                await self._handle_counted(update, inbox)
        except Exception:
            log.exception("telegram update %s failed; Telegram will deliver it again", update.update_id)
            return Response(status_code=500)
        return Response(status_code=200)

    # -- sending -----------------------------------------------------------------------

    async def send(self, reply: Reply) -> str | None:
        """Send once, even when the outbox is stopped mid-send and asks again at once.

        The sending runs in its own task, shielded: a cancelled outbox worker does not cut
        a request Telegram may already have received, and a repeat of the same outbox id
        joins the send in flight instead of starting a second one.
        """
        task = self._sending.get(reply.outbox_id)
        if task is None:
            task = asyncio.create_task(self._send_parts(reply))
            self._sending[reply.outbox_id] = task
            task.add_done_callback(lambda done: self._finished(reply.outbox_id, done))
        return await asyncio.shield(task)

    def _finished(self, outbox_id: int, task: asyncio.Task[str]) -> None:
        self._sending.pop(outbox_id, None)
        if not task.cancelled():
            task.exception()  # retrieved: the caller (if still waiting) has it too

    async def _send_parts(self, reply: Reply) -> str:
        """Parts of at most 4096 characters; the parts sent are kept in ``state`` until the
        outbox row is marked sent, so a retry (or a repeat after a stop) sends only the rest."""
        await self._ready()
        parts = split_text(reply.text)
        key = f"{SENT_PREFIX}{reply.outbox_id}"
        self._sends += 1
        if self._sends % PRUNE_EVERY == 1:
            await self.store.call(_prune_parts)
        sent: list[int] = await self.store.call(_load_parts, key)
        for part in parts[len(sent):]:
            sent.append(await self._send_part(int(reply.recipient), part))
            await self.store.call(_save_parts, key, sent)
        return f"{reply.recipient}:{sent[0]}"

    async def _send_part(self, chat_id: int, text: str) -> int:
        """Telegram's flood control becomes the outbox's retry delay; network errors propagate."""
        try:
            message = await self.bot.send_message(chat_id, text)
        except RetryAfter as exc:
            raise RetryLater(f"Telegram flood control: {exc}", retry_seconds(exc)) from exc
        return message.message_id

    async def _ready(self) -> None:
        async with self._ready_lock:
            await self.bot.initialize()

    async def close(self) -> None:
        await self.bot.shutdown()


def make_bot(settings: TelegramSettings) -> Bot:
    """The library's Bot; a long poll has its own connection, so sending never waits for it."""
    base = settings.api_base_url or "https://api.telegram.org/bot"
    return Bot(settings.token, base_url=base, base_file_url=file_url_of(base),
               request=HTTPXRequest(connection_pool_size=16, read_timeout=30.0, pool_timeout=10.0),
               get_updates_request=HTTPXRequest(connection_pool_size=2, read_timeout=10.0))


def file_url_of(base_url: str) -> str:
    """``https://host/bot`` serves files at ``https://host/file/bot`` (also a local Bot API)."""
    return re.sub(r"/bot(\{token\})?$", r"/file/bot\1", base_url.rstrip("/"))


def webhook_url(settings: TelegramSettings) -> str:
    """``webhook_url`` as given, or with ``webhook_path`` added when it is only the site's address."""
    url = settings.webhook_url
    return url.rstrip("/") + settings.webhook_path if urlsplit(url).path in ("", "/") else url


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # an int now, a timedelta in a later major version
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _save_offset(db: Database, key: str, offset: int) -> None:
    with transaction(db):
        set_state(db, key, str(offset))


def _load_parts(db: Database, key: str) -> list[int]:
    return list(loads(get_state(db, key), []))


def _prune_parts(db: Database) -> int:
    """Forget the parts of rows the outbox has finished with; they will not be asked for again."""
    with transaction(db):
        return db.execute("DELETE FROM state WHERE key LIKE ? AND CAST(substr(key, ?) AS INTEGER) IN "
                          "(SELECT id FROM outbox WHERE status IN ('sent', 'failed'))",
                          [f"{SENT_PREFIX}%", len(SENT_PREFIX) + 1]).rowcount


def _save_parts(db: Database, key: str, sent: list[int]) -> None:
    with transaction(db):
        set_state(db, key, dumps(sent))


def _queue_sticker_reply(db: Database, thread_id: int) -> int:
    thread = threads.get_thread(db, thread_id)
    assert thread is not None
    return outbox.enqueue(db, thread, texts.sticker_reply(thread["lang"]))
