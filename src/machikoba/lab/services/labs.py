"""Writes of a lab's settings by its staff: the booking rules (fields of ``Lab``), the
weekly opening hours and the closures beyond them (holidays and the year end come from
``lab.calendar``, by the lab's two switches).

Only the staff of the lab's ward (or of a group of wards running it) change it
(``require_lab_staff``, which the other topics' services use too)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.lab.error_codes_catalogue import CatalogueErrorCode
from machikoba.lab.models import Closure, Lab, OpeningHours

# The rules a lab manager changes on the settings page, with the bounds a person may set.
LAB_TEXT_FIELDS = ("name", "address", "phone", "description")
LAB_RULE_BOUNDS: dict[str, tuple[int, int]] = {
    "slot_minutes": (5, 240),
    "cutoff_hours": (0, 168),
    "book_days_ahead": (1, 365),
    "max_hours_per_company_month": (1, 400),
    "no_show_grace_minutes": (5, 240),
    "no_show_limit": (1, 20),
    "offer_hours": (1, 168),
    "entry_code_seconds": (15, 600),
}
LAB_SWITCHES = ("closed_on_holidays", "closed_year_end")
LAB_FIELDS = [*LAB_TEXT_FIELDS, *LAB_RULE_BOUNDS, *LAB_SWITCHES]
WEEKDAYS = range(7)
MAX_CLOSURE_DAYS = 366


def is_lab_staff(actor: User | None, lab: Lab) -> bool:
    """Whether ``actor`` runs ``lab`` (its ward's lab staff)."""
    if actor is None or not actor.is_authenticated:
        return False
    return Lab.objects.for_user(actor, CHANGE).filter(pk=lab.pk).exists()


def require_lab_staff(actor: User | None, lab: Lab) -> None:
    if not is_lab_staff(actor, lab):
        raise PermissionRefused(
            CatalogueErrorCode.NOT_LAB_STAFF,
            _("この操作ができるのは、このラボのスタッフだけです。"),
        )


def _refuse(code: CatalogueErrorCode, field: str | None, message: str) -> ApplicationError:
    fields = {field: [message]} if field else None
    return ApplicationError(code, message, fields=fields)


# --- the booking rules -------------------------------------------------------------------


@transaction.atomic
def lab_settings_update(*, actor: User, lab: Lab, **changes: Any) -> Lab:
    """Change the lab's name, address, guide text and booking rules (each within the bounds
    of ``LAB_RULE_BOUNDS``). Anything else is refused; nothing is changed on a refusal."""
    require_lab_staff(actor, lab)
    unknown = sorted(set(changes) - set(LAB_FIELDS))
    if unknown:
        raise ValueError(f"not lab settings: {unknown}")
    lab = Lab.objects.select_for_update(of=("self",)).get(pk=lab.pk)
    errors: dict[str, list[str]] = {}
    for name, (low, high) in LAB_RULE_BOUNDS.items():
        value = changes.get(name)
        if name in changes and (value is None or not low <= value <= high):
            label = str(getattr(Lab._meta.get_field(name), "verbose_name", name))
            errors[name] = [
                _("「%(label)s」は %(low)s から %(high)s までの数にしてください。")
                % {"label": label, "low": low, "high": high}
            ]
    if "name" in changes and not str(changes["name"] or "").strip():
        errors["name"] = [_("ラボの名称を入力してください。")]
    if errors:
        raise ApplicationError(
            CatalogueErrorCode.LAB_INVALID, _("入力内容を確認してください。"), fields=errors
        )
    before = snapshot(lab, LAB_FIELDS)
    for name, value in changes.items():
        setattr(lab, name, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(lab, code=CatalogueErrorCode.LAB_INVALID)
    lab.save()
    audit_record(
        actor=actor, verb="lab.update", target=lab, before=before, after=snapshot(lab, LAB_FIELDS)
    )
    return lab


# --- weekly opening hours ----------------------------------------------------------------


def _hours_snapshot(lab: Lab) -> dict[str, str]:
    return {
        str(row.weekday): f"{row.opens:%H:%M}-{row.closes:%H:%M}"
        for row in OpeningHours.objects.filter(lab=lab).order_by("weekday")
    }


@transaction.atomic
def opening_hours_set(
    *, actor: User, lab: Lab, days: dict[int, tuple[dt.time, dt.time] | None]
) -> Lab:
    """Set the lab's hours for all seven weekdays (0 = Monday): ``(opens, closes)`` or
    None for a closed day. Every weekday must be given; each open day must close after it
    opens. On a refusal the old hours stay as they were."""
    require_lab_staff(actor, lab)
    lab = Lab.objects.select_for_update(of=("self",)).get(pk=lab.pk)
    if set(days) != set(WEEKDAYS):
        raise _refuse(
            CatalogueErrorCode.HOURS_INVALID,
            None,
            _("月曜日から日曜日まで、7日分を指定してください。"),
        )
    errors: dict[str, list[str]] = {}
    for weekday, hours in days.items():
        if hours is None:
            continue
        opens, closes = hours
        if opens is None or closes is None:
            errors[f"opens_{weekday}"] = [_("開館と閉館の時刻を入力してください。")]
        elif closes <= opens:
            errors[f"closes_{weekday}"] = [_("閉館の時刻は開館より後にしてください。")]
    if errors:
        raise ApplicationError(
            CatalogueErrorCode.HOURS_INVALID, _("入力内容を確認してください。"), fields=errors
        )
    if all(hours is None for hours in days.values()):
        raise _refuse(
            CatalogueErrorCode.HOURS_INVALID,
            None,
            _("開館する曜日が1日もありません。休館にするには、臨時休館を登録してください。"),
        )
    before = _hours_snapshot(lab)
    OpeningHours.objects.filter(lab=lab).delete()
    for weekday in WEEKDAYS:
        hours = days[weekday]
        if hours is None:
            continue
        row = OpeningHours(lab=lab, weekday=weekday, opens=hours[0], closes=hours[1])
        full_clean_or_raise(row, code=CatalogueErrorCode.HOURS_INVALID)
        row.save()
    lab.__dict__.pop("_weekly_hours", None)  # the calendar's cache of the old hours
    audit_record(
        actor=actor, verb="lab_hours.set", target=lab, before=before, after=_hours_snapshot(lab)
    )
    return lab


# --- closures ----------------------------------------------------------------------------


@transaction.atomic
def closure_add(
    *, actor: User, lab: Lab, starts_on: dt.date, ends_on: dt.date, reason: str
) -> Closure:
    """Close the lab from ``starts_on`` through ``ends_on`` (both included) for ``reason``
    (点検日, a move …). Not in the past, at most a year long, not overlapping another
    closure."""
    require_lab_staff(actor, lab)
    lab = Lab.objects.select_for_update(of=("self",)).get(pk=lab.pk)
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(
            CatalogueErrorCode.CLOSURE_INVALID, "reason", _("休館の理由を入力してください。")
        )
    if starts_on is None or ends_on is None:
        raise _refuse(
            CatalogueErrorCode.CLOSURE_INVALID,
            "starts_on",
            _("休館の初日と最終日を入力してください。"),
        )
    if ends_on < starts_on:
        raise _refuse(
            CatalogueErrorCode.CLOSURE_INVALID,
            "ends_on",
            _("休館の最終日は初日と同じか、それより後にしてください。"),
        )
    if ends_on < timezone.localdate():
        raise _refuse(
            CatalogueErrorCode.CLOSURE_INVALID, "ends_on", _("過ぎた日は休館にできません。")
        )
    if (ends_on - starts_on).days + 1 > MAX_CLOSURE_DAYS:
        raise _refuse(
            CatalogueErrorCode.CLOSURE_INVALID,
            "ends_on",
            _("臨時休館は1年以内の期間にしてください。"),
        )
    overlap = (
        Closure.objects.filter(lab=lab, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if overlap is not None:
        raise _refuse(
            CatalogueErrorCode.CLOSURE_INVALID,
            "starts_on",
            _("%(start)s〜%(end)s の臨時休館 (%(reason)s) と重なっています。")
            % {
                "start": overlap.starts_on.strftime("%Y/%m/%d"),
                "end": overlap.ends_on.strftime("%Y/%m/%d"),
                "reason": overlap.reason,
            },
        )
    closure = Closure(lab=lab, starts_on=starts_on, ends_on=ends_on, reason=reason)
    full_clean_or_raise(closure, code=CatalogueErrorCode.CLOSURE_INVALID)
    closure.save()
    audit_record(
        actor=actor,
        verb="lab_closure.create",
        target=closure,
        after=snapshot(closure, ["lab", "starts_on", "ends_on", "reason"]),
    )
    return closure


@transaction.atomic
def closure_remove(*, actor: User, closure: Closure) -> None:
    """Open the lab again on the days of ``closure`` (its weekly hours apply)."""
    require_lab_staff(actor, closure.lab)
    before = snapshot(closure, ["lab", "starts_on", "ends_on", "reason"])
    audit_record(actor=actor, verb="lab_closure.delete", target=closure, before=before)
    closure.delete()
