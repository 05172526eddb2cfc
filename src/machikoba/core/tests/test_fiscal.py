import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from machikoba.core.fiscal import (
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_label,
    wareki_date,
    wareki_fiscal_year,
)
from machikoba.core.testing.clock import fixed_dates

pytestmark = pytest.mark.clock_sensitive


@pytest.mark.parametrize(
    ("month", "day", "years_later", "fiscal_years_later"),
    [(3, 31, 0, -1), (4, 1, 0, 0), (12, 31, 0, 0), (1, 1, 1, 0), (3, 31, 1, 0), (4, 1, 1, 1)],
)
def test_fiscal_year_starts_in_april(month, day, years_later, fiscal_years_later):
    year = timezone.localdate().year
    assert fiscal_year(dt.date(year + years_later, month, day)) == year + fiscal_years_later


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_day_lies_inside_its_fiscal_year(day):
    start, end = fiscal_year_bounds(fiscal_year(day))
    assert start <= day <= end
    assert (end - start).days in (364, 365)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2025, 4, 1), "令和7年4月1日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
    ],
)
@fixed_dates("2025-04-01T09:00+09:00")
def test_wareki_dates(day, text):
    assert wareki_date(day) == text


@pytest.mark.parametrize(
    ("year", "text"),
    [(2025, "令和7年度"), (2019, "令和元年度"), (2018, "平成30年度"), (2020, "令和2年度")],
)
def test_wareki_fiscal_years(year, text):
    assert wareki_fiscal_year(year) == text


def test_fiscal_year_labels_in_both_languages():
    assert fiscal_year_label(2025, "ja") == "2025年度 (令和7年度)"
    assert fiscal_year_label(2025, "en") == "FY2025 (Apr 2025 – Mar 2026)"


def test_aware_datetimes_count_in_japan_time():
    # 31 March 16:00 UTC is 1 April 01:00 in Tokyo: the new fiscal year.
    year = timezone.localdate().year
    moment = dt.datetime.combine(dt.date(year, 3, 31), dt.time(16, 0), tzinfo=dt.UTC)
    assert fiscal_year(moment) == year
    assert fiscal_year(moment - dt.timedelta(hours=1, minutes=1)) == year - 1


@fixed_dates("2025-04-01T09:00+09:00")
def test_dates_before_showa_are_refused():
    with pytest.raises(ValueError, match="before the eras"):
        wareki_date(dt.date(1900, 1, 1))
