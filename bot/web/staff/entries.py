"""Knowledge curation for admins: entries, their history and figures, "try a question",
and the unanswered simple inquiries that should become entries.

Every save is followed by ``knowledge.entry_changed`` on the database thread, so the
next inquiry is triaged against the edited entry without a restart.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot import curation, workspace
from bot.errors import UserError
from bot.runtime import Runtime
from bot.types import Entry
from bot.web.auth import Auth, guard
from bot.web.staff.render import render
from knowledge import entries as kb


def entry_data(form: FormData | dict[str, Any], entry_id: str) -> dict[str, Any]:
    """The editor's fields as the import format, so one validator serves file and form."""
    def lines(name: str) -> list[str]:
        return [line.strip() for line in str(form.get(name, "")).splitlines() if line.strip()]

    def commas(name: str) -> list[str]:
        return [part.strip() for part in str(form.get(name, "")).split(",") if part.strip()]
    return {"id": entry_id, "title": str(form.get("title", "")), "questions": lines("questions"),
            "answer": str(form.get("answer", "")), "answer_en": str(form.get("answer_en", "")),
            "department": str(form.get("department", "")), "tags": commas("tags"), "links": lines("links"),
            "keywords": commas("keywords"), "active": bool(form.get("active"))}


def save_entry(db: Database, runtime: Runtime, data: dict[str, Any], by: str, new: bool) -> Entry:
    """Validate, save with history, and update the live index (we are on the database thread)."""
    if new and kb.get(db, data["id"]) is not None:
        raise UserError(f"der findes allerede et emne med id {data['id']!r}")
    entry = kb.save(db, kb.entry_from_dict(data, where="emnet"), by)
    runtime.knowledge.entry_changed(entry)
    return entry


def _form_of(entry: Entry | dict[str, Any]) -> dict[str, Any]:
    data = kb.entry_to_dict(entry) if isinstance(entry, Entry) else dict(entry)
    return {**data, "questions": "\n".join(data.get("questions", [])), "links": "\n".join(data.get("links", [])),
            "tags": ", ".join(data.get("tags", [])), "keywords": ", ".join(data.get("keywords", []))}


class EntryRoutes:
    def __init__(self, runtime: Runtime, auth: Auth) -> None:
        self.runtime = runtime
        self.auth = auth

    def routes(self) -> list[Route]:
        g = guard(self.auth, "admin")
        return [
            Route("/admin/entries", g(self.list), methods=["GET"]),
            Route("/admin/entries", g(self.create), methods=["POST"]),
            Route("/admin/entries/new", g(self.new)),
            Route("/admin/entries/{id}", g(self.edit), methods=["GET"]),
            Route("/admin/entries/{id}", g(self.update), methods=["POST"]),
            Route("/admin/entries/{id}/retire", g(self.retire), methods=["POST"]),
            Route("/admin/try", g(self.try_question)),
            Route("/admin/unanswered", g(self.unanswered)),
            Route("/admin/unanswered/phrasing", g(self.add_phrasing), methods=["POST"]),
        ]

    async def list(self, request: Request) -> Response:
        q = request.query_params.get("q", "").strip().lower()
        entries = await self.runtime.store.call(kb.all_entries)
        if q:
            entries = [e for e in entries if q in f"{e.id} {e.title} {' '.join(e.questions)} {' '.join(e.tags)}".lower()]
        stats = await self.runtime.store.call(curation.entry_stats)
        return render(request, "entries.html", await self.auth.user(request), entries=entries, stats=stats, q=q)

    async def _editor(self, request: Request, form: dict[str, Any], new: bool, error: str = "",
                      status: int = 200, notice: str = "") -> Response:
        entry_id = form.get("id", "")
        history = [] if new else await self.runtime.store.call(kb.history, entry_id)
        stats = {} if new else (await self.runtime.store.call(curation.entry_stats)).get(entry_id, {})
        return render(request, "entry_edit.html", await self.auth.user(request), form=form, new=new,
                      history=history, stats=stats, error=error, notice=notice, status_code=status)

    async def new(self, request: Request) -> Response:
        params = request.query_params
        if params.get("from_thread", "").isdigit():
            draft = await self.runtime.store.call(curation.draft_from_thread, int(params["from_thread"]))
        else:
            draft = curation.draft_from_texts(params.getlist("text"), params.get("department"))
        return await self._editor(request, _form_of(draft), new=True)

    async def edit(self, request: Request) -> Response:
        entry = await self.runtime.store.call(kb.get, request.path_params["id"])
        if entry is None:
            return HTMLResponse("Ikke fundet", status_code=404)
        notice = "Gemt." if request.query_params.get("saved") else ""
        return await self._editor(request, _form_of(entry), new=False, notice=notice)

    async def create(self, request: Request) -> Response:
        form = await request.form()
        entry_id = str(form.get("id", "")).strip() or curation.slug(str(form.get("title", "")))
        return await self._save(request, entry_data(form, entry_id), new=True)

    async def update(self, request: Request) -> Response:
        return await self._save(request, entry_data(await request.form(), request.path_params["id"]), new=False)

    async def _save(self, request: Request, data: dict[str, Any], new: bool) -> Response:
        user = await self.auth.member(request)
        try:
            entry = await self.runtime.store.call(save_entry, self.runtime, data, workspace.actor_of(user), new)
        except UserError as exc:
            form = {**_form_of(data), "active": data["active"]}
            return await self._editor(request, form, new=new, error=str(exc), status=400)
        return RedirectResponse(f"/admin/entries/{entry.id}?saved=1", status_code=303)

    async def retire(self, request: Request) -> Response:
        user = await self.auth.member(request)

        def run(db: Database) -> None:
            self.runtime.knowledge.entry_changed(kb.retire(db, request.path_params["id"], workspace.actor_of(user)))
        try:
            await self.runtime.store.call(run)
        except UserError as exc:
            return HTMLResponse(str(exc), status_code=404)
        return RedirectResponse(f"/admin/entries/{request.path_params['id']}?saved=1", status_code=303)

    async def try_question(self, request: Request) -> Response:
        question = request.query_params.get("q", "").strip()
        decision = None
        if question:
            decision = await self.runtime.store.call(
                lambda db: self.runtime.knowledge.decide(question, self.runtime.settings))
        return render(request, "try.html", await self.auth.user(request), question=question, decision=decision)

    async def unanswered(self, request: Request) -> Response:
        groups = await self.runtime.store.call(lambda db: curation.group_similar(curation.unanswered(db)))
        entries = await self.runtime.store.call(kb.all_entries, True)
        return render(request, "unanswered.html", await self.auth.user(request), groups=groups, entries=entries,
                      notice="Gemt." if request.query_params.get("saved") else "")

    async def add_phrasing(self, request: Request) -> Response:
        form = await request.form()
        user = await self.auth.member(request)
        texts = [str(t) for t in form.getlist("text")]

        def run(db: Database) -> None:
            if not texts:
                raise UserError("ingen formulering valgt")
            for text in texts:
                entry = curation.add_phrasing(db, str(form.get("entry_id", "")), text, workspace.actor_of(user))
            self.runtime.knowledge.entry_changed(entry)
        try:
            await self.runtime.store.call(run)
        except UserError as exc:
            return HTMLResponse(str(exc), status_code=400)
        return RedirectResponse("/admin/unanswered?saved=1", status_code=303)
