"""The `indgang` command: thin shells over library functions, one per subcommand.

Every command takes --config and --db; errors a user can fix print one line and exit 2.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable
from datetime import date

from bot import commands
from bot.config import load_settings
from bot.errors import UserError

EPILOG = """examples:
  indgang chat                                  talk to the bot as a business would
  indgang ask "Skal jeg have byggetilladelse til et skur?"
  indgang kb import ../shared/bench/kb.jsonl    upsert entries (--replace: replace all)
  indgang triage --json < inquiries.jsonl       one decision per line, creates nothing
  indgang staff add "Mette Holm" mette@kommune.dk --dept Byggesag
  indgang cases list
  indgang serve                                 web chat and staff workspace on :8080
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="indgang", description="One entry for business: email and chat "
                                     "inquiries answered or turned into cases.", epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="TOML configuration file (default: indgang.toml if present)")
    parser.add_argument("--db", help="SQLite database file (default: INDGANG_DB or indgang.db)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in (_chat, _ask, _triage, _kb, _rules, _staff, _cases, _ingest, _serve, _privacy, _bench):
        register(sub)
    return parser


def _cmd(sub: argparse._SubParsersAction, name: str, help: str, example: str,
         fn: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help, description=help, epilog=f"example:\n  {example}",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(fn=fn)
    return parser


def _chat(sub: argparse._SubParsersAction) -> None:
    _cmd(sub, "chat", "chat with the bot in the terminal, as a business would", "indgang chat", commands.chat)


def _ask(sub: argparse._SubParsersAction) -> None:
    p = _cmd(sub, "ask", "show the triage decision for one inquiry, with score and reasons",
             'indgang ask "Hvordan søger jeg om udeservering?"', commands.ask)
    p.add_argument("text", help="the inquiry")
    p.add_argument("--subject", default="")


def _triage(sub: argparse._SubParsersAction) -> None:
    p = _cmd(sub, "triage", "decide on JSON Lines from stdin (read-only: creates no cases)",
             "indgang triage --json < inquiries.jsonl", commands.triage)
    p.add_argument("--json", action="store_true", required=True, help="JSON Lines in and out")


def _kb(sub: argparse._SubParsersAction) -> None:
    p = _cmd(sub, "kb", "curate knowledge entries", "indgang kb list", lambda a: _usage(p))
    kb = p.add_subparsers(dest="kb_command", metavar="ACTION")
    imp = _cmd(kb, "import", "import entries from JSON Lines (upsert by id)",
               "indgang kb import entries.jsonl --replace", commands.kb_import)
    imp.add_argument("file")
    imp.add_argument("--replace", action="store_true", help="remove entries not in the file")
    _cmd(kb, "export", "write all entries as JSON Lines to stdout", "indgang kb export > kb.jsonl",
         commands.kb_export)
    _cmd(kb, "list", "list entries", "indgang kb list", commands.kb_list)
    show = _cmd(kb, "show", "show one entry and its history", "indgang kb show udeservering", commands.kb_show)
    show.add_argument("id")


def _rules(sub: argparse._SubParsersAction) -> None:
    p = _cmd(sub, "rules", "escalation rules (pattern -> department, complexity)", "indgang rules list",
             lambda a: _usage(p))
    rules = p.add_subparsers(dest="rules_command", metavar="ACTION")
    _cmd(rules, "list", "list rules", "indgang rules list", commands.rules_list)
    _cmd(rules, "export", "write rules as JSON Lines", "indgang rules export > rules.jsonl", commands.rules_export)
    imp = _cmd(rules, "import", "replace all rules from a JSON Lines file", "indgang rules import rules.jsonl",
               commands.rules_import)
    imp.add_argument("file")


def _staff(sub: argparse._SubParsersAction) -> None:
    p = _cmd(sub, "staff", "the staff directory", "indgang staff list", lambda a: _usage(p))
    staff = p.add_subparsers(dest="staff_command", metavar="ACTION")
    add = _cmd(staff, "add", "add a staff member or admin (asks for a password without echo)",
               'indgang staff add "Mette Holm" mette@kommune.dk --dept Byggesag --role admin', commands.staff_add)
    add.add_argument("name")
    add.add_argument("email")
    add.add_argument("--dept", action="append", default=[], help="department (repeatable)")
    add.add_argument("--role", default="staff", choices=("staff", "admin"))
    add.add_argument("--deputy", help="email of the deputy")
    add.add_argument("--lang", default="da", choices=("da", "en"))
    add.add_argument("--no-password", action="store_true", help="do not set a password now")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    _cmd(staff, "list", "list staff with departments, load and absence", "indgang staff list", commands.staff_list)
    absent = _cmd(staff, "absent", "mark a staff member away (inclusive dates); --clear ends it",
                  "indgang staff absent mette@kommune.dk --from 2026-12-21 --to 2027-01-03", commands.staff_absent)
    absent.add_argument("email")
    absent.add_argument("--from", dest="start", type=date.fromisoformat)
    absent.add_argument("--to", dest="end", type=date.fromisoformat)
    absent.add_argument("--clear", action="store_true")
    deputy = _cmd(staff, "deputy", "set who stands in for a staff member",
                  "indgang staff deputy mette@kommune.dk --deputy lars@kommune.dk", commands.staff_deputy)
    deputy.add_argument("email")
    deputy.add_argument("--deputy")
    pw = _cmd(staff, "password", "set a staff member's password (no echo)", "indgang staff password mette@kommune.dk",
              commands.staff_password)
    pw.add_argument("email")
    pw.add_argument("--password-stdin", action="store_true")


def _cases(sub: argparse._SubParsersAction) -> None:
    p = _cmd(sub, "cases", "list and show cases", "indgang cases list", lambda a: _usage(p))
    cases = p.add_subparsers(dest="cases_command", metavar="ACTION")
    ls = _cmd(cases, "list", "open cases with contact person and deadline", "indgang cases list --all",
              commands.cases_list)
    ls.add_argument("--all", action="store_true", help="closed cases too")
    ls.add_argument("--json", action="store_true")
    show = _cmd(cases, "show", "one case with its conversation and events", "indgang cases show 2026-0001",
                commands.cases_show)
    show.add_argument("number")
    _cmd(cases, "weekly", "the weekly status board: open cases by phase", "indgang cases weekly", commands.cases_weekly)
    stats = _cmd(cases, "stats", "service goals: answers, cases, deadlines, satisfaction",
                 "indgang cases stats --since 2026-01-01", commands.cases_stats)
    stats.add_argument("--since", default="", help="ISO date; default: everything")


def _ingest(sub: argparse._SubParsersAction) -> None:
    p = _cmd(sub, "ingest", "run raw messages through the pipeline, one JSON line per file",
             "indgang ingest --channel email mail/*.eml", commands.ingest)
    p.add_argument("--channel", required=True, choices=("email",))
    p.add_argument("files", nargs="+")


def _serve(sub: argparse._SubParsersAction) -> None:
    _cmd(sub, "serve", "run every configured channel, the web chat and the staff workspace",
         "indgang serve --config indgang.toml", commands.serve)


def _privacy(sub: argparse._SubParsersAction) -> None:
    p = _cmd(sub, "retention", "erase closed threads older than the retention period",
             "indgang retention --days 730", commands.retention)
    p.add_argument("--days", type=int, help="override [service] retention_days")
    p.add_argument("--dry-run", action="store_true")
    e = _cmd(sub, "erase", "erase everything stored about one business address",
             "indgang erase --address anna@firma.dk", commands.erase)
    e.add_argument("--address", required=True)


def _bench(sub: argparse._SubParsersAction) -> None:
    p = _cmd(sub, "bench", "benchmarks that print figures", "indgang bench triage", lambda a: _usage(p))
    bench = p.add_subparsers(dest="bench_command", metavar="WHICH")
    for name, module, help in commands.BENCHES:
        b = _cmd(bench, name, help, f"indgang bench {name}", commands.bench_runner(module))
        commands.bench_arguments(module, b)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not getattr(args, "fn", None):
        parser.print_help()
        return 2
    try:
        args.settings = load_settings(args.config, db_path=args.db)
        return args.fn(args) or 0
    except UserError as exc:
        print(f"indgang: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into head or less that closed early
        sys.stderr.close()
        return 0


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise UserError("the passwords do not match")
    return first


if __name__ == "__main__":
    sys.exit(main())
