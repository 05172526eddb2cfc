"""Template filters for Japanese display of dates, fiscal years and yen."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from machikoba.core import dates, fiscal, money

register = template.Library()


def _lang() -> str:
    return get_language() or "ja"


@register.filter
def yen(amount: int | None) -> str:
    return money.format_yen(amount, _lang())


@register.filter
def jdate(value: dt.date | None) -> str:
    """A date as everywhere in machikoba: 2026/12/09 (see core.dates)."""
    return dates.format_date(value)


@register.filter
def jdatetime(value: dt.datetime | None) -> str:
    """A date and local time: 2026/12/09 14:30."""
    return dates.format_datetime(value)


@register.filter
def fiscal_year(value: dt.date | int | str) -> str:
    if isinstance(value, dt.date):  # dates and (aware) datetimes
        value = fiscal.fiscal_year(value)
    return fiscal.fiscal_year_label(int(value), _lang())


@register.filter
def with_field_attrs(bound_field: BoundField) -> SafeString:
    """Render a form field with the design-system class and its errors/help linked
    for screen readers (aria-describedby, aria-invalid)."""
    widget_type = bound_field.widget_type
    css = "form-check" if widget_type in ("checkbox", "radio") else "form-input"
    described: list[str] = []
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_error")
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    attrs: dict[str, str | bool] = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def total_minutes(delta: dt.timedelta | None) -> int:
    """Whole minutes of a timedelta, rounded up (a lockout of 29.5 minutes says 30)."""
    if delta is None:
        return 0
    return -(-int(delta.total_seconds()) // 60)


@register.filter
def plain_number(value: Decimal | float | str | None) -> str:
    """A Decimal without trailing zeros: 0.0500 → 0.05, 800.0 → 800."""
    if value is None or value == "":
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """``{{ assigned|get_item:process.pk }}``: a dict lookup by a variable key."""
    return mapping.get(key) if mapping else None


@register.filter
def in_units(quantity: int | str | None, job: Any) -> str:
    """``{{ step.shipped_quantity|in_units:step.job }}`` → 「50 本」, in the job's unit."""
    if quantity is None or quantity == "":
        return "—"
    return str(job.count(int(quantity)))
