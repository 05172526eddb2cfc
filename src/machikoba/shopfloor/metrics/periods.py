"""The days the shop floor's metrics pages ask about: the local clock (``local_tz``,
``midnight``), ``?date=`` read as one day (``parse_day``) and ``?from=&to=`` as a
``Period`` (``parse_period``, ``default_period``). A day that is not a date, still to come,
or older than the history kept, and a period longer than ``MAX_PERIOD_DAYS``, are refused
(``DATE_INVALID`` / ``PERIOD_INVALID``) with a message the page shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.errors import ApplicationError

from ..error_codes_metrics import MetricErrorCode

# The longest period the metrics page computes at once, and how far back it goes.
MAX_PERIOD_DAYS = 92
MAX_HISTORY_DAYS = 3 * 366
DEFAULT_PERIOD_DAYS = 7
TREND_DAYS = 30


def local_tz() -> dt.tzinfo:
    return timezone.get_current_timezone()


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=local_tz())


# --- input ------------------------------------------------------------------------------


def _date(raw: str, what: str) -> dt.date:
    text = raw.strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ApplicationError(
            MetricErrorCode.DATE_INVALID,
            _("%(what)s「%(text)s」は日付として読めません。2026-04-01 の形で指定してください。")
            % {"what": what, "text": raw.strip()[:20]},
        ) from None


def parse_day(raw: str | None, today: dt.date) -> dt.date:
    """The day asked for (``?date=``), today when none. Refused (``DATE_INVALID``): not a
    date, after today, or further back than the history kept on screen."""
    if not raw or not raw.strip():
        return today
    day = _date(raw, _("日付"))
    if day > today:
        raise ApplicationError(
            MetricErrorCode.DATE_INVALID,
            _("まだ来ていない日です。今日までの日を指定してください。"),
        )
    if (today - day).days > MAX_HISTORY_DAYS:
        raise ApplicationError(MetricErrorCode.DATE_INVALID, _("3 年より前の日は表示できません。"))
    return day


@dataclass(frozen=True, slots=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> list[dt.date]:
        count = (self.last - self.first).days + 1
        return [self.first + dt.timedelta(days=n) for n in range(count)]


def default_period(today: dt.date) -> Period:
    return Period(today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)


def parse_period(raw_from: str | None, raw_to: str | None, today: dt.date) -> Period:
    """``?from=&to=`` (either may be left out: the last 7 days to ``to``, or to today).
    Refused (``PERIOD_INVALID`` / ``DATE_INVALID``): a day that is not a date, ``from``
    after ``to``, ``to`` after today, more than ``MAX_PERIOD_DAYS`` days, or older than
    the history kept."""
    last = _date(raw_to, _("終わりの日")) if raw_to and raw_to.strip() else today
    if raw_from and raw_from.strip():
        first = _date(raw_from, _("始めの日"))
    else:
        first = last - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if last > today:
        raise ApplicationError(
            MetricErrorCode.PERIOD_INVALID,
            _("終わりの日が先の日です。今日までの期間を指定してください。"),
        )
    if first > last:
        raise ApplicationError(
            MetricErrorCode.PERIOD_INVALID, _("始めの日を終わりの日より前にしてください。")
        )
    if (today - first).days > MAX_HISTORY_DAYS:
        raise ApplicationError(
            MetricErrorCode.PERIOD_INVALID, _("3 年より前の日は表示できません。")
        )
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ApplicationError(
            MetricErrorCode.PERIOD_INVALID,
            _("期間は %(days)d 日までにしてください。") % {"days": MAX_PERIOD_DAYS},
        )
    return Period(first, last)
