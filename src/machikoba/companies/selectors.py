from machikoba.companies.models import Company, Membership
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


def company_list(*, user, search: str = ""):
    queryset = Company.objects.for_user(user, VIEW).filter(is_active=True)
    if search:
        queryset = queryset.filter(name__icontains=search) | queryset.filter(
            name_kana__icontains=search
        )
    return queryset.order_by("name_kana", "name")


def company_members(*, user, company: Company):
    return (
        Membership.objects.for_user(user, VIEW)
        .filter(company=company)
        .select_related("user")
        .order_by("role", "user__email")
    )
