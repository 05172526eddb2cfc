"""Writes of a company's municipality (``Company.ward``), each kept as a dated
``CompanyWardChange``.

The address places a company (its postal code → 市区町村 → 地方公共団体コード), unconfirmed;
an officer of that ward confirms it or corrects it. An officer may place a company only
in a ward they serve, and take it out of every ward only from a ward they serve, so a
company's ward is changed by an officer of the old or the new ward and never by one of
neither. Platform admins may do either. Programmes and subsidies keep the ward that ran
them: nothing else moves with the company.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.rules import is_platform_admin
from machikoba.companies.access import officer_ward_ids
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.models import Company
from machikoba.companies.models_wards import CompanyWardChange, WardChangeSource
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.wards.models import Municipality
from machikoba.wards.selectors import municipality_for_jis

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.postal import PostalAddress


def ward_of_address(found: PostalAddress | None) -> Municipality | None:
    """The registered municipality of a looked-up postal code (None outside them all)."""
    return municipality_for_jis(found.jis_code) if found and found.jis_code else None


def place_by_address(company: Company, ward: Municipality | None) -> None:
    """Set the ward the address gives (unsaved; ``record_placement`` keeps the history
    once the company is saved). A company the address moves is unconfirmed again."""
    if company.ward_id == (ward.pk if ward else None):
        return
    if not hasattr(company, "_ward_before"):
        company._ward_before = company.ward  # type: ignore[attr-defined]
    company.ward = ward
    company.ward_confirmed_at = None


def record_placement(*, actor: User | None, company: Company) -> None:
    """After ``company`` is saved: keep the change ``place_by_address`` made, if any."""
    if not hasattr(company, "_ward_before"):
        return
    previous = company._ward_before
    del company._ward_before
    if (previous.pk if previous else None) == company.ward_id:
        return
    _record(actor, company, previous, company.ward, WardChangeSource.ADDRESS)


def _record(
    actor: User | None,
    company: Company,
    previous: Municipality | None,
    ward: Municipality | None,
    source: str,
    note: str = "",
) -> CompanyWardChange:
    change = CompanyWardChange.objects.create(
        company=company, previous=previous, ward=ward, changed_by=actor, source=source, note=note
    )
    audit_record(
        actor=actor,
        verb="company.ward",
        target=company,
        company=company,
        before={"ward": previous.code if previous else ""},
        after={"ward": ward.code if ward else "", "source": source, "note": note},
    )
    return change


def check_may_place(actor: User | None, company: Company, ward: Municipality | None) -> None:
    """Refuse an officer who does not serve the ward a company goes to (or, to take it out
    of every ward, the one it is in). ``actor=None`` is the system itself."""
    if actor is None or is_platform_admin(actor):
        return
    served = set(officer_ward_ids(actor))
    target = ward.pk if ward else company.ward_id
    if target is None or target not in served:
        name = (ward or company.ward or "—").__str__()
        raise PermissionRefused(
            CompaniesErrorCode.WARD_NOT_SERVED,
            _("%(ward)s の担当ではないため、企業の所管をそこへ変更できません。") % {"ward": name},
        )


@transaction.atomic
def company_ward_assign(
    *,
    actor: User | None,
    company: Company,
    ward: Municipality | None,
    note: str = "",
    source: str = WardChangeSource.OFFICER,
) -> Company:
    """An officer confirms ``company``'s ward (the same one) or corrects it (another, or
    None for a company outside every registered ward). Either way it is confirmed now."""
    check_may_place(actor, company, ward)
    company = Company.objects.select_for_update().get(pk=company.pk)
    previous = company.ward
    if previous == ward and company.ward_confirmed_at is not None:
        raise ApplicationError(
            CompaniesErrorCode.WARD_UNCHANGED, _("所管の自治体はすでに確認済みです。")
        )
    company.ward = ward
    company.ward_confirmed_at = timezone.now()
    company.save(update_fields=["ward", "ward_confirmed_at", "updated_at"])
    _record(actor, company, previous, ward, source, note.strip()[:200])
    return company
