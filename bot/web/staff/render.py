"""Server-rendered pages: one Jinja2 environment with autoescape always on.

Everything a business wrote reaches the page through ``{{ }}`` and is escaped; no
template uses ``|safe`` on stored text.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.web.staff.i18n import names, translator
from escalation.departments import DEPARTMENTS

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True, default_for_string=True),
                  trim_blocks=True, lstrip_blocks=True)


def short_time(value: str | None) -> str:
    """ISO timestamps as local 'dd-mm-yyyy hh:mm' (the staff read them, not machines)."""
    if not value:
        return ""
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return value
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone()
    return stamp.strftime("%d-%m-%Y %H:%M")


env.filters["when"] = short_time


def render(request: Request, template: str, user: dict[str, Any] | None, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    lang = (user or {}).get("lang") or "da"
    html = env.get_template(template).render(
        request=request, user=user, lang=lang, t=translator(lang), names=names(lang),
        departments=DEPARTMENTS, csrf=(user or {}).get("csrf", ""), path=request.url.path, **context)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
    return response
