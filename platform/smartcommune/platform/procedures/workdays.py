"""Due dates in working days.

Weekends (Saturday, Sunday) are skipped. Public holidays come in through `holidays`: today the set is empty;
the national calendar (Tết, 30/4, 1/5, 2/9, Giỗ Tổ — lunar dates resolved per year, plus the compensatory
days the government announces each year) would be a provider-maintained table read once per process and
passed here, with a commune-level table for local days off merged into it.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta


def add_working_days(start: date, days: int, holidays: Container[date] = frozenset()) -> date:
    """The date `days` working days after `start` (a submission on a day off counts from the next workday)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current
