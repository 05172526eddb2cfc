"""Opening a lab: a ward's officer (for the wards they serve) or a platform admin creates
it; its staff then set its hours, closures, rules and catalogue (``services.labs``,
``services.catalogue``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.accounts.rules import is_platform_admin
from machikoba.core.access import WARD_OFFICER, municipality_ids_for
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import PermissionRefused, full_clean_or_raise, invalid_input
from machikoba.lab.error_codes_setup import LabSetupErrorCode
from machikoba.lab.models import Lab
from machikoba.wards.models import Municipality

LAB_FIELDS = ["municipality", "name", "address", "phone", "description"]


@transaction.atomic
def lab_create(
    *,
    actor: User | None,
    municipality: Municipality,
    name: str,
    address: str = "",
    phone: str = "",
    description: str = "",
) -> Lab:
    """A new lab of ``municipality``, active, with the default booking rules and no
    opening hours yet (closed every day until its staff set them). ``actor`` None is the
    system (the demo, an import)."""
    if actor is not None and not (
        is_platform_admin(actor) or municipality.pk in municipality_ids_for(actor, WARD_OFFICER)
    ):
        raise PermissionRefused(
            LabSetupErrorCode.NOT_ALLOWED,
            _("ラボを開設できるのは、その区の職員と管理者だけです。"),
        )
    name = (name or "").strip()
    if not name:
        raise invalid_input(LabSetupErrorCode.INVALID, name=[_("ラボの名称を入力してください。")])
    lab = Lab(
        municipality=municipality,
        name=name,
        address=(address or "").strip(),
        phone=(phone or "").strip(),
        description=(description or "").strip(),
    )
    full_clean_or_raise(lab, code=LabSetupErrorCode.INVALID)
    lab.save()
    audit_record(actor=actor, verb="lab.create", target=lab, after=snapshot(lab, LAB_FIELDS))
    return lab
