"""Writes of the metrics topic: the company's shifts (owners and staff only).

Shifts of one company may not overlap, counted round the clock (a night shift 22:00–06:00
and a day shift from 05:00 would count 05:00–06:00 twice), and there are at most
``MAX_SHIFTS``. A change is recorded as a change of the working calendar
(``schedule.calendar``): the shifts are its planned time.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import EDITOR_ROLES, require_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input

from ..error_codes_metrics import MetricErrorCode
from ..models_metrics import MAX_SHIFTS, Shift

DAY = 24 * 60


def _require_editor(actor: User, company: Company) -> None:
    require_role(
        actor,
        company,
        EDITOR_ROLES,
        MetricErrorCode.NOT_EDITOR,
        _("シフトを変更できるのは、この企業の経営者とスタッフだけです。"),
    )


def _segments(start: dt.time, end: dt.time) -> list[tuple[int, int]]:
    """A shift as minute ranges of one day, round the clock."""
    begin = start.hour * 60 + start.minute
    finish = end.hour * 60 + end.minute
    if finish > begin:
        return [(begin, finish)]
    return [(begin, DAY), (0, finish)]


def shifts_overlap(a: tuple[dt.time, dt.time], b: tuple[dt.time, dt.time]) -> bool:
    return any(max(x0, y0) < min(x1, y1) for x0, x1 in _segments(*a) for y0, y1 in _segments(*b))


@transaction.atomic
def shift_add(*, actor: User, company: Company, name: str, start: dt.time, end: dt.time) -> Shift:
    _require_editor(actor, company)
    existing = list(Shift.objects.select_for_update().filter(company=company).order_by("order"))
    if len(existing) >= MAX_SHIFTS:
        raise ApplicationError(
            MetricErrorCode.SHIFT_LIMIT,
            _("シフトは %(count)d つまでです。使わないシフトを削除してから追加してください。")
            % {"count": MAX_SHIFTS},
        )
    if start == end:
        raise invalid_input(
            MetricErrorCode.SHIFT_INVALID, end=_("終了時刻は開始時刻と違う時刻にしてください。")
        )
    for other in existing:
        if shifts_overlap((start, end), (other.start, other.end)):
            # A clash with a shift already there: the state refuses it (409), and the form
            # still marks the start field.
            clash = _("「%(name)s」(%(start)s〜%(end)s) と時間が重なっています。") % {
                "name": other.name,
                "start": f"{other.start:%H:%M}",
                "end": f"{other.end:%H:%M}",
            }
            raise ApplicationError(
                MetricErrorCode.SHIFT_OVERLAP,
                _("入力内容を確認してください。"),
                fields={"start": [clash]},
                status_code=409,
            )
    shift = Shift(
        company=company,
        name=name.strip(),
        start=start,
        end=end,
        order=(existing[-1].order + 1) if existing else 1,
    )
    full_clean_or_raise(
        shift,
        code=MetricErrorCode.SHIFT_INVALID,
        duplicate_code=MetricErrorCode.SHIFT_NAME_TAKEN,
        duplicate_message=_("同じ名前のシフトがあります。別の名前にしてください。"),
    )
    shift.save()
    audit_record(
        actor=actor,
        verb="schedule.calendar",
        target=shift,
        company=company,
        after={"shift": shift.name, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"},
    )
    return shift


@transaction.atomic
def shift_delete(*, actor: User, shift: Shift) -> None:
    _require_editor(actor, shift.company)
    audit_record(
        actor=actor,
        verb="schedule.calendar",
        target=shift,
        company=shift.company,
        before={"shift": shift.name, "start": f"{shift.start:%H:%M}", "end": f"{shift.end:%H:%M}"},
    )
    shift.delete()
