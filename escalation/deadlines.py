"""Working-day arithmetic for service goals: weekends and Danish public holidays are skipped.

The ``holidays`` package knows the moving feasts (Easter, Ascension, Whit Monday) so
the rules are not hand-written here. Christmas Eve, New Year's Eve and Constitution Day
are not public holidays but municipal offices close, so they count as closed days too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

EXTRA_CLOSED = ((6, 5), (12, 24), (12, 31))


@lru_cache(maxsize=64)
def _danish_holidays(year: int) -> frozenset[date]:
    days = set(holidays.country_holidays("DK", years=year).keys())
    days.update(date(year, month, day) for month, day in EXTRA_CLOSED)
    return frozenset(days)


def load_calendar(year: int) -> None:
    """Load a year's closed days ahead of use: the holidays package reads every country's
    calendar on first use (tens of milliseconds), which should not fall on the first case."""
    _danish_holidays(year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (start itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days from ``start`` to ``end``; negative when ``end`` is in the past."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))


def answer_deadline(received: datetime, working_days: int = 5) -> date:
    return add_working_days(received.date(), working_days)


def first_answer_due(received: datetime, hours: int = 24) -> datetime:
    return received + timedelta(hours=hours)
