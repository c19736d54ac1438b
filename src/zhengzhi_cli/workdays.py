"""Working days (工作日) on the plan's calendar: Monday to Friday, less the year's 法定节假日, plus
the 调休 Saturdays and Sundays worked instead. Every "N 个工作日" of the campaign counts on it."""

from __future__ import annotations

import datetime as dt

ONE = dt.timedelta(days=1)


class Calendar:
    def __init__(self, *, holidays: frozenset[dt.date] = frozenset(), workdays: frozenset[dt.date] = frozenset()):
        self.holidays, self.workdays = holidays, workdays

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (n ≥ 1); `day` itself never counts."""
        while n > 0:
            day += ONE
            if self.is_workday(day):
                n -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += ONE
            count += self.is_workday(day)
        return count
