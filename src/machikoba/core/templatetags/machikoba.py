"""Template filters for Japanese display of dates, fiscal years and yen."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from machikoba.core import fiscal, money

register = template.Library()


def _lang() -> str:
    return get_language() or "ja"


@register.filter
def yen(amount):
    return money.format_yen(amount, _lang())


@register.filter
def jdate(value):
    """A date in the user's language: 令和7年4月1日 (2025/04/01), or 1 Apr 2025."""
    if value in (None, ""):
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if _lang().startswith("ja"):
        return f"{fiscal.wareki_date(value)} ({value:%Y/%m/%d})"
    return f"{value.day} {value:%b %Y}"


@register.filter
def fiscal_year(value):
    if isinstance(value, dt.date):  # dates and (aware) datetimes
        value = fiscal.fiscal_year(value)
    return fiscal.fiscal_year_label(int(value), _lang())


@register.filter
def with_field_attrs(bound_field):
    """Render a form field with the design-system class and its errors/help linked
    for screen readers (aria-describedby, aria-invalid)."""
    widget_type = bound_field.widget_type
    css = "form-check" if widget_type in ("checkbox", "radio") else "form-input"
    described = []
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_error")
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    attrs = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def total_minutes(delta):
    """Whole minutes of a timedelta, rounded up (a lockout of 29.5 minutes says 30)."""
    if delta is None:
        return 0
    return -(-int(delta.total_seconds()) // 60)


@register.filter
def plain_number(value):
    """A Decimal without trailing zeros: 0.0500 → 0.05, 800.0 → 800."""
    if value in (None, ""):
        return "—"
    from decimal import Decimal

    text = format(Decimal(value).normalize(), "f")
    return text


@register.filter
def get_item(mapping, key):
    """``{{ assigned|get_item:process.pk }}``: a dict lookup by a variable key."""
    return mapping.get(key) if mapping else None
