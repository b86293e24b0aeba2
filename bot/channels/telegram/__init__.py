"""Telegram: private chats (and groups that address the bot) as an Indgang channel."""

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.split import split_text

__all__ = ["TelegramChannel", "split_text"]
