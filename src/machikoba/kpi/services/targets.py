"""What a ward's officers set: their own targets, and whether the ward publishes its
public KPI page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import full_clean_or_raise, invalid_input
from machikoba.kpi.error_codes import KpiErrorCode
from machikoba.kpi.models import Indicator, Publication, Target
from machikoba.kpi.services.officers import require_ward_officer
from machikoba.wards.models import Municipality

LARGEST = Decimal("1000000000")
FIRST_YEAR = 2000
LAST_YEAR = 2100


def _require_officer(actor: User, municipality: Municipality) -> None:
    require_ward_officer(
        actor, municipality.pk, _("この区の目標を設定できるのは区の職員だけです。")
    )


def _number(raw: object, label: str, problems: dict[str, str], key: str) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        number = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        problems[key] = _("%(label)sは数字で入力してください。") % {"label": label}
        return None
    if not number.is_finite() or abs(number) > LARGEST:
        problems[key] = _("%(label)sが大きすぎます。") % {"label": label}
        return None
    return number


def _year(raw: object, label: str, problems: dict[str, str], key: str) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        problems[key] = _("%(label)sは%(first)s〜%(last)sの年度で入力してください。") % {
            "label": label,
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
        return None
    return int(text)


@transaction.atomic
def target_set(
    *,
    actor: User,
    municipality: Municipality,
    indicator: Indicator,
    target: object = None,
    target_year: object = None,
    baseline: object = None,
    baseline_year: object = None,
) -> Target | None:
    """Set (or, with every field empty, remove) the ward's own target for one indicator.
    Bad input changes nothing."""
    _require_officer(actor, municipality)
    problems: dict[str, str] = {}
    values = {
        "target": _number(target, _("目標値"), problems, "target"),
        "target_year": _year(target_year, _("目標年度"), problems, "target_year"),
        "baseline": _number(baseline, _("基準値"), problems, "baseline"),
        "baseline_year": _year(baseline_year, _("基準年度"), problems, "baseline_year"),
    }
    target_year_, baseline_year_ = values["target_year"], values["baseline_year"]
    if target_year_ and baseline_year_ and target_year_ <= baseline_year_:
        problems["target_year"] = _("目標年度は基準年度より後にしてください。")
    if problems:
        raise invalid_input(KpiErrorCode.TARGET_INVALID, **problems)
    current = Target.objects.filter(indicator=indicator, municipality=municipality).first()
    before = snapshot(current, list(values)) if current else None
    if all(value is None for value in values.values()):
        if current is not None:
            current.delete()
            audit_record(actor=actor, verb="kpi.target.clear", target=indicator, before=before)
        return None
    row = current or Target(indicator=indicator, municipality=municipality)
    for key, value in values.items():
        setattr(row, key, value)
    row.set_by = actor
    full_clean_or_raise(row, code=KpiErrorCode.TARGET_INVALID)
    row.save()
    audit_record(
        actor=actor,
        verb="kpi.target.set",
        target=row,
        before=before,
        after=snapshot(row, list(values)),
    )
    return row


@transaction.atomic
def publication_set(
    *, actor: User, municipality: Municipality, enabled: bool, introduction: str = ""
) -> Publication:
    """Publish (or withdraw) the ward's public KPI page."""
    _require_officer(actor, municipality)
    row, _created = Publication.objects.get_or_create(municipality=municipality)
    row.enabled = enabled
    row.introduction = introduction.strip()
    full_clean_or_raise(row, code=KpiErrorCode.TARGET_INVALID)
    row.save()
    audit_record(
        actor=actor,
        verb="kpi.publication.set",
        target=row,
        after={"enabled": enabled},
    )
    return row
