"""The case inbox and the thread page: thin handlers over ``bot.workspace`` and the queries."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from bot import workspace
from bot.errors import UserError
from bot.runtime import Runtime
from bot.web.auth import Auth, guard
from bot.web.live import frames
from bot.web.staff import queries
from bot.web.staff.render import render
from escalation import cases as case_store

SAFE_INLINE = re.compile(r"^[\w.+-]+/[\w.+-]+$")


def live_frames(runtime: Runtime, topic: str, keepalive: float = 15.0) -> AsyncIterator[str]:
    """Hub events for a staff page; the stream ends when the server stops."""
    return frames(runtime.hub, topic, runtime.stopping, ": connected\n\n", keepalive)


class CaseRoutes:
    def __init__(self, runtime: Runtime, auth: Auth) -> None:
        self.runtime = runtime
        self.auth = auth

    def routes(self) -> list[Route]:
        g = guard(self.auth)
        actions = ("take", "reply", "note", "reassign", "phase", "complexity", "close", "reopen", "five-day")
        return [
            Route("/staff", g(self.inbox)),
            Route("/staff/inbox/table", g(self.inbox_table)),
            Route("/staff/weekly", g(self.weekly)),
            Route("/staff/events", g(self.inbox_events)),
            Route("/staff/threads/{id:int}", g(self.thread)),
            Route("/staff/threads/{id:int}/fragment", g(self.thread_fragment)),
            Route("/staff/threads/{id:int}/events", g(self.thread_events)),
            Route("/staff/attachments/{id:int}", g(self.attachment)),
            *[Route(f"/staff/threads/{{id:int}}/{name}", g(self.action(name)), methods=["POST"]) for name in actions],
        ]

    async def _rows(self, request: Request) -> tuple[queries.InboxQuery, list[dict[str, Any]]]:
        query = queries.InboxQuery.from_params(request.query_params)
        user = await self.auth.member(request)
        return query, await self.runtime.store.call(queries.inbox, user, query)

    async def inbox(self, request: Request) -> Response:
        query, rows = await self._rows(request)
        return render(request, "inbox.html", await self.auth.user(request), query=query, rows=rows)

    async def weekly(self, request: Request) -> Response:
        """The weekly status meeting: all open cases by phase (Tiltrækning, Afklaring, Sagsbehandling)."""
        from escalation.service_goals import statistics, weekly_board
        board = await self.runtime.store.call(weekly_board)
        stats = await self.runtime.store.call(statistics)
        return render(request, "weekly.html", await self.auth.user(request), board=board, stats=stats)

    async def inbox_table(self, request: Request) -> Response:
        query, rows = await self._rows(request)
        return render(request, "inbox_table.html", await self.auth.user(request), query=query, rows=rows)

    async def inbox_events(self, request: Request) -> Response:
        return self._stream("inbox")

    async def thread_events(self, request: Request) -> Response:
        return self._stream(f"thread:{request.path_params['id']}")

    def _stream(self, topic: str) -> StreamingResponse:
        return StreamingResponse(live_frames(self.runtime, topic), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def _thread_page(self, request: Request, template: str, error: str = "", status: int = 200,
                           **extra: Any) -> Response:
        view = await self.runtime.store.call(queries.thread_view, request.path_params["id"])
        if view is None:
            return HTMLResponse("Ikke fundet", status_code=404)
        choices = await self.runtime.store.call(queries.staff_choices)
        return render(request, template, await self.auth.user(request), status_code=status, view=view,
                      staff_choices=choices, error=error, **extra)

    async def thread(self, request: Request) -> Response:
        return await self._thread_page(request, "thread.html")

    async def thread_fragment(self, request: Request) -> Response:
        return await self._thread_page(request, "thread_messages.html")

    async def attachment(self, request: Request) -> Response:
        row = await self.runtime.store.call(queries.attachment, request.path_params["id"])
        if row is None or row["data"] is None:
            return HTMLResponse("Ikke fundet", status_code=404)
        kind = row["content_type"] if SAFE_INLINE.match(row["content_type"] or "") else "application/octet-stream"
        if kind.startswith(("text/html", "image/svg", "application/xhtml", "text/xml", "application/xml")):
            kind = "application/octet-stream"
        name = re.sub(r'[^\w.\- ]', "_", row["filename"])[:120] or "fil"
        return Response(row["data"], media_type=kind, headers={
            "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox", "Cache-Control": "no-store"})

    def action(self, name: str) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            thread_id = request.path_params["id"]
            form = await request.form()
            user = await self.auth.member(request)
            try:
                await self.runtime.store.call(self._apply, name, thread_id, user, dict(form))
            except UserError as exc:
                return await self._thread_page(request, "thread.html", error=str(exc), status=400,
                                               open_five_day=name == "five-day")
            self.runtime.worker.poke()
            event = {"type": "staff", "action": name, "thread_id": thread_id}
            self.runtime.hub.publish("inbox", event)
            self.runtime.hub.publish(f"thread:{thread_id}", event)
            return RedirectResponse(f"/staff/threads/{thread_id}", status_code=303)
        handle.__name__ = f"thread_{name.replace('-', '_')}"
        return handle

    def _apply(self, db: Any, name: str, thread_id: int, user: dict[str, Any], form: dict[str, Any]) -> None:
        """Runs on the database thread: one workspace call per form."""
        settings = self.runtime.settings
        domain = settings.email.address.rpartition("@")[2] or "indgang.local"
        if name == "take":
            return workspace.take_over(db, thread_id, user)
        if name == "reply":
            workspace.reply(db, thread_id, user, form.get("text", ""), domain)
            return None
        if name == "note":
            workspace.note(db, thread_id, user, form.get("text", ""))
            return None
        if name == "five-day":
            workspace.five_day_answer(db, thread_id, user, form.get("contact_person", ""), form.get("permits", ""),
                                      form.get("process", ""), form.get("costs", ""),
                                      settings.service.municipality, domain)
            return None
        case = case_store.of_thread(db, thread_id)
        if case is None:
            raise UserError("samtalen har ingen sag")
        return self._case_action(db, name, case["id"], user, form, domain)

    def _case_action(self, db: Any, name: str, case_id: int, user: dict[str, Any], form: dict[str, Any],
                     domain: str) -> None:
        if name == "reassign":
            staff_id = int(form["staff_id"]) if form.get("staff_id", "").isdigit() else None
            return workspace.reassign(db, case_id, user, staff_id, form.get("department") or None)
        if name == "phase":
            return workspace.set_phase(db, case_id, user, form.get("phase", ""))
        if name == "complexity":
            return workspace.set_complexity(db, case_id, user, form.get("complexity", ""))
        if name == "close":
            return workspace.close_case(db, case_id, user, form.get("outcome", ""), form.get("message", ""),
                                        bool(form.get("dialogue_offered")), domain)
        if name == "reopen":
            return workspace.reopen(db, case_id, user)
        raise UserError(f"unknown action {name}")
