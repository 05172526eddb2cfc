"""Reads of the ward's side of companies: the companies of the wards an officer serves,
one of them (404 for any other, whoever asks), and a company's ward history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from machikoba.companies.models import Company
from machikoba.companies.models_wards import CompanyWardChange
from machikoba.core.access import SUPPORT, VIEW

if TYPE_CHECKING:
    from machikoba.accounts.models import User


def ward_companies(
    *, user: User, unconfirmed_only: bool = False, text: str = ""
) -> QuerySet[Company]:
    """The companies of the wards ``user`` serves as an officer, the unconfirmed first."""
    companies = Company.objects.for_user(user, SUPPORT).select_related("ward")
    if unconfirmed_only:
        companies = companies.filter(ward_confirmed_at__isnull=True)
    text = text.strip()
    if text:
        companies = companies.filter(
            Q(name__icontains=text)
            | Q(name_kana__icontains=text)
            | Q(corporate_number=text)
            | Q(address_line__icontains=text)
        )
    confirmed = ExpressionWrapper(Q(ward_confirmed_at__isnull=False), BooleanField())
    return companies.annotate(confirmed=confirmed).order_by(
        "confirmed", "ward__code", "name_kana", "name", "pk"
    )


def ward_company_or_404(*, user: User, pk: int) -> Company:
    """A company of a ward ``user`` serves; any other is "not found", as if it did not
    exist (its public profile stays in the directory)."""
    company = Company.objects.for_user(user, SUPPORT).select_related("ward").filter(pk=pk).first()
    if company is None:
        raise Http404
    return company


def ward_history(*, user: User, company: Company) -> list[CompanyWardChange]:
    """The company's ward changes that ``user`` may read, latest first."""
    return list(
        CompanyWardChange.objects.for_user(user, VIEW)
        .filter(company=company)
        .select_related("previous", "ward", "changed_by")
        .order_by("-changed_at", "-pk")
    )
