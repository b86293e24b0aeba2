"""What each CLI subcommand does: open the runtime, call the library, print the result."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from bot import events, privacy, threads
from bot.channels.terminal import TerminalChannel
from bot.errors import UserError
from bot.passwords import hash_password
from bot.runtime import Runtime, seed_if_new
from bot.store import Store
from escalation import cases, staff
from escalation.deadlines import working_days_between
from knowledge import entries as kb
from knowledge import rules as rulebook

BENCHES = (
    ("triage", "bot.bench.triage", "triage quality and latency against three baselines"),
    ("scale", "bot.bench.scale", "triage speed and memory on generated knowledge bases"),
    ("pipeline", "bot.bench.pipeline", "inquiries per second through the whole pipeline"),
    ("email", "bot.bench.email", "latency from IMAP APPEND to the reply at the SMTP server"),
    ("telegram", "bot.bench.telegram", "Telegram messages handled per second end to end"),
    ("web", "bot.bench.web", "web chat answer time in Chromium against indgang serve"),
    ("workspace", "bot.bench.workspace", "case to staff inbox, and staff reply to chat, in Chromium"),
)


def _runtime(args: argparse.Namespace) -> Runtime:
    return Runtime.open(args.settings)


def _store(args: argparse.Namespace, with_knowledge: bool = True) -> Store:
    """For commands that do not need the knowledge index in memory; a new database is seeded."""
    store = Store(args.settings.db_path)
    store.run(seed_if_new, args.settings, with_knowledge)
    return store


def chat(args: argparse.Namespace) -> int:
    runtime = _runtime(args)
    terminal = TerminalChannel()
    runtime.add_channel(terminal)
    print("Indgang: skriv dit spørgsmål som virksomhed (Ctrl-D afslutter).", flush=True)

    async def run() -> None:
        worker = asyncio.create_task(runtime.worker.run())
        try:
            await terminal.run(runtime.pipeline.receive)
        finally:
            worker.cancel()
    try:
        asyncio.run(run())
    finally:
        runtime.close()
    return 0


def ask(args: argparse.Namespace) -> int:
    runtime = _runtime(args)
    decision = runtime.knowledge.decide(args.text, args.settings, subject=args.subject)
    print(json.dumps(decision.to_json(), ensure_ascii=False))
    for reason in decision.reasons:
        print(f"  - {reason}")
    for entry_id, score in decision.candidates[:5]:
        print(f"  candidate {entry_id}: {score:.3f}")
    runtime.close()
    return 0


def triage(args: argparse.Namespace) -> int:
    """Read-only: decisions only, so a benchmark never leaves cases behind."""
    runtime = _runtime(args)
    try:
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = item["text"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise UserError(f"stdin line {number}: expected a JSON object with a 'text' field") from None
            decision = runtime.knowledge.decide(text, args.settings, subject=item.get("subject", ""))
            print(json.dumps(decision.to_json(), ensure_ascii=False), flush=False)
        sys.stdout.flush()
    finally:
        runtime.close()
    return 0


def kb_import(args: argparse.Namespace) -> int:
    entries = kb.read_file(args.file)
    store = _store(args, with_knowledge=False)  # a first import replaces the shipped entries
    count = store.run(kb.import_entries, entries, "cli", args.replace)
    store.close()
    print(f"imported {count} entries from {args.file}")
    return 0


def kb_export(args: argparse.Namespace) -> int:
    store = _store(args)
    sys.stdout.write(kb.export_jsonl(store.run(kb.all_entries)))
    store.close()
    return 0


def kb_list(args: argparse.Namespace) -> int:
    store = _store(args)
    for entry in store.run(kb.all_entries):
        state = "" if entry.active else "  (retired)"
        print(f"{entry.id:40} {entry.department:28} {entry.title}{state}")
    store.close()
    return 0


def kb_show(args: argparse.Namespace) -> int:
    store = _store(args)
    entry = store.run(kb.get, args.id)
    if entry is None:
        raise UserError(f"no knowledge entry with id {args.id!r}")
    print(json.dumps(kb.entry_to_dict(entry), ensure_ascii=False, indent=2))
    for change in store.run(kb.history, args.id):
        print(f"{change['changed_at']} {change['changed_by']}: {change['action']} {', '.join(change['changes'])}")
    store.close()
    return 0


def rules_list(args: argparse.Namespace) -> int:
    store = _store(args)
    for rule in store.run(rulebook.all_rules):
        print(f"{rule.id:4} {rule.department:28} {rule.complexity:8} {rule.pattern}{'' if rule.active else ' (off)'}")
    store.close()
    return 0


def rules_export(args: argparse.Namespace) -> int:
    store = _store(args)
    sys.stdout.write(rulebook.export_jsonl(store.run(rulebook.all_rules)))
    store.close()
    return 0


def rules_import(args: argparse.Namespace) -> int:
    rows = rulebook.read_file(args.file)
    store = _store(args)
    print(f"replaced rules: {store.run(rulebook.replace_all, rows)}")
    store.close()
    return 0


def staff_add(args: argparse.Namespace) -> int:
    from bot.cli import read_password
    password = None if args.no_password else read_password(args.password_stdin)
    password_hash = hash_password(password) if password is not None else None
    store = _store(args)
    member = store.run(staff.add, args.name, args.email, args.dept, args.role, args.deputy, args.lang)
    if password_hash:
        store.run(staff.set_password_hash, member["id"], password_hash)
    store.close()
    print(f"added {member['role']} {member['name']} <{member['email']}> (id {member['id']})")
    return 0


def staff_list(args: argparse.Namespace) -> int:
    from escalation.assign import open_load
    store = _store(args)
    load = store.run(open_load)
    for m in store.run(staff.all_staff):
        away = f"  away {m['absent_from'] or '…'} to {m['absent_to'] or '…'}" if staff.is_absent(m, date.today()) \
            or m["absent_from"] else ""
        print(f"{m['id']:3} {m['name']:24} {m['email']:30} {m['role']:6} open:{load.get(m['id'], 0):3} "
              f"{', '.join(m['departments'])}{away}")
    store.close()
    return 0


def staff_absent(args: argparse.Namespace) -> int:
    if not args.clear and not (args.start or args.end):
        raise UserError("give --from and/or --to, or --clear")
    store = _store(args)
    member = store.run(staff.set_absence, args.email, None if args.clear else args.start,
                       None if args.clear else args.end)
    store.close()
    print(f"{member['name']}: away {member['absent_from'] or '-'} to {member['absent_to'] or '-'}")
    return 0


def staff_deputy(args: argparse.Namespace) -> int:
    store = _store(args)
    member = store.run(staff.set_deputy, args.email, args.deputy)
    store.close()
    print(f"{member['name']}: deputy id {member['deputy_id']}")
    return 0


def staff_password(args: argparse.Namespace) -> int:
    from bot.cli import read_password
    password_hash = hash_password(read_password(args.password_stdin))
    store = _store(args)
    member = store.run(staff.by_email, args.email)
    store.run(staff.set_password_hash, member["id"], password_hash)
    store.close()
    print(f"password set for {member['email']}")
    return 0


def _case_line(case: dict[str, Any]) -> str:
    left = working_days_between(date.today(), date.fromisoformat(case["deadline"]))
    return (f"{case['number']}  {case['status']:6} {case['phase']:15} {case['complexity']:7} "
            f"{case['department']:22} {case['assignee_name'] or '(unassigned)':20} "
            f"deadline {case['deadline']} ({left:+d} wd)  {case['channel']}:{case['address']}")


def cases_list(args: argparse.Namespace) -> int:
    store = _store(args)
    rows = store.run(cases.list_cases, None if args.all else "open")
    store.close()
    for case in rows:
        print(json.dumps(case, ensure_ascii=False, default=str) if args.json else _case_line(case))
    if not rows and not args.json:
        print("no cases")
    return 0


def cases_show(args: argparse.Namespace) -> int:
    store = _store(args)
    case = store.run(cases.by_number, args.number)
    print(_case_line(case))
    for message in store.run(threads.messages_of, case["thread_id"]):
        print(f"\n[{message['created_at']}] {message['direction']} {message['author']} ({message['status']})")
        print(message["text"])
    print()
    for event in store.run(events.of_thread, case["thread_id"]):
        print(f"{event['at']} {event['actor']:12} {event['kind']:14} {json.dumps(event['detail'], ensure_ascii=False)}")
    store.close()
    return 0


def cases_weekly(args: argparse.Namespace) -> int:
    from escalation.service_goals import weekly_board
    store = _store(args)
    board = store.run(weekly_board)
    store.close()
    print(f"open {board['open']}, new this week {board['new']}, overdue {board['overdue']}, "
          f"unassigned {board['unassigned']}")
    for phase, title in (("attraction", "Tiltrækning"), ("clarification", "Afklaring"),
                         ("case_processing", "Sagsbehandling")):
        print(f"\n{title} ({len(board['phases'][phase])})")
        for case in board["phases"][phase]:
            marks = "".join((" NY" if case["new_this_week"] else "", " OVERSKREDET" if case["overdue"] else ""))
            print(f"  {_case_line(case)}{marks}")
    return 0


def cases_stats(args: argparse.Namespace) -> int:
    from escalation import notices, service_goals
    store = _store(args)
    # a reminder first recorded here is queued here too (the server's outbox worker sends it),
    # or it would never be mailed at all
    mailing = notices.mailing_for(args.settings) if args.settings.email.enabled else None
    store.run(service_goals.check_deadlines, None, mailing)
    print(json.dumps(store.run(service_goals.statistics, args.since), ensure_ascii=False, indent=2))
    store.close()
    return 0


def ingest(args: argparse.Namespace) -> int:
    from bot.channels.email.ingest import ingest_files
    runtime = _runtime(args)
    try:
        for line in ingest_files(runtime, args.files):
            print(json.dumps(line, ensure_ascii=False), flush=True)
    finally:
        runtime.close()
    return 0


def serve(args: argparse.Namespace) -> int:
    from bot.serve import serve_forever
    return serve_forever(args.settings)


def retention(args: argparse.Namespace) -> int:
    store = _store(args)
    days = args.days or args.settings.service.retention_days
    count = store.run(privacy.apply_retention, days, args.dry_run)
    store.close()
    print(f"{'would erase' if args.dry_run else 'erased'} {count} threads older than {days} days")
    return 0


def erase(args: argparse.Namespace) -> int:
    store = _store(args)
    count = store.run(privacy.erase_address, args.address)
    store.close()
    print(f"erased {count} threads for {args.address}")
    return 0


def bench_arguments(module: str, parser: argparse.ArgumentParser) -> None:
    try:
        importlib.import_module(module).add_arguments(parser)
    except ImportError:
        pass


def bench_runner(module: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            bench = importlib.import_module(module)
        except ImportError as exc:
            raise UserError(f"this benchmark needs extra packages: pip install -e '.[bench,test]' ({exc})") from None
        return bench.run(args)
    return run


