"""The indicator definitions as data: the paper's version 1 installed once, and a new
version written beside the old when a definition changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.kpi.computations import REGISTRY
from machikoba.kpi.definitions import PAPER
from machikoba.kpi.error_codes import KpiErrorCode
from machikoba.kpi.models import Definition, Indicator

VERSIONED_FIELDS = (
    "name",
    "name_en",
    "unit",
    "baseline",
    "baseline_year",
    "target",
    "target_year",
    "period",
    "period_years",
    "formula",
    "formula_en",
    "source",
    "source_en",
    "computation",
    "params",
)


@transaction.atomic
def definitions_install() -> int:
    """Write the paper's indicators and their version 1 where missing; the number written.
    Running it again changes nothing."""
    written = 0
    for position, row in enumerate(PAPER, start=1):
        indicator, _created = Indicator.objects.get_or_create(
            code=row["code"],
            defaults={"measure": row["measure"], "level": row["level"], "position": position},
        )
        if indicator.definitions.exists():
            continue
        fields = {k: row[k] for k in VERSIONED_FIELDS if k in row}
        for key in ("baseline", "target"):
            if fields.get(key) is not None:
                fields[key] = Decimal(fields[key])
        Definition.objects.create(indicator=indicator, version=1, **fields)
        written += 1
    return written


@transaction.atomic
def definition_revise(*, actor: User, code: str, changes: dict[str, Any], note: str) -> Definition:
    """A new version of an indicator's definition: the newest version with ``changes``
    applied. Snapshots computed with the old version keep naming it. Platform admins
    only (the admin's action)."""
    if not actor.is_superuser:
        raise PermissionRefused(
            KpiErrorCode.NOT_PLATFORM_ADMIN, _("指標の定義を変えられるのはシステム管理者だけです。")
        )
    current = (
        Definition.objects.select_for_update()
        .filter(indicator__code=code)
        .order_by("-version")
        .first()
    )
    unknown = set(changes) - set(VERSIONED_FIELDS)
    if current is None or unknown:
        raise ApplicationError(KpiErrorCode.DEFINITION_INVALID, _("指標の定義を確認してください。"))
    if not isinstance(changes.get("params", current.params), dict):
        raise ApplicationError(
            KpiErrorCode.DEFINITION_INVALID,
            _("計算の設定を確認してください。"),
            fields={"params": [_("計算の設定は項目名と値の組で入力してください。")]},
        )
    if changes.get("computation", current.computation) not in REGISTRY:
        raise ApplicationError(
            KpiErrorCode.DEFINITION_INVALID,
            _("計算に使う関数が見つかりません。"),
            fields={"computation": [_("登録されている計算を選んでください。")]},
        )
    revised = Definition(
        indicator=current.indicator,
        version=current.version + 1,
        note=note.strip(),
        **{field: changes.get(field, getattr(current, field)) for field in VERSIONED_FIELDS},
    )
    full_clean_or_raise(revised, code=KpiErrorCode.DEFINITION_INVALID)
    revised.save()
    audit_record(
        actor=actor,
        verb="kpi.definition.revise",
        target=revised,
        after={"code": code, "version": revised.version, "note": revised.note},
    )
    return revised
