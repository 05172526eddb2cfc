"""The plan's time axis: working hours on working days (weekdays that are not 祝日)."""

from __future__ import annotations

import datetime as dt
import math

import jpholiday

HOURS_PER_DAY = 8


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not jpholiday.is_holiday(day)


class WorkingDays:
    """Working days from the first one after ``today``; hour ``h`` falls on day ``h // 8``."""

    def __init__(self, today: dt.date) -> None:
        self.days: list[dt.date] = []
        self._next = today + dt.timedelta(days=1)

    def _extend_to_index(self, index: int) -> None:
        while len(self.days) <= index:
            if is_working_day(self._next):
                self.days.append(self._next)
            self._next += dt.timedelta(days=1)

    def _extend_to_date(self, day: dt.date) -> None:
        while not self.days or self.days[-1] < day:
            self._extend_to_index(len(self.days))

    @property
    def first(self) -> dt.date:
        self._extend_to_index(0)
        return self.days[0]

    def day_of_start(self, hour: int) -> dt.date:
        """The working day on which an interval starting at ``hour`` starts."""
        self._extend_to_index(hour // HOURS_PER_DAY)
        return self.days[hour // HOURS_PER_DAY]

    def day_of_end(self, hour: int) -> dt.date:
        """The working day on which an interval ending (exclusive) at ``hour`` ends."""
        index = max(hour - 1, 0) // HOURS_PER_DAY
        self._extend_to_index(index)
        return self.days[index]

    def days_up_to(self, day: dt.date) -> int:
        """How many working days of the axis fall on or before ``day``."""
        if day < self.first:
            return 0
        self._extend_to_date(day)
        return sum(1 for d in self.days if d <= day)

    def hour_of_day_start(self, day: dt.date) -> int:
        """The first hour of the first working day on or after ``day``."""
        return self.days_up_to(day - dt.timedelta(days=1)) * HOURS_PER_DAY

    def working_days_late(self, end_hour: int, due_hour: int) -> int:
        return max(0, math.ceil((end_hour - due_hour) / HOURS_PER_DAY))
