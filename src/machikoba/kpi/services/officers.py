"""The one check every ward-office write of the KPI app makes."""

from __future__ import annotations

from django_stubs_ext import StrOrPromise

from machikoba.accounts.models import User
from machikoba.core.access import WARD_OFFICER, municipality_ids_for
from machikoba.core.errors import PermissionRefused
from machikoba.kpi.error_codes import KpiErrorCode


def require_ward_officer(actor: User, municipality_id: int, message: StrOrPromise) -> None:
    """Refuse (with ``message``) anyone who does not serve the ward as its officer."""
    if municipality_id not in municipality_ids_for(actor, WARD_OFFICER):
        raise PermissionRefused(KpiErrorCode.NOT_WARD_OFFICER, message)
