"""Before/after measurements chosen per engagement (見積作成時間, リードタイム, 稼働率 …):
the team or the office names the figure, its unit and which way is better, with the value
before and its date; the value after comes later, measured on a later date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.advisory.choices import Better
from machikoba.advisory.error_codes import AdvisoryErrorCode
from machikoba.advisory.models import Engagement, Measurement
from machikoba.advisory.services._common import (
    lock_engagement,
    require_active,
    require_team_or_office,
)
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import full_clean_or_raise, invalid_input

MEASUREMENT_FIELDS = ["name", "unit", "better", "before_value", "before_on"]
MAX_VALUE = Decimal("9999999999.99")


def _check_value(field: str, value: Decimal, on: dt.date, date_field: str) -> None:
    if not value.is_finite() or abs(value) > MAX_VALUE:
        raise invalid_input(
            AdvisoryErrorCode.MEASUREMENT_INVALID, **{field: _("値が大きすぎます。")}
        )
    if value < 0:
        raise invalid_input(
            AdvisoryErrorCode.MEASUREMENT_INVALID, **{field: _("0 以上の値を入れてください。")}
        )
    if on > timezone.localdate():
        raise invalid_input(
            AdvisoryErrorCode.MEASUREMENT_INVALID,
            **{date_field: _("測定日に未来の日付は入れられません。")},
        )


@transaction.atomic
def measurement_add(
    *,
    actor: User,
    engagement: Engagement,
    name: str,
    unit: str,
    better: str,
    before_value: Decimal,
    before_on: dt.date,
) -> Measurement:
    engagement = lock_engagement(engagement)
    require_team_or_office(actor, engagement)
    require_active(engagement)
    errors = {}
    if not name.strip():
        errors["name"] = _("指標の名前を書いてください。")
    if not unit.strip():
        errors["unit"] = _("単位を書いてください (例: 分, 日, %)。")
    if better not in Better.values:
        errors["better"] = _("良い向きを選んでください。")
    if errors:
        raise invalid_input(AdvisoryErrorCode.MEASUREMENT_INVALID, **errors)
    _check_value("before_value", before_value, before_on, "before_on")
    measurement = Measurement(
        engagement=engagement,
        name=name.strip(),
        unit=unit.strip(),
        better=better,
        before_value=before_value,
        before_on=before_on,
    )
    full_clean_or_raise(measurement, code=AdvisoryErrorCode.MEASUREMENT_INVALID)
    measurement.save()
    audit_record(
        actor=actor,
        verb="measurement.add",
        target=measurement,
        company=engagement.company,
        after=snapshot(measurement, MEASUREMENT_FIELDS),
    )
    return measurement


@transaction.atomic
def measurement_record_after(
    *, actor: User, measurement: Measurement, after_value: Decimal, after_on: dt.date
) -> Measurement:
    """The value after the change, measured later than the value before (it may be
    corrected while the engagement runs)."""
    engagement = lock_engagement(measurement.engagement)
    require_team_or_office(actor, engagement)
    require_active(engagement)
    measurement = Measurement.objects.select_for_update().get(pk=measurement.pk)
    _check_value("after_value", after_value, after_on, "after_on")
    if after_on <= measurement.before_on:
        raise invalid_input(
            AdvisoryErrorCode.MEASUREMENT_INVALID,
            after_on=_("導入後の測定日は、導入前の測定日より後にしてください。"),
        )
    before = snapshot(measurement, ["after_value", "after_on"])
    measurement.after_value, measurement.after_on = after_value, after_on
    full_clean_or_raise(measurement, code=AdvisoryErrorCode.MEASUREMENT_INVALID)
    measurement.save(update_fields=["after_value", "after_on"])
    audit_record(
        actor=actor,
        verb="measurement.after",
        target=measurement,
        company=engagement.company,
        before=before,
        after=snapshot(measurement, ["after_value", "after_on"]),
    )
    return measurement
