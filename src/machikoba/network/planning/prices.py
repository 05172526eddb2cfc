"""Price estimates for a partner step, from quotes on earlier single-step RFQs.

Two sources, never mixed:

* **Own.** The quotes a shop gave the asking company itself (its people see them on the
  RFQs anyway): the median unit price of that shop's quotes × the quantity.
* **Network.** A coarse range from everyone else's quotes, built so that no single other
  company's price can be read back from it (issue 15, finding 2):

  - Only *independent, established* sources count: the quoting company is a 町工場
    (``CompanyKind.SHOP``; only the ward registers shops), active, and on the platform for
    at least ``ESTABLISHED_DAYS``; the company that asked for the quote is active and on
    the platform for as long. A buyer anyone can register counts as neither.
  - Nothing of the asker's own or its related companies counts, neither their quotes nor
    quotes on their RFQs (those are the asker's own data, shown as "own"). *Related*
    companies share a member (any person) with the asker, or its 適格請求書 registration
    number (the 法人番号 is unique on the platform, so a second company with the same
    one cannot exist). A quote between related companies (a shop answering an RFQ of a
    company that shares a person with it) is self-dealing and never counts.
  - Each source company contributes **one** value, the median of its own unit prices, so
    planting many quotes from one company counts once.
  - Published only with quotes from at least ``NETWORK_MIN_COMPANIES`` source companies
    and ``NETWORK_MIN_QUOTES`` quotes in all; what is published is the interquartile
    range of the companies' values (nearest rank, no interpolation, so no published bound
    mixes two companies' values in a way that could be solved for one of them), widened
    outwards to two significant figures. Moving one company's value anywhere leaves each
    bound between the neighbouring values of the *other* companies (an order statistic
    cannot leave them), so one company can neither drag a bound nor have its own value
    isolated without at least ``NETWORK_MIN_COMPANIES - 1`` established shops colluding.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from statistics import median
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company, Membership
from machikoba.core.access import VIEW
from machikoba.network.models import Quote, Rfq

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import ProcessCategory

# A network range needs this many independent source companies and quotes.
NETWORK_MIN_COMPANIES = 5
NETWORK_MIN_QUOTES = 10
# A company counts as a source (or as the asker of a counted quote) after this long on
# the platform: planting prices then takes months and a ward-registered shop.
ESTABLISHED_DAYS = 90
# Published bounds keep this many significant figures (the low one rounded down, the high
# one up).
SIGNIFICANT_FIGURES = 2


@dataclass(frozen=True)
class PriceEstimate:
    """``yen`` is what the plan compares and adds up; ``low``/``high`` (yen) are set when
    only a range may be shown (the network range), ``yen`` is then its midpoint."""

    yen: int | None
    basis: str
    low: int | None = None
    high: int | None = None


def bucket_down(value: Fraction) -> Fraction:
    """``value`` rounded down to ``SIGNIFICANT_FIGURES`` significant figures."""
    if value <= 0:
        return Fraction(0)
    step = _step(value)
    return (value // step) * step


def bucket_up(value: Fraction) -> Fraction:
    """``value`` rounded up to ``SIGNIFICANT_FIGURES`` significant figures."""
    if value <= 0:
        return Fraction(0)
    step = _step(value)
    return -((-value) // step) * step


def _step(value: Fraction) -> Fraction:
    exponent = math.floor(math.log10(value))
    # log10 of a Fraction is a float: correct it at exact powers of ten.
    if Fraction(10) ** exponent > value:
        exponent -= 1
    elif Fraction(10) ** (exponent + 1) <= value:
        exponent += 1
    return Fraction(10) ** (exponent - SIGNIFICANT_FIGURES + 1)


def network_range(
    unit_prices: Mapping[int, Iterable[Fraction]],
) -> tuple[Fraction, Fraction] | None:
    """The published unit-price range from ``{source company: its unit prices}``, or None
    below the minimums. Each company counts once, with the median of its prices."""
    per_company = {company: list(prices) for company, prices in unit_prices.items()}
    per_company = {company: prices for company, prices in per_company.items() if prices}
    quotes = sum(len(prices) for prices in per_company.values())
    if len(per_company) < NETWORK_MIN_COMPANIES or quotes < NETWORK_MIN_QUOTES:
        return None
    values = sorted(_median(prices) for prices in per_company.values())
    rank = math.ceil(len(values) / 4)  # nearest rank of the quartiles, symmetric
    return bucket_down(values[rank - 1]), bucket_up(values[len(values) - rank])


def _median(prices: list[Fraction]) -> Fraction:
    """The exact median; sorted by float, which is monotonic and much cheaper than
    comparing fractions (values a float cannot tell apart differ by less than 1e-15)."""
    ordered = sorted(prices, key=float)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def related_company_ids(company: Company) -> set[int]:
    """``company`` and the companies related to it: sharing a member, or its invoice
    registration number."""
    people = Membership.objects.filter(company=company).values("user_id")
    related = set(
        Membership.objects.filter(user_id__in=people)
        .order_by()
        .values_list("company_id", flat=True)
    )
    if company.invoice_number:
        related |= set(
            Company.objects.filter(invoice_number=company.invoice_number).values_list(
                "pk", flat=True
            )
        )
    return related | {company.pk}


def _network_quotes(owner: Company, single) -> Mapping[int, list[Fraction]]:
    """{source company: unit prices} of the quotes that may count for ``owner``."""
    established = timezone.now() - dt.timedelta(days=ESTABLISHED_DAYS)
    related = related_company_ids(owner)
    sharing = _companies_sharing_people()
    rows = (
        # An aggregate over every company's quotes, published only as the coarse range
        # above: deliberately not ``for_user`` (no row reaches the page).
        Quote.objects.filter(
            recipient__rfq__in=single,
            recipient__company__kind=CompanyKind.SHOP,
            recipient__company__is_active=True,
            recipient__company__created_at__lte=established,
            recipient__rfq__job__company__is_active=True,
            recipient__rfq__job__company__created_at__lte=established,
        )
        .exclude(
            Q(recipient__company_id__in=related)
            | Q(recipient__rfq__job__company_id__in=related)
            | Q(recipient__company_id=F("recipient__rfq__job__company_id"))
        )
        .values_list(
            "recipient__company_id",
            "recipient__rfq__job__company_id",
            "price",
            "recipient__rfq__job__quantity",
        )
    )
    prices: dict[int, list[Fraction]] = {}
    for company_id, asker_id, price, quantity in rows:
        if (company_id, asker_id) in sharing:
            continue  # self-dealing
        prices.setdefault(company_id, []).append(Fraction(price, quantity))
    return prices


def _companies_sharing_people() -> set[tuple[int, int]]:
    """Every (company, company) pair with a person in both (few: most people have one
    company). Read in one query: a correlated subquery per quote costs more."""
    several = (
        Membership.objects.values("user_id")
        .annotate(companies=Count("company_id"))
        .filter(companies__gte=2)
        .values("user_id")
    )
    by_person: dict[int, list[int]] = {}
    for user_id, company_id in (
        Membership.objects.filter(user_id__in=several)
        .order_by()
        .values_list("user_id", "company_id")
    ):
        by_person.setdefault(user_id, []).append(company_id)
    return {(a, b) for companies in by_person.values() for a in companies for b in companies}


class PriceBook:
    """Unit prices from quotes on single-step RFQs for one process, read once per step."""

    def __init__(
        self, *, user: User, owner: Company, process: ProcessCategory, quantity: int
    ) -> None:
        self.quantity = quantity
        single = (
            Rfq.objects.annotate(step_count=Count("steps", distinct=True))
            .filter(step_count=1, steps__process=process)
            .order_by()
            .values("pk")
        )
        fields = ("recipient__company_id", "price", "recipient__rfq__job__quantity")
        # The owner's own RFQs only (what its people already see), per shop.
        self.own: dict[int, list[float]] = {}
        for company_id, price, job_quantity in (
            Quote.objects.for_user(user, VIEW)
            .filter(recipient__rfq__in=single, recipient__rfq__job__company=owner)
            .values_list(*fields)
        ):
            self.own.setdefault(company_id, []).append(price / job_quantity)
        # The network, as a coarse range only (see the module's docstring).
        self.network = network_range(_network_quotes(owner, single))

    def estimate(self, company: Company) -> PriceEstimate:
        own = self.own.get(company.pk)
        if own:
            return PriceEstimate(
                round(median(own) * self.quantity),
                _("この企業の過去の見積 %(n)d 件の単価の中央値 × 数量") % {"n": len(own)},
            )
        if self.network is not None:
            low = math.floor(self.network[0] * self.quantity)
            high = math.ceil(self.network[1] * self.quantity)
            return PriceEstimate(
                round((low + high) / 2),
                _(
                    "ネットワークの相場: 独立した%(n)d社以上の見積の単価の中央50%%の範囲 "
                    "(2桁に丸め) × 数量 (参考)"
                )
                % {"n": NETWORK_MIN_COMPANIES},
                low=low,
                high=high,
            )
        return PriceEstimate(None, _("価格の手がかりなし (不明)"))
