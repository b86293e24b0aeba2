"""Turning a Telegram update into Indgang's neutral ``Message``.

Only this module and ``channel.py`` know what a Telegram update looks like. The source id
is the chat id plus the message id, which Telegram never reuses within a chat, so an
update delivered twice (after a restart, or a webhook retry) is stored once.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from telegram import Bot, Update, User
from telegram import Message as TgMessage
from telegram.error import BadRequest, NetworkError, TelegramError

from bot.types import Attachment, Lang, Message

log = logging.getLogger(__name__)

CHANNEL = "telegram"
GREETING_COMMANDS = ("/start", "/help")
GROUP_TYPES = ("group", "supergroup")


@dataclass(frozen=True)
class FileSpec:
    """A file the business sent, as announced in the update (not yet downloaded)."""

    file_id: str
    filename: str
    content_type: str
    size: int


def source_id(msg: TgMessage) -> str:
    return f"{msg.chat.id}:{msg.message_id}"


def command(msg: TgMessage) -> str | None:
    """``/start`` for "/start", "/start@indgang_bot" or "/start payload"; None for plain text."""
    text = (msg.text or "").strip()
    if not text.startswith("/"):
        return None
    return text.split()[0].split("@")[0].lower()


def wants_greeting(msg: TgMessage) -> bool:
    return command(msg) in GREETING_COMMANDS


def is_sticker_only(msg: TgMessage) -> bool:
    return msg.sticker is not None and not (msg.caption or msg.text)


def should_handle(msg: TgMessage | None, me: User) -> bool:
    """Private chats always; groups only when the bot is mentioned or replied to."""
    if msg is None or msg.from_user is None or msg.from_user.is_bot:
        return False
    if msg.chat.type == "private":
        return True
    return msg.chat.type in GROUP_TYPES and addressed(msg, me)


def addressed(msg: TgMessage, me: User) -> bool:
    replied = msg.reply_to_message
    if replied and replied.from_user and replied.from_user.id == me.id:
        return True
    text = (msg.text or msg.caption or "").lower()
    return me.username is not None and f"@{me.username.lower()}" in text


def clean_text(msg: TgMessage, me: User) -> str:
    """The words of the message without the @mention that addressed the bot."""
    text = msg.text or msg.caption or ""
    if me.username:
        text = re.sub(rf"@{re.escape(me.username)}\b", "", text, flags=re.I)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def lang_of_user(msg: TgMessage) -> Lang | None:
    code = (msg.from_user.language_code or "").lower() if msg.from_user else ""
    return "en" if code.startswith("en") else "da" if code.startswith("da") else None


def file_specs(msg: TgMessage) -> list[FileSpec]:
    """Photos (largest size), documents, voice, audio and video; stickers stay a text note."""
    specs: list[FileSpec] = []
    if msg.photo:
        photo = msg.photo[-1]
        specs.append(FileSpec(photo.file_id, f"foto-{msg.message_id}.jpg", "image/jpeg", photo.file_size or 0))
    for kind, default_name, default_type in (
        ("document", "dokument", "application/octet-stream"), ("voice", "talebesked.ogg", "audio/ogg"),
        ("audio", "lyd", "audio/mpeg"), ("video", "video.mp4", "video/mp4"),
        ("video_note", "videobesked.mp4", "video/mp4"),
    ):
        item = getattr(msg, kind, None)
        if item is not None:
            name = getattr(item, "file_name", None) or f"{msg.message_id}-{default_name}"
            mime = getattr(item, "mime_type", None) or default_type
            specs.append(FileSpec(item.file_id, name, mime, item.file_size or 0))
    return specs


async def fetch(bot: Bot, spec: FileSpec, cap: int, lenient: bool) -> Attachment:
    """Download within ``cap``; over it, or when Telegram refuses, the file is listed only.

    A network failure is raised (the update is fetched again later and nothing was stored
    yet) unless ``lenient``: after repeated failures the message must not wait any longer.
    """
    listed = Attachment(spec.filename, spec.content_type, spec.size, None)
    if spec.size > cap:
        return listed
    try:
        file = await bot.get_file(spec.file_id)
        if (file.file_size or 0) > cap:
            return Attachment(spec.filename, spec.content_type, file.file_size or 0, None)
        data = bytes(await file.download_as_bytearray())
    except BadRequest as exc:  # a subclass of NetworkError, but retrying will not help
        log.warning("file %s refused by Telegram (%s); listed without content", spec.file_id, exc)
        return listed
    except NetworkError:
        if not lenient:
            raise
        log.warning("file %s could not be downloaded; listed without content", spec.file_id)
        return listed
    except TelegramError as exc:
        log.warning("file %s refused by Telegram (%s); listed without content", spec.file_id, exc)
        return listed
    return Attachment(spec.filename, spec.content_type, len(data), data if len(data) <= cap else None)


async def to_message(bot: Bot, update: Update, msg: TgMessage, cap: int, lenient: bool = False) -> Message:
    """The neutral message; language is left to the text, unless there is no text to judge."""
    text = clean_text(msg, bot.bot)
    attachments = tuple([await fetch(bot, spec, cap, lenient) for spec in file_specs(msg)])
    note = f"[sticker {msg.sticker.emoji or ''}]".replace(" ]", "]") if msg.sticker else ""
    user = msg.from_user
    return Message(
        channel=CHANNEL, sender=str(msg.chat.id), text=text, source_id=source_id(msg),
        sender_name=user.full_name if user else "", received_at=msg.date,
        attachments=attachments, full_text="\n".join(p for p in (text, note) if p),
        raw=json.dumps(update.to_dict(), ensure_ascii=False).encode(),
        lang_hint=None if text else lang_of_user(msg),
        extras={"chat_id": msg.chat.id, "message_id": msg.message_id, "chat_type": msg.chat.type,
                "update_id": update.update_id, "username": user.username if user else None},
    )
