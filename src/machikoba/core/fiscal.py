"""Japanese fiscal years (April–March) and the Japanese era calendar (和暦).

FY N runs from 1 April N to 31 March N+1. The era year of a fiscal year is the
era in force when the year is named by the government: FY2019 is 令和元年度.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FISCAL_YEAR_START_MONTH = 4


@dataclass(frozen=True)
class Era:
    name: str
    name_en: str
    start: dt.date


# Newest first. Dates are the first day of each era.
ERAS = (
    Era("令和", "Reiwa", dt.date(2019, 5, 1)),
    Era("平成", "Heisei", dt.date(1989, 1, 8)),
    Era("昭和", "Showa", dt.date(1926, 12, 25)),
)


def fiscal_year(day: dt.date | dt.datetime) -> int:
    """The fiscal year a date falls in; an aware datetime is first taken in Japan time
    (01:00 JST on 1 April is the new year even though it is still 31 March in UTC)."""
    if isinstance(day, dt.datetime) and day.tzinfo is not None:
        from django.utils import timezone

        day = timezone.localtime(day)
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last day (both inclusive) of fiscal year ``year``."""
    return dt.date(year, FISCAL_YEAR_START_MONTH, 1), dt.date(year + 1, 3, 31)


def era_of(day: dt.date) -> Era:
    for era in ERAS:
        if day >= era.start:
            return era
    raise ValueError(f"{day} is before the eras this calendar knows")


def _era_year_text(number: int) -> str:
    return "元" if number == 1 else str(number)


def wareki_date(day: dt.date | dt.datetime) -> str:
    """``令和7年4月1日`` for 2025-04-01."""
    if isinstance(day, dt.datetime):
        day = day.date()
    era = era_of(day)
    number = day.year - era.start.year + 1
    return f"{era.name}{_era_year_text(number)}年{day.month}月{day.day}日"


def wareki_fiscal_year(year: int) -> str:
    """``令和7年度`` for fiscal year 2025; FY2019 is ``令和元年度``."""
    # A fiscal year takes the era that is in force for most of it (from 1 May of year).
    era = era_of(dt.date(year, 5, 1))
    number = year - era.start.year + 1
    return f"{era.name}{_era_year_text(number)}年度"


def fiscal_year_label(year: int, language: str = "ja") -> str:
    """``2025年度 (令和7年度)`` in Japanese, ``FY2025 (Apr 2025 – Mar 2026)`` in English."""
    if language.startswith("ja"):
        return f"{year}年度 ({wareki_fiscal_year(year)})"
    return f"FY{year} (Apr {year} – Mar {year + 1})"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months; a day the target month lacks becomes its
    last day (31 Jan + 1 month = 28/29 Feb), as contracts count "N か月後"."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(
        year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1])
    )
