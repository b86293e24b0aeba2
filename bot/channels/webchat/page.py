"""Rendering the chat page, with the headers that keep it safe to show and to embed.

Jinja2 escapes everything a business wrote. The Content-Security-Policy allows only this
server's own script and style; only the embeddable variant (?embed=1) may be framed by
other sites, because that is what the widget on the municipality's site does.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from bot.channels.webchat.ui import ERRORS, STRINGS, error_text

TEMPLATES = Path(__file__).parent / "templates"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}")


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def render_page(*, lang: str, embed: bool, token: str, items: list[dict[str, Any]], error: str,
                max_chars: int) -> HTMLResponse:
    html = environment().get_template("chat.html").render(
        lang=lang, t=STRINGS[lang], strings=STRINGS, embed=embed, token=token, items=items,
        error=error_text(error, lang, limit=max_chars) if error in ERRORS else "")
    return HTMLResponse(html, headers=page_headers(embed))


def page_headers(embed: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CSP.format(ancestors="*" if embed else "'self'"),
        "Cache-Control": "no-store",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    }
    if not embed:
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return headers
