"""The date helpers of core/testing/clock.py: working days, the CI clocks and the
frozen clock (the suite's date-sensitive tests rely on them)."""

import datetime as dt

import jpholiday
import pytest
from django.utils import timezone

from machikoba.core.testing.clock import (
    TOKYO,
    ci_clocks,
    clock_of,
    fixed_dates,
    is_working_day,
    quiet_monday,
    spread_clocks,
    weekday_holiday,
    working_day,
)

pytestmark = pytest.mark.clock_sensitive


def test_working_days_skip_weekends_and_holidays_both_ways():
    today = timezone.localdate()
    days = [working_day(n) for n in range(1, 30)]
    assert all(is_working_day(day) for day in days)
    assert days == sorted(set(days))
    assert days[0] > today
    # Nothing skipped: every working day between today and the last one is in the list.
    between = [today + dt.timedelta(days=d) for d in range(1, (days[-1] - today).days + 1)]
    assert [day for day in between if is_working_day(day)] == days
    assert working_day(-1) < today
    assert is_working_day(working_day(-1))
    assert working_day(1, after=working_day(-1)) >= today


def test_a_quiet_monday_has_a_week_without_holidays():
    monday = quiet_monday()
    assert monday.weekday() == 0
    assert monday > timezone.localdate()
    assert not any(jpholiday.is_holiday(monday + dt.timedelta(days=d)) for d in range(8))
    holiday = weekday_holiday(after=monday)
    assert jpholiday.is_holiday(holiday)
    assert holiday.weekday() < 5


@fixed_dates("2026-12-06T13:09+09:00")
def test_ci_clocks_lie_ahead_on_the_awkward_days():
    now = dt.datetime(2026, 12, 6, 13, 9, tzinfo=TOKYO)
    clocks = ci_clocks(now)
    assert {name: moment.isoformat() for name, moment in clocks.items()} == {
        "holiday": "2027-01-01T01:30:00+09:00",  # 元日; UTC is still on 31 December
        "new_year_eve": "2026-12-31T23:30:00+09:00",
        # 2027: 29 April (Thursday) is a holiday, 30 April a working day, then 1-5 May off.
        "golden_week_eve": "2027-04-30T23:30:00+09:00",
        "in_400_days": "2028-01-10T12:00:00+09:00",
    }
    # Never in the past, whatever the day.
    for moment in ci_clocks(dt.datetime(2027, 5, 1, 0, 0, tzinfo=TOKYO)).values():
        assert moment > dt.datetime(2027, 5, 1, 0, 0, tzinfo=TOKYO)


def test_the_frozen_clock_stops_where_it_is_moved(frozen_clock):
    moment = dt.datetime.combine(working_day(3), dt.time(9, 0), tzinfo=TOKYO)
    frozen_clock.move_to(moment)
    assert timezone.now() == moment
    assert timezone.localdate() == moment.date()
    assert timezone.now() == moment  # it does not tick


def test_the_spread_clocks_are_read_from_names_and_moments():
    assert spread_clocks("") == []
    assert [name for name, _ in spread_clocks("ci")] == list(ci_clocks())
    # CI's run of the whole suite: the real clock is a fifth choice, with no travel.
    assert spread_clocks("ci+today")[0] == ("today", None)
    assert [name for name, _ in spread_clocks("ci+today")[1:]] == list(ci_clocks())
    eve = dt.datetime.combine(working_day(5), dt.time(23, 30), tzinfo=TOKYO)
    late = eve + dt.timedelta(days=200)
    clocks = spread_clocks(f"eve={eve.isoformat()}, late={late.isoformat()}")
    assert clocks == [("eve", eve), ("late", late)]
    for bad in ("eve", "eve=tomorrow", "eve=2027-04-30T23:30:00", "=2027-04-30T23:30:00+09:00"):
        with pytest.raises(pytest.UsageError, match="MACHIKOBA_TEST_CLOCKS"):
            spread_clocks(bad)


def test_each_test_keeps_its_clock_all_day_and_every_clock_gets_tests():
    now = dt.datetime.now(TOKYO)
    clocks = list(ci_clocks(now).items())
    day = now.date()
    ids = [f"src/machikoba/x/tests/test_{n}.py::test_{n}" for n in range(400)]
    picked = [clock_of(node_id, clocks, day) for node_id in ids]
    assert picked == [clock_of(node_id, clocks, day) for node_id in ids]
    counts = {name: sum(1 for clock in picked if clock[0] == name) for name, _ in clocks}
    assert min(counts.values()) > 60, counts  # about 100 each
    # The next day most tests meet another clock.
    tomorrow = day + dt.timedelta(days=1)
    moved = sum(clock_of(i, clocks, tomorrow) != p for i, p in zip(ids, picked, strict=True))
    assert moved > 250


def test_a_spread_run_moves_each_test_to_its_clock_and_names_it_on_failure(tmp_path):
    import subprocess
    import sys

    (tmp_path / "test_dates.py").write_text(
        "import datetime as dt\n"
        "import pytest\n"
        "@pytest.mark.clock_sensitive\n"
        "def test_sees():\n"
        "    print('TODAY', dt.date.today().isoformat())\n"
        "@pytest.mark.clock_sensitive\n"
        "def test_breaks_at_year_end():\n"
        "    assert dt.date.today().month != 12\n"
        "def test_unmarked_keeps_the_real_clock():\n"
        "    print('REAL', dt.date.today().isoformat())\n"
    )
    (tmp_path / "conftest.py").write_text(
        "from machikoba.core.testing import clock\n"
        "def pytest_configure(config):\n"
        "    config.pluginmanager.register(clock, 'machikoba-clock')\n"
    )
    env = {
        **__import__("os").environ,
        "MACHIKOBA_TEST_CLOCKS": "ye=2031-12-31T23:30:00+09:00",
    }
    env.pop("MACHIKOBA_TEST_CLOCK", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:django",
            "-p",
            "no:xdist",
            "-c",
            "/dev/null",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    out = run.stdout
    assert run.returncode == 1, out
    assert "TODAY 2031-12-31" in out
    # The real date, from a process this test's own moved clock cannot reach.
    real = subprocess.run(["date", "+%F"], capture_output=True, text=True, env=env).stdout
    assert f"REAL {real.strip()}" in out
    assert "1 failed, 2 passed" in out
    assert "ran at ye 2031-12-31T23:30:00+09:00" in out
    assert "MACHIKOBA_TEST_CLOCK=2031-12-31T23:30:00+09:00 pytest" in out
