"""Assignment of the contact person and the answer deadline in working days."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.runtime import Runtime
from escalation import cases, staff
from escalation.assign import choose_assignee
from escalation.deadlines import add_working_days, answer_deadline, is_working_day, working_days_between


@pytest.mark.parametrize("received, expected", [
    (date(2026, 11, 23), date(2026, 11, 30)),   # Monday -> next Monday
    (date(2026, 11, 27), date(2026, 12, 4)),    # Friday -> next Friday across a weekend
    (date(2026, 3, 31), date(2026, 4, 10)),     # Easter 2026: Maundy Thursday to Easter Monday closed
    (date(2026, 12, 22), date(2027, 1, 4)),     # Christmas Eve, Christmas, New Year's Eve and Day closed
    (date(2027, 3, 24), date(2027, 4, 5)),      # Easter 2027 moves: 25, 26, 29 March closed
    (date(2026, 5, 12), date(2026, 5, 20)),     # Ascension Day 14 May (and the weekend)
])
def test_answer_deadline_is_five_working_days_skipping_weekends_and_holidays(received: date, expected: date) -> None:
    assert add_working_days(received, 5) == expected


def test_holidays_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 4, 6))     # Easter Monday
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 6, 5))     # Constitution Day: offices closed
    assert is_working_day(date(2026, 5, 1))         # 1 May is an ordinary working day


def test_working_days_left_are_negative_when_overdue() -> None:
    assert working_days_between(date(2026, 11, 30), date(2026, 11, 23)) == -5


def test_deadline_counts_from_the_day_received() -> None:
    received = datetime(2026, 12, 23, 15, 0, tzinfo=timezone.utc)
    assert answer_deadline(received, 5) == date(2027, 1, 5)


def _team(runtime: Runtime) -> dict[str, dict]:
    run = runtime.store.run
    members = {
        "anna": run(staff.add, "Anna", "anna@k.dk", ["Byggesag"]),
        "bo": run(staff.add, "Bo", "bo@k.dk", ["Byggesag"]),
        "dea": run(staff.add, "Dea", "dea@k.dk", ["Byplan"]),
        "erik": run(staff.add, "Erik", "erik@k.dk", ["Erhvervsservice"]),
    }
    run(staff.set_deputy, "anna@k.dk", "dea@k.dk")
    run(staff.set_deputy, "bo@k.dk", "dea@k.dk")
    return members


def test_case_goes_to_the_department_member_with_fewest_open_cases(runtime: Runtime) -> None:
    _team(runtime)
    thread_id = runtime.store.run(lambda db: db["threads"].insert(
        {"channel": "memory", "address": "x", "created_at": "", "updated_at": ""}).last_pk)
    first = runtime.store.run(cases.open_case, thread_id, "medium", "Byggesag")
    second = runtime.store.run(cases.open_case, thread_id, "medium", "Byggesag")
    assert {first["assignee_name"], second["assignee_name"]} == {"Anna", "Bo"}


def test_absent_staff_are_skipped(runtime: Runtime) -> None:
    _team(runtime)
    runtime.store.run(staff.set_absence, "anna@k.dk", date(2026, 12, 1), date(2026, 12, 31))
    person, _ = runtime.store.run(choose_assignee, "Byggesag", date(2026, 12, 10))
    assert person["name"] == "Bo"


def test_when_the_whole_department_is_away_the_deputy_takes_the_case(runtime: Runtime) -> None:
    _team(runtime)
    for email in ("anna@k.dk", "bo@k.dk"):
        runtime.store.run(staff.set_absence, email, date(2026, 12, 1), date(2026, 12, 31))
    person, why = runtime.store.run(choose_assignee, "Byggesag", date(2026, 12, 10))
    assert person["name"] == "Dea" and "deputy" in why


def test_without_deputies_erhvervsservice_takes_the_case(runtime: Runtime) -> None:
    _team(runtime)
    for email in ("anna@k.dk", "bo@k.dk", "dea@k.dk"):
        runtime.store.run(staff.set_absence, email, date(2026, 12, 1), None)
    person, why = runtime.store.run(choose_assignee, "Byggesag", date(2026, 12, 10))
    assert person["name"] == "Erik" and "Erhvervsservice" in why


def test_absence_ends_after_its_last_day(runtime: Runtime) -> None:
    _team(runtime)
    runtime.store.run(staff.set_absence, "anna@k.dk", date(2026, 12, 1), date(2026, 12, 4))
    runtime.store.run(staff.set_absence, "bo@k.dk", date(2026, 12, 1), date(2026, 12, 31))
    person, _ = runtime.store.run(choose_assignee, "Byggesag", date(2026, 12, 5))
    assert person["name"] == "Anna"


def test_case_numbers_run_per_year(runtime: Runtime) -> None:
    thread_id = runtime.store.run(lambda db: db["threads"].insert(
        {"channel": "memory", "address": "x", "created_at": "", "updated_at": ""}).last_pk)
    numbers = [runtime.store.run(cases.open_case, thread_id, "medium", None,
                                 datetime(2026, 6, 1, tzinfo=timezone.utc))["number"] for _ in range(2)]
    assert numbers == ["2026-0001", "2026-0002"]


def test_case_numbers_go_on_past_four_digits(runtime: Runtime) -> None:
    thread_id = runtime.store.run(lambda db: db["threads"].insert(
        {"channel": "memory", "address": "x", "created_at": "", "updated_at": ""}).last_pk)
    runtime.store.run(lambda db: db["cases"].insert(
        {"number": "2026-9999", "thread_id": thread_id, "complexity": "medium", "department": "Byggesag",
         "deadline": "2026-06-08", "first_answer_due": "", "created_at": ""}))
    numbers = [runtime.store.run(cases.open_case, thread_id, "medium", None,
                                 datetime(2026, 6, 1, tzinfo=timezone.utc))["number"] for _ in range(2)]
    assert numbers == ["2026-10000", "2026-10001"]
