from django.db.models import Prefetch

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
from machikoba.core.access import VIEW


def memberships_of(user) -> list[Membership]:
    """The user's own memberships, with their companies, in display order."""
    if not (user and user.is_authenticated):
        return []
    return list(
        Membership.objects.for_user(user, VIEW)
        .filter(user=user, company__is_active=True)
        .select_related("company")
        .order_by("company__name_kana", "company__name")
    )


def company_members(*, user, company: Company):
    return (
        Membership.objects.for_user(user, VIEW)
        .filter(company=company)
        .select_related("user")
        .order_by("role", "user__email")
    )


def with_directory_details(companies, *, user):
    """Prefetch what a directory card shows, through the access layer."""
    return companies.prefetch_related(
        Prefetch(
            "capabilities",
            queryset=Capability.objects.for_user(user, VIEW)
            .select_related("process")
            .prefetch_related("materials"),
        ),
        Prefetch(
            "certifications",
            queryset=CompanyCertification.objects.for_user(user, VIEW).select_related("kind"),
        ),
        Prefetch("photos", queryset=CompanyPhoto.objects.for_user(user, VIEW)),
    )


def company_profile(*, user, company: Company) -> dict:
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


def directory_facets(*, user) -> dict:
    """Choices for the directory filters."""
    return {
        "processes": list(ProcessCategory.objects.for_user(user, VIEW).filter(is_active=True)),
        "materials": list(Material.objects.for_user(user, VIEW)),
        "certifications": list(CertificationKind.objects.for_user(user, VIEW)),
        "municipalities": list(
            Company.objects.for_user(user, VIEW)
            .filter(is_active=True)
            .exclude(municipality="")
            .values_list("municipality", flat=True)
            .distinct()
            .order_by("municipality")
        ),
    }
