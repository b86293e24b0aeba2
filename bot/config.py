"""Settings: one frozen object built at start from a TOML file plus the environment.

Secrets (passwords, tokens, the session key) come from the environment so that the
TOML file can be shared and versioned without them. Nothing reads settings globally:
the object is passed to whoever needs it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.triage import TriageSettings

DEFAULT_CONFIG = "indgang.toml"
DEFAULT_DB = "indgang.db"


@dataclass(frozen=True)
class EmailSettings:
    address: str = ""
    display_name: str = "Erhvervsservice"
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "ssl"  # none | starttls | ssl
    imap_user: str = ""
    imap_password: str = ""
    imap_folder: str = "INBOX"
    imap_done_folder: str = ""  # move handled mail here; empty: just mark it seen
    poll_seconds: float = 30.0
    idle_seconds: float = 1500.0  # re-IDLE well inside the server's 30 minute timeout
    smtp_host: str = ""
    smtp_port: int = 465
    smtp_security: str = "ssl"
    smtp_user: str = ""
    smtp_password: str = ""
    attachment_cap: int = 10_000_000
    auto_replies_per_hour: int = 5

    @property
    def enabled(self) -> bool:
        return bool(self.address and self.imap_host)


@dataclass(frozen=True)
class TelegramSettings:
    token: str = ""
    api_base_url: str = ""  # e.g. http://127.0.0.1:8081/bot for a local Bot API
    mode: str = "polling"  # polling | webhook
    webhook_url: str = ""
    webhook_path: str = "/telegram/webhook"
    file_cap: int = 10_000_000

    @property
    def enabled(self) -> bool:
        return bool(self.token)


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    secret_key: str = ""  # signs session cookies; generated per database when empty
    public_url: str = ""
    max_message_chars: int = 4000
    messages_per_minute: int = 20


@dataclass(frozen=True)
class ServiceSettings:
    municipality: str = "Kommunen"
    answer_days: int = 5  # working days to the case answer deadline
    first_answer_hours: int = 24
    retention_days: int = 730  # threads untouched this long (no open case) are erased daily; 0: never


@dataclass(frozen=True)
class Settings:
    db_path: str = DEFAULT_DB
    kb_path: str = ""  # optional JSONL loaded when the database is new; default: shipped KB
    email: EmailSettings = field(default_factory=EmailSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    web: WebSettings = field(default_factory=WebSettings)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    triage: TriageSettings = field(default_factory=TriageSettings)


SECTIONS = {
    "email": EmailSettings,
    "telegram": TelegramSettings,
    "web": WebSettings,
    "service": ServiceSettings,
    "triage": TriageSettings,
}

# Environment variables that override a setting: secrets belong here, not in TOML.
ENV_OVERRIDES = {
    "INDGANG_DB": ("", "db_path"),
    "INDGANG_IMAP_PASSWORD": ("email", "imap_password"),
    "INDGANG_SMTP_PASSWORD": ("email", "smtp_password"),
    "INDGANG_TELEGRAM_TOKEN": ("telegram", "token"),
    "INDGANG_SECRET_KEY": ("web", "secret_key"),
}


def load_settings(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    db_path: str | None = None,
) -> Settings:
    """Read TOML (if any), apply environment overrides, then an explicit --db."""
    env = os.environ if env is None else env
    data = _read_toml(path)
    settings = _build(data)
    for var, (section, name) in ENV_OVERRIDES.items():
        if env.get(var):
            settings = _override(settings, section, name, env[var])
    if db_path:
        settings = replace(settings, db_path=db_path)
    return settings


def _read_toml(path: str | Path | None) -> dict[str, Any]:
    if path is None:
        if not Path(DEFAULT_CONFIG).exists():
            return {}
        path = DEFAULT_CONFIG
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise UserError(f"configuration file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"configuration file {path} is not valid TOML: {exc}") from None


def _build(data: dict[str, Any]) -> Settings:
    top = {k: v for k, v in data.items() if k not in SECTIONS}
    unknown = set(top) - {"db_path", "kb_path"}
    if unknown:
        raise UserError(f"unknown setting(s) in configuration: {', '.join(sorted(unknown))}")
    sections = {name: _section(name, cls, data.get(name, {})) for name, cls in SECTIONS.items()}
    return Settings(**top, **sections)


def _section(name: str, cls: type, table: Any) -> Any:
    if not isinstance(table, dict):
        raise UserError(f"[{name}] must be a table in the configuration")
    known = {f.name for f in fields(cls)}
    unknown = set(table) - known
    if unknown:
        raise UserError(f"unknown setting(s) in [{name}]: {', '.join(sorted(unknown))}")
    return cls(**table)


def _override(settings: Settings, section: str, name: str, value: str) -> Settings:
    if not section:
        return replace(settings, **{name: value})
    return replace(settings, **{section: replace(getattr(settings, section), **{name: value})})
