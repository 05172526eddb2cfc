from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import OUTSIDE_WARDS, CompanyKind
from machikoba.companies.models import (
    Capability,
    CertificationKind,
    Company,
    CompanyCertification,
    CompanyPhoto,
    DXStageAssessment,
    Equipment,
    Material,
    Membership,
    ProcessCategory,
)
from machikoba.core.access import VIEW, AccessQuerySet


def memberships_of(user: User | AnonymousUser | None) -> list[Membership]:
    """The user's own memberships, with their companies, in display order: active
    companies first, then those deactivated but still readable (their grace period,
    ``core.access.company_usable``, applied by the membership's policy), which their
    people open to read and download."""
    if not (user and user.is_authenticated):
        return []
    return list(
        Membership.objects.for_user(user, VIEW)
        .filter(user=user)
        .select_related("company")
        .order_by("-company__is_active", "company__name_kana", "company__name")
    )


def company_members(*, user: User, company: Company) -> AccessQuerySet[Membership]:
    return (
        Membership.objects.for_user(user, VIEW)
        .filter(company=company)
        .select_related("user")
        .order_by("role", "user__email")
    )


@dataclass(frozen=True)
class CardProcess:
    code: str
    name_ja: str
    name_en: str

    @property
    def name(self) -> str:
        language = get_language() or "ja"
        return self.name_en if language.startswith("en") and self.name_en else self.name_ja


@dataclass(frozen=True)
class CardCertification:
    code: str
    name: str


def attach_card_details(companies: list[Company], *, user: User) -> list[Company]:
    """What a directory card shows (process names, valid certifications, has a photo),
    fetched for a whole page in three narrow queries through the access layer and set
    on each company as ``card_processes`` / ``card_certifications``.

    Plain tuples rather than model instances: a page has 20 companies with ~20
    capabilities each, and building 400 model objects would cost more than the search.
    """
    ids = [c.pk for c in companies]
    processes: dict[int, list[CardProcess]] = {pk: [] for pk in ids}
    for company_id, code, name_ja, name_en in (
        Capability.objects.for_user(user, VIEW)
        .filter(company_id__in=ids)
        .order_by("process__sort_order", "process__code")
        .values_list("company_id", "process__code", "process__name_ja", "process__name_en")
    ):
        processes[company_id].append(CardProcess(code, name_ja, name_en))
    certifications: dict[int, list[CardCertification]] = {pk: [] for pk in ids}
    language = get_language() or "ja"
    today = timezone.localdate()
    for company_id, code, name_ja, name_en in (
        CompanyCertification.objects.for_user(user, VIEW)
        .filter(company_id__in=ids)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("kind__sort_order")
        .values_list("company_id", "kind__code", "kind__name_ja", "kind__name_en")
    ):
        name = name_en if language.startswith("en") and name_en else name_ja
        certifications[company_id].append(CardCertification(code, name))
    for company in companies:
        company.card_processes = processes[company.pk]
        company.card_certifications = certifications[company.pk]
    return companies


def company_profile(*, user: User, company: Company) -> dict[str, list[Any]]:
    """Everything the profile page shows, each list through the access layer."""
    return {
        "capabilities": list(
            Capability.objects.for_user(user, VIEW)
            .filter(company=company)
            .select_related("process")
            .prefetch_related("materials")
        ),
        "equipment": list(
            Equipment.objects.for_user(user, VIEW).filter(company=company).select_related("process")
        ),
        "certifications": list(
            CompanyCertification.objects.for_user(user, VIEW)
            .filter(company=company)
            .select_related("kind")
        ),
        "photos": list(CompanyPhoto.objects.for_user(user, VIEW).filter(company=company)),
        "dx_assessments": list(
            DXStageAssessment.objects.for_user(user, VIEW).filter(company=company)[:10]
        ),
    }


def directory_facets(*, user: User) -> dict[str, list[Any]]:
    """Choices for the directory filters."""
    return {
        "processes": list(ProcessCategory.objects.for_user(user, VIEW).filter(is_active=True)),
        "materials": list(Material.objects.for_user(user, VIEW)),
        "certifications": list(CertificationKind.objects.for_user(user, VIEW)),
        "wards": ward_facet(user=user),
    }


def ward_facet(*, user: User) -> list[tuple[str, str, int]]:
    """The directory's wards with how many shops each has (code, name, count), in code
    order, and last the shops outside every registered ward (``OUTSIDE_WARDS``)."""
    rows = (
        Company.objects.for_user(user, VIEW)
        .filter(is_active=True, kind=CompanyKind.SHOP)
        .values("ward__code", "ward__name", "ward__name_en")
        .annotate(count=Count("id"))
        .order_by("ward__code")
    )
    english = get_language() == "en"
    facet = [
        (r["ward__code"], (r["ward__name_en"] if english else "") or r["ward__name"], r["count"])
        for r in rows
        if r["ward__code"]
    ]
    outside = sum(r["count"] for r in rows if not r["ward__code"])
    if outside:
        facet.append((OUTSIDE_WARDS, str(_("登録自治体の外")), outside))
    return facet
