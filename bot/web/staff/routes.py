"""All routes of the staff workspace: sign-in, the case inbox and threads, and admin pages."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.runtime import Runtime
from bot.web.auth import Auth
from bot.web.staff.account import AccountRoutes
from bot.web.staff.cases import CaseRoutes
from bot.web.staff.directory import DirectoryRoutes
from bot.web.staff.entries import EntryRoutes

STATIC = Path(__file__).resolve().parents[1] / "static"


def routes(runtime: Runtime, auth: Auth | None = None) -> list[BaseRoute]:
    auth = auth or Auth(runtime)

    async def admin_home(request: Request) -> Response:
        return RedirectResponse("/admin/entries", status_code=303)

    return [
        Mount("/staff/static", app=StaticFiles(directory=STATIC), name="staff-static"),
        *AccountRoutes(runtime, auth).routes(),
        *CaseRoutes(runtime, auth).routes(),
        Route("/admin", admin_home),
        *EntryRoutes(runtime, auth).routes(),
        *DirectoryRoutes(runtime, auth).routes(),
    ]
