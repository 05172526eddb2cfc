"""New business relationships (``BusinessMatch``: the first award between two companies)
for the matchings list and the statistics. The companies read their own; a ward's office
only counts them (``SUPPORT``), since who trades with whom is between the companies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.core.access import SUPPORT, VIEW
from machikoba.network.models import BusinessMatch


@dataclass(frozen=True)
class FirstAward:
    """One new relationship as a party sees it: the other company and when."""

    pk: int
    partner_id: int
    partner_name: str
    matched_at: dt.datetime


def first_awards_of_company(user: User, company_id: int) -> list[FirstAward]:
    """The new relationships of ``company_id`` that ``user`` may read (a member of it)."""
    matches = (
        BusinessMatch.objects.for_user(user, VIEW)
        .filter(Q(company_low_id=company_id) | Q(company_high_id=company_id))
        .select_related("company_low", "company_high")
        .order_by("-matched_at", "pk")
    )
    awards = []
    for match in matches:
        other = match.company_high if match.company_low_id == company_id else match.company_low
        awards.append(FirstAward(match.pk, other.pk, other.name, match.matched_at))
    return awards


def first_award_counts_by_month(
    user: User, *, ward_ids: list[int], start: dt.datetime, end: dt.datetime
) -> dict[dt.date, int]:
    """New relationships made in ``[start, end)`` involving a company of ``ward_ids``, per
    month (JST, the first day of the month), counted once per pair; only what ``user``'s
    office may count (``SUPPORT``)."""
    counted = (
        BusinessMatch.objects.for_user(user, SUPPORT)
        .filter(matched_at__gte=start, matched_at__lt=end)
        .filter(Q(company_low__ward__in=ward_ids) | Q(company_high__ward__in=ward_ids))
        .annotate(month=TruncMonth("matched_at"))
        .values("month")
        .annotate(n=Count("pk", distinct=True))
        .order_by("month")
    )
    return {timezone.localtime(row["month"]).date(): row["n"] for row in counted}
