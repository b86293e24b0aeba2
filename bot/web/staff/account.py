"""Signing in and out, and the one-time link a new staff member uses to choose a password."""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.errors import UserError
from bot.passwords import hash_password
from bot.runtime import Runtime
from bot.store import get_state, set_state
from bot.web.auth import LOGIN_COOKIE, Auth, safe_next
from bot.web.staff.render import render
from escalation import staff

LINK_DAYS = 7


def create_password_link(db: Database, staff_id: int) -> str:
    """A token valid once, for a week: the new colleague chooses their own password."""
    token = secrets.token_urlsafe(24)
    expires = (datetime.now(timezone.utc) + timedelta(days=LINK_DAYS)).isoformat()
    set_state(db, f"pwset:{token}", json.dumps({"staff_id": staff_id, "expires": expires}))
    return token


def _link_member(db: Database, token: str) -> dict[str, Any] | None:
    raw = get_state(db, f"pwset:{token}")
    if not raw:
        return None
    link = json.loads(raw)
    if datetime.fromisoformat(link["expires"]) < datetime.now(timezone.utc):
        return None
    return staff.get(db, link["staff_id"])


def _use_link(db: Database, token: str, password_hash: str) -> None:
    member = _link_member(db, token)
    if member is None:
        raise UserError("linket er udløbet eller allerede brugt")
    staff.set_password_hash(db, member["id"], password_hash)
    db.execute("DELETE FROM state WHERE key = ?", [f"pwset:{token}"])


class AccountRoutes:
    def __init__(self, runtime: Runtime, auth: Auth) -> None:
        self.runtime = runtime
        self.auth = auth

    def routes(self) -> list[Route]:
        return [
            Route("/login", self.login_form, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/logout", self.logout, methods=["POST"]),
            Route("/staff/password/{token}", self.password_form, methods=["GET"]),
            Route("/staff/password/{token}", self.password_set, methods=["POST"]),
        ]

    def _login_page(self, request: Request, template: str, status: int = 200, **context: Any) -> Response:
        cookies: dict[str, str] = {}
        token = self.auth.login_token(request, cookies)
        response = render(request, template, None, status_code=status, login_token=token, **context)
        for name, value in cookies.items():
            response.set_cookie(name, value, httponly=True, samesite="lax", secure=request.url.scheme == "https")
        return response

    async def login_form(self, request: Request) -> Response:
        if await self.auth.user(request):
            return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        return self._login_page(request, "login.html", next=safe_next(request.query_params.get("next")), email="")

    async def login(self, request: Request) -> Response:
        form = await request.form()
        if not self.auth.login_token_ok(request, str(form.get("csrf", ""))):
            return PlainTextResponse("Ugyldig eller manglende CSRF-nøgle", status_code=403)
        email, target = str(form.get("email", "")), safe_next(str(form.get("next", "")))
        member = await self.auth.check_password(request, email, str(form.get("password", "")))
        if member is None:
            return self._login_page(request, "login.html", status=401, next=target, email=email,
                                    error="Forkert e-mail eller adgangskode. / Wrong email or password.")
        response = RedirectResponse(target, status_code=303)
        await self.auth.start_session(response, request, member["id"])
        response.delete_cookie(LOGIN_COOKIE)
        return response

    async def logout(self, request: Request) -> Response:
        user = await self.auth.member(request)
        form = await request.form()
        if user is not None and form.get("csrf") != user["csrf"]:
            return PlainTextResponse("Ugyldig eller manglende CSRF-nøgle", status_code=403)
        response = RedirectResponse("/login", status_code=303)
        await self.auth.end_session(request, response)
        return response

    async def password_form(self, request: Request) -> Response:
        member = await self.runtime.store.call(_link_member, request.path_params["token"])
        if member is None:
            return HTMLResponse("Linket er udløbet eller allerede brugt.", status_code=404)
        return self._login_page(request, "set_password.html", member=member)

    async def password_set(self, request: Request) -> Response:
        form = await request.form()
        if not self.auth.login_token_ok(request, str(form.get("csrf", ""))):
            return PlainTextResponse("Ugyldig eller manglende CSRF-nøgle", status_code=403)
        token = request.path_params["token"]
        try:
            password_hash = await asyncio.to_thread(hash_password, str(form.get("password", "")))
            await self.runtime.store.call(_use_link, token, password_hash)
        except UserError as exc:
            member = await self.runtime.store.call(_link_member, token)
            if member is None:
                return HTMLResponse(str(exc), status_code=404)
            return self._login_page(request, "set_password.html", status=400, member=member, error=str(exc))
        return RedirectResponse("/login", status_code=303)
