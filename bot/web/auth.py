"""Staff sign-in: sessions, roles, CSRF tokens and slowing down password guessing.

The cookie carries only a signed random session id; the session itself (who, CSRF
token) lives in the database ``state`` table, so logging out really ends it and a
restart keeps people signed in. Every state-changing request must carry the session's
CSRF token, in a form field or the ``X-CSRF-Token`` header, or it is refused with 403.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlite_utils import Database
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from bot import events
from bot.passwords import verify_password
from bot.runtime import Runtime, secret_key
from bot.store import get_state, now_iso, set_state, transaction

log = logging.getLogger(__name__)

COOKIE = "indgang_staff"
LOGIN_COOKIE = "indgang_login"
SESSION_SECONDS = 12 * 3600
Handler = Callable[[Request], Awaitable[Response]]


class Auth:
    """Sessions and sign-in for one runtime; one instance is shared by all staff routes."""

    def __init__(self, runtime: Runtime, base_delay: float = 0.25, max_delay: float = 5.0) -> None:
        self.runtime = runtime
        self.signer = URLSafeTimedSerializer(runtime.store.run(secret_key, runtime.settings), salt="staff-session")
        self.base_delay = base_delay
        self.max_delay = max_delay

    # -- sessions ---------------------------------------------------------------------

    async def user(self, request: Request) -> dict[str, Any] | None:
        """The signed-in staff member (with ``csrf``), or None; cached on the request."""
        if "staff_user" in request.scope:
            return request.scope["staff_user"]
        user = None
        try:
            sid = self.signer.loads(request.cookies.get(COOKIE, ""), max_age=SESSION_SECONDS)
        except BadSignature:
            sid = None
        if sid:
            user = await self.runtime.store.call(_session_user, sid)
        request.scope["staff_user"] = user
        return user

    async def member(self, request: Request) -> dict[str, Any]:
        """The signed-in member, for handlers behind ``guard`` (which already refused anyone else)."""
        user = await self.user(request)
        assert user is not None, "handler reached without a session"
        return user

    async def start_session(self, response: Response, request: Request, staff_id: int) -> None:
        sid = secrets.token_urlsafe(24)
        session = {"staff_id": staff_id, "csrf": secrets.token_urlsafe(24), "created": now_iso()}
        await self.runtime.store.call(_store_session, sid, session)
        response.set_cookie(COOKIE, self.signer.dumps(sid), max_age=SESSION_SECONDS, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https", path="/")

    async def end_session(self, request: Request, response: Response) -> None:
        try:
            sid = self.signer.loads(request.cookies.get(COOKIE, ""), max_age=SESSION_SECONDS)
            await self.runtime.store.call(_delete_state, f"session:{sid}")
        except BadSignature:
            pass
        response.delete_cookie(COOKIE, path="/")

    # -- the login form's own CSRF token (there is no session yet) ---------------------

    def login_token(self, request: Request, response_cookies: dict[str, str]) -> str:
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
        response_cookies[LOGIN_COOKIE] = nonce
        return self.signer.dumps(nonce, salt="login")

    def login_token_ok(self, request: Request, token: str) -> bool:
        try:
            nonce = self.signer.loads(token, salt="login", max_age=3600)
        except BadSignature:
            return False
        return hmac.compare_digest(str(nonce), request.cookies.get(LOGIN_COOKIE, ""))

    # -- passwords, slowed per account and per address --------------------------------

    async def check_password(self, request: Request, email: str, password: str) -> dict[str, Any] | None:
        """Each failure in a row doubles the wait before the next try, per account and per
        address. The count is kept in the database: a restart, or a second process on the
        same file, must not give a password guesser a fresh start."""
        keys = (f"account:{email.strip().lower()}", f"ip:{request.client.host if request.client else '-'}")
        failures = await self.runtime.store.call(_failures, keys)
        if failures:
            await asyncio.sleep(min(self.max_delay, self.base_delay * 2 ** (failures - 1)))
        member = await self.runtime.store.call(_member_by_email, email)
        ok = await asyncio.to_thread(verify_password, member["password_hash"] if member else None, password)
        if ok and member and member["active"]:
            await self.runtime.store.call(_forget_failures, keys)
            return member
        await self.runtime.store.call(_record_failure, email, keys, failures + 1)
        return None


def _store_session(db: Database, sid: str, session: dict[str, Any]) -> None:
    """A new session; sessions whose cookie has expired are removed on the way, so the
    table does not keep one row per sign-in forever."""
    set_state(db, f"session:{sid}", json.dumps(session))
    cutoff = (datetime.now(timezone.utc) - timedelta(seconds=SESSION_SECONDS)).isoformat(timespec="milliseconds")
    for key, raw in db.execute("SELECT key, value FROM state WHERE key LIKE 'session:%'").fetchall():
        if json.loads(raw).get("created", "") < cutoff:
            _delete_state(db, key)


def _session_user(db: Database, sid: str) -> dict[str, Any] | None:
    raw = get_state(db, f"session:{sid}")
    if not raw:
        return None
    session = json.loads(raw)
    rows = list(db["staff"].rows_where("id = ? AND active = 1", [session["staff_id"]]))
    if not rows:
        return None
    member = {k: v for k, v in rows[0].items() if k != "password_hash"}
    return {**member, "departments": json.loads(member["departments"] or "[]"), "csrf": session["csrf"]}


def _member_by_email(db: Database, email: str) -> dict[str, Any] | None:
    rows = list(db["staff"].rows_where("email = ?", [email.strip().lower()]))
    return rows[0] if rows else None


def _delete_state(db: Database, key: str) -> None:
    db.execute("DELETE FROM state WHERE key = ?", [key])


FAILURES_FORGOTTEN = timedelta(hours=1)  # a failure this old no longer slows the next try
_FAILURES = "login_failures:"


def _failures(db: Database, keys: tuple[str, ...]) -> int:
    """The longest recent run of failures of the account or the address."""
    cutoff = (datetime.now(timezone.utc) - FAILURES_FORGOTTEN).isoformat(timespec="milliseconds")
    counts = [0]
    for key in keys:
        raw = get_state(db, _FAILURES + key)
        if raw:
            run = json.loads(raw)
            counts.append(run["count"] if run["last"] >= cutoff else 0)
    return max(counts)


def _forget_failures(db: Database, keys: tuple[str, ...]) -> None:
    for key in keys:
        _delete_state(db, _FAILURES + key)


def _record_failure(db: Database, email: str, keys: tuple[str, ...], count: int) -> None:
    """Count the failure for the account and the address, and drop the counts nobody has
    added to for an hour: a spray from many addresses must not grow the table for ever."""
    where = keys[-1].removeprefix("ip:")
    log.warning("failed staff login for %r from %s (%d in a row)", email, where, count)
    stamp = now_iso()
    cutoff = (datetime.now(timezone.utc) - FAILURES_FORGOTTEN).isoformat(timespec="milliseconds")
    with transaction(db):
        for key, raw in db.execute("SELECT key, value FROM state WHERE key LIKE ?", [_FAILURES + "%"]).fetchall():
            if json.loads(raw)["last"] < cutoff:
                _delete_state(db, key)
        for key in keys:
            set_state(db, _FAILURES + key, json.dumps({"count": count, "last": stamp}))
        events.record(db, "login_failed", None, actor="anonymous", email=email.strip().lower()[:200],
                      source=keys[-1], failures=count)


async def csrf_ok(request: Request, user: dict[str, Any]) -> bool:
    token: Any = request.headers.get("x-csrf-token")
    if token is None:
        token = (await request.form()).get("csrf")
    return isinstance(token, str) and hmac.compare_digest(token, user["csrf"])


def guard(auth: Auth, role: str = "staff") -> Callable[[Handler], Handler]:
    """Wrap a handler: sign-in required, admin pages refused (403) to staff, CSRF on every POST."""
    def wrap(handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            user = await auth.user(request)
            if user is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                if request.method != "GET":
                    return PlainTextResponse("Log ind først", status_code=403)
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            if role == "admin" and user["role"] != "admin":
                return PlainTextResponse("Kun for administratorer / admins only", status_code=403)
            if request.method not in ("GET", "HEAD") and not await csrf_ok(request, user):
                return PlainTextResponse("Ugyldig eller manglende CSRF-nøgle", status_code=403)
            return await handler(request)
        guarded.__name__ = handler.__name__
        return guarded
    return wrap


def safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot be used to send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/staff"
