"""Dates for tests, derived from today in Tokyo so the suite passes on any day, and the
session clock CI moves to awkward moments (a holiday, New Year's Eve, the eve of Golden
Week, a year ahead) to find tests that only pass on ordinary days.

``MACHIKOBA_TEST_CLOCK`` (an ISO datetime with its offset) starts a ticking
``time_machine.travel`` for the whole session. ``MACHIKOBA_TEST_CLOCKS=ci`` spreads the
tests marked ``clock_sensitive`` over CI's four clocks instead (``ci+today``: over those
and the real clock, which is how CI's one run of the whole suite has them): each such test
runs at one of them, chosen from its id and today's date (the same clock all day, so a
failure reproduces; another one tomorrow, so every test meets every clock within days),
and a failure names its clock. Unmarked tests keep the real clock: browser and worker
tests talk to other processes, whose clocks do not move.
``python -m machikoba.core.testing.clock`` prints CI's clocks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import jpholiday
import pytest

CLOCK_VARIABLE = "MACHIKOBA_TEST_CLOCK"
SPREAD_VARIABLE = "MACHIKOBA_TEST_CLOCKS"
TOKYO = ZoneInfo("Asia/Tokyo")


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def is_working_day(day: dt.date) -> bool:
    """A day of the default shop calendar (and the network plan's): Monday to Friday,
    not a public holiday."""
    return day.weekday() < 5 and not jpholiday.is_holiday(day)


def working_day(n: int = 1, *, after: dt.date | None = None) -> dt.date:
    """The ``n``-th working day after ``after`` (today by default); before it for a
    negative ``n``."""
    day = after or today()
    step = dt.timedelta(days=1 if n > 0 else -1)
    for _ in range(abs(n)):
        day += step
        while not is_working_day(day):
            day += step
    return day


def days_until_working_day(n: int, *, after: dt.date | None = None) -> int:
    """Calendar days from ``after`` (today) to its ``n``-th working day."""
    start = after or today()
    return (working_day(n, after=start) - start).days


def quiet_monday(*, after: dt.date | None = None) -> dt.date:
    """The first Monday after ``after`` (today) whose week, through the next Monday, has
    no public holiday."""
    day = (after or today()) + dt.timedelta(days=1)
    while day.weekday() != 0 or any(
        jpholiday.is_holiday(day + dt.timedelta(days=d)) for d in range(8)
    ):
        day += dt.timedelta(days=1)
    return day


def weekday_holiday(*, after: dt.date) -> dt.date:
    """The first public holiday after ``after`` that falls on a weekday."""
    day = after + dt.timedelta(days=1)
    while day.weekday() >= 5 or not jpholiday.is_holiday(day):
        day += dt.timedelta(days=1)
    return day


def yesterday() -> dt.date:
    return today() - dt.timedelta(days=1)


def in_years(years: int, *, after: dt.date | None = None) -> dt.date:
    """The same day ``years`` later (28 February for 29 February)."""
    day = after or today()
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- the clocks CI runs the clock-sensitive tests at --------------------------------


def _next_public_holiday(start: dt.date) -> dt.date:
    day = start + dt.timedelta(days=1)
    while not jpholiday.is_holiday(day):
        day += dt.timedelta(days=1)
    return day


def _golden_week_eve(year: int) -> dt.date:
    """The last working day before the longest run of days off around 3 May: the eve
    of the long holiday (30 April in 2027, when 1-5 May are off)."""
    day = dt.date(year, 5, 3)
    while not is_working_day(day - dt.timedelta(days=1)):
        day -= dt.timedelta(days=1)
    return day - dt.timedelta(days=1)


def ci_clocks(now: dt.datetime | None = None) -> dict[str, dt.datetime]:
    """Four moments after ``now``: the next public holiday (01:30, when UTC is still on
    the day before), the next 31 December 23:30, the next eve of Golden Week 23:30, and
    400 days ahead. All in Tokyo time, so they never fall into the past."""
    now = (now or dt.datetime.now(TOKYO)).astimezone(TOKYO)
    start = now.date()

    def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TOKYO)

    new_year_eve = at(dt.date(start.year, 12, 31), 23, 30)
    if new_year_eve <= now:
        new_year_eve = at(dt.date(start.year + 1, 12, 31), 23, 30)
    eve = at(_golden_week_eve(start.year), 23, 30)
    if eve <= now:
        eve = at(_golden_week_eve(start.year + 1), 23, 30)
    return {
        "holiday": at(_next_public_holiday(start), 1, 30),
        "new_year_eve": new_year_eve,
        "golden_week_eve": eve,
        "in_400_days": at(start + dt.timedelta(days=400), 12, 0),
    }


# --- the pytest plugin (registered from src/machikoba/conftest.py) -----------------------


def session_clock() -> dt.datetime | None:
    value = os.environ.get(CLOCK_VARIABLE, "").strip()
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise pytest.UsageError(f"{CLOCK_VARIABLE}={value} needs an offset, e.g. +09:00")
    return moment


def spread_clocks(value: str | None = None) -> list[tuple[str, dt.datetime | None]]:
    """The clocks ``MACHIKOBA_TEST_CLOCKS`` spreads the tests over: ``ci`` for CI's four,
    ``ci+today`` for those and the real clock (``("today", None)``: no travel), or
    ``name=moment,name=moment`` (each moment an ISO datetime with its offset)."""
    value = (os.environ.get(SPREAD_VARIABLE, "") if value is None else value).strip()
    if not value:
        return []
    if value in ("ci", "ci+today"):
        real: list[tuple[str, dt.datetime | None]] = [("today", None)]
        return (real if value == "ci+today" else []) + list(ci_clocks().items())
    clocks: list[tuple[str, dt.datetime | None]] = []
    for part in value.split(","):
        name, _, moment = part.strip().partition("=")
        try:
            parsed = dt.datetime.fromisoformat(moment.strip())
        except ValueError:
            parsed = None
        if not name.strip() or parsed is None or parsed.tzinfo is None:
            raise pytest.UsageError(
                f"{SPREAD_VARIABLE}: {part!r} is not name=moment with an offset, "
                "e.g. new_year_eve=2026-12-31T23:30:00+09:00"
            )
        clocks.append((name.strip(), parsed))
    return clocks


def clock_of(
    node_id: str, clocks: list[tuple[str, dt.datetime | None]], on: dt.date
) -> tuple[str, dt.datetime | None]:
    """The clock a test runs at on the day ``on``: stable within the day, and moving on to
    another clock the next day for most tests."""
    digest = hashlib.blake2b(f"{on.isoformat()} {node_id}".encode(), digest_size=8).digest()
    return clocks[int.from_bytes(digest, "big") % len(clocks)]


def pytest_configure(config: pytest.Config) -> None:
    moment = session_clock()
    clocks = spread_clocks()
    if moment is not None and clocks:
        raise pytest.UsageError(f"Set {CLOCK_VARIABLE} or {SPREAD_VARIABLE}, not both")
    if clocks:
        config.stash[_SPREAD] = clocks
        # The day that picks each test's clock: the real one, read before any travel.
        config.stash[_SPREAD_DAY] = dt.datetime.now(TOKYO).date()
    if moment is None:
        return
    import time_machine

    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config.stash[_TRAVELLER] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    moment = session_clock()
    if moment:
        return f"machikoba clock: {moment.isoformat()} ({CLOCK_VARIABLE})"
    clocks = config.stash.get(_SPREAD, None)
    if clocks:
        listed = ", ".join(_named(name, moment) for name, moment in clocks)
        return f"machikoba clocks, one per clock-sensitive test ({SPREAD_VARIABLE}): {listed}"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    clocks = item.config.stash.get(_SPREAD, None)
    if not clocks or item.get_closest_marker("clock_sensitive") is None:
        yield
        return
    import time_machine

    name, moment = clock_of(item.nodeid, clocks, item.config.stash[_SPREAD_DAY])
    item.stash[_TEST_CLOCK] = _named(name, moment)
    if moment is None:
        yield
        return
    with time_machine.travel(moment, tick=True):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    clock = item.stash.get(_TEST_CLOCK, None)
    if clock is not None and outcome.get_result().failed:
        name, _, moment = clock.partition(" ")
        again = f"{CLOCK_VARIABLE}={moment} " if name != "today" else ""
        outcome.get_result().sections.append(
            ("machikoba clock", f"ran at {clock}; again: {again}pytest '{item.nodeid}'")
        )


def _named(name: str, moment: dt.datetime | None) -> str:
    return f"{name} {moment.isoformat() if moment else '(the real clock)'}"


_TRAVELLER = pytest.StashKey[object]()
_SPREAD = pytest.StashKey[list[tuple[str, dt.datetime | None]]]()
_SPREAD_DAY = pytest.StashKey[dt.date]()
_TEST_CLOCK = pytest.StashKey[str]()


def fixed_dates(moment: str):
    """For a test whose literal dates are facts passed as arguments (an era boundary, one
    year's Golden Week): the clock is frozen at ``moment`` as well, so the test cannot
    come to depend on today."""
    import time_machine

    return time_machine.travel(dt.datetime.fromisoformat(moment), tick=False)


def clock_at(moment: dt.datetime):
    """A context manager: the clock runs on from ``moment`` (a ticking travel, so the
    solver's time limits still pass)."""
    import time_machine

    return time_machine.travel(moment, tick=True)


@pytest.fixture
def frozen_clock() -> Iterator:
    """``frozen_clock.move_to(moment)``: stop the clock at ``moment`` for one test."""
    import time_machine

    with time_machine.travel(dt.datetime.now(TOKYO), tick=False) as traveller:
        yield traveller


if __name__ == "__main__":
    for name, moment in ci_clocks().items():
        print(name, moment.isoformat())
