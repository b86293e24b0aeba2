"""Admin pages for the escalation rules and the staff directory.

A rule change reloads the rules triage reads, on the database thread, so the next
inquiry follows it; rules can also be moved as files with ``indgang rules import/export``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot import events, workspace
from bot.errors import UserError
from bot.passwords import hash_password
from bot.runtime import Runtime
from bot.store import transaction
from bot.web.auth import Auth, guard
from bot.web.staff.account import create_password_link
from bot.web.staff.render import render
from escalation import staff
from escalation.assign import open_load
from knowledge import rules as rulebook


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        raise UserError(f"ikke en dato: {value!r} (brug åååå-mm-dd)") from None


class DirectoryRoutes:
    def __init__(self, runtime: Runtime, auth: Auth) -> None:
        self.runtime = runtime
        self.auth = auth

    def routes(self) -> list[Route]:
        g = guard(self.auth, "admin")
        return [
            Route("/admin/rules", g(self.rules), methods=["GET"]),
            Route("/admin/rules", g(self.rule_save), methods=["POST"]),
            Route("/admin/rules/{id:int}", g(self.rule_save), methods=["POST"]),
            Route("/admin/rules/{id:int}/delete", g(self.rule_delete), methods=["POST"]),
            Route("/admin/staff", g(self.staff), methods=["GET"]),
            Route("/admin/staff", g(self.staff_add), methods=["POST"]),
            Route("/admin/staff/{id:int}", g(self.staff_update), methods=["POST"]),
        ]

    # -- rules --------------------------------------------------------------------------

    async def rules(self, request: Request, error: str = "", status: int = 200) -> Response:
        rows = await self.runtime.store.call(rulebook.all_rules)
        return render(request, "rules.html", await self.auth.user(request), rules=rows, error=error,
                      status_code=status, notice="Gemt." if request.query_params.get("saved") else "")

    async def _rules_change(self, request: Request, change: Any) -> Response:
        actor = workspace.actor_of(await self.auth.member(request))

        def run(db: Database) -> None:
            with transaction(db):
                detail = change(db)
                events.record(db, "rule_changed", None, actor=actor, **detail)
            self.runtime.knowledge.rules = rulebook.active_rules(db)
        try:
            await self.runtime.store.call(run)
        except UserError as exc:
            return await self.rules(request, error=str(exc), status=400)
        return RedirectResponse("/admin/rules?saved=1", status_code=303)

    async def rule_save(self, request: Request) -> Response:
        form = await request.form()
        rule_id = request.path_params.get("id")

        def change(db: Database) -> dict[str, Any]:
            rule = rulebook.save(db, str(form.get("pattern", "")), str(form.get("department", "")),
                                 str(form.get("complexity", "")), str(form.get("note", "")),
                                 bool(form.get("active")), rule_id)
            return {"rule": rule.id, "pattern": rule.pattern, "department": rule.department,
                    "complexity": rule.complexity, "active": rule.active}
        return await self._rules_change(request, change)

    async def rule_delete(self, request: Request) -> Response:
        rule_id = request.path_params["id"]

        def change(db: Database) -> dict[str, Any]:
            rulebook.delete(db, rule_id)
            return {"rule": rule_id, "deleted": True}
        return await self._rules_change(request, change)

    # -- staff --------------------------------------------------------------------------

    async def staff(self, request: Request, error: str = "", status: int = 200, link: str = "") -> Response:
        members = await self.runtime.store.call(staff.all_staff)
        load = await self.runtime.store.call(open_load)
        return render(request, "staff_admin.html", await self.auth.user(request), members=members, load=load,
                      error=error, status_code=status, link=link, today=date.today(), is_absent=staff.is_absent,
                      notice="Gemt." if request.query_params.get("saved") else "")

    async def staff_add(self, request: Request) -> Response:
        form = await request.form()
        actor = workspace.actor_of(await self.auth.member(request))
        password = str(form.get("password", ""))
        try:
            password_hash = hash_password(password) if password else None

            def run(db: Database) -> str:
                with transaction(db):
                    member = staff.add(db, str(form.get("name", "")), str(form.get("email", "")),
                                       [str(d) for d in form.getlist("departments")], str(form.get("role", "staff")),
                                       None, "en" if form.get("lang") == "en" else "da")
                    events.record(db, "staff_added", None, actor=actor, staff_id=member["id"], email=member["email"])
                    if password_hash:
                        staff.set_password_hash(db, member["id"], password_hash)
                        return ""
                    return create_password_link(db, member["id"])
            token = await self.runtime.store.call(run)
        except UserError as exc:
            return await self.staff(request, error=str(exc), status=400)
        link = f"{str(request.base_url).rstrip('/')}/staff/password/{token}" if token else ""
        return await self.staff(request, link=link) if link else RedirectResponse("/admin/staff?saved=1", 303)

    async def staff_update(self, request: Request) -> Response:
        form = await request.form()
        actor = workspace.actor_of(await self.auth.member(request))
        staff_id = request.path_params["id"]
        try:
            start, end = _day(form.get("absent_from")), _day(form.get("absent_to"))
            deputy = str(form.get("deputy_id", ""))

            def run(db: Database) -> None:
                with transaction(db):
                    member = staff.get(db, staff_id)
                    staff.set_absence(db, member["email"], start, end)
                    deputy_email = staff.get(db, int(deputy))["email"] if deputy.isdigit() else None
                    staff.set_deputy(db, member["email"], deputy_email)
                    events.record(db, "staff_changed", None, actor=actor, staff_id=staff_id,
                                  absent_from=start and start.isoformat(), absent_to=end and end.isoformat(),
                                  deputy=deputy_email)
            await self.runtime.store.call(run)
        except UserError as exc:
            return await self.staff(request, error=str(exc), status=400)
        return RedirectResponse("/admin/staff?saved=1", status_code=303)
