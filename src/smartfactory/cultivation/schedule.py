"""The progress-report schedule of a cultivation period (read by the plan when an object is created
and by the cultivation workflow when the ministry extends a period)."""

from __future__ import annotations

import calendar
from datetime import date

from .rules import rules


def report_schedule(published_on: date, ends_on: date) -> list[date]:
    """Due dates of the progress reports: every interval from publication, the last at the period's end."""
    months = rules().report_interval_months
    dues, n = [], 1
    while True:
        total = published_on.month - 1 + months * n
        day = _clamp(published_on.year + total // 12, total % 12 + 1, published_on.day)
        if day >= ends_on:
            break
        dues.append(day)
        n += 1
    return [*dues, ends_on]


def _clamp(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
