"""Price estimates for a partner step, from quotes on earlier single-step RFQs."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from django.db.models import Count
from django.utils.translation import gettext as _

from machikoba.core.access import VIEW
from machikoba.network.models import Quote, Rfq

# The network-wide median is shown only when it hides every single shop's prices.
NETWORK_MIN_QUOTES = 5
NETWORK_MIN_COMPANIES = 3


@dataclass(frozen=True)
class PriceEstimate:
    yen: int | None
    basis: str


class PriceBook:
    """Unit prices from quotes on single-step RFQs for one process, read once per step."""

    def __init__(self, *, user, owner, process, quantity: int) -> None:
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
        for company_id, price, quantity in (
            Quote.objects.for_user(user, VIEW)
            .filter(recipient__rfq__in=single, recipient__rfq__job__company=owner)
            .values_list(*fields)
        ):
            self.own.setdefault(company_id, []).append(price / quantity)
        # The whole network, as an aggregate only (see NETWORK_MIN_*).
        everyone = list(Quote.objects.filter(recipient__rfq__in=single).values_list(*fields))
        shops = {company_id for company_id, _price, _quantity in everyone}
        self.network: list[float] = []
        if len(everyone) >= NETWORK_MIN_QUOTES and len(shops) >= NETWORK_MIN_COMPANIES:
            self.network = [price / quantity for _company, price, quantity in everyone]

    def estimate(self, company) -> PriceEstimate:
        own = self.own.get(company.pk)
        if own:
            return PriceEstimate(
                round(median(own) * self.quantity),
                _("この企業の過去の見積 %(n)d 件の単価の中央値 × 数量") % {"n": len(own)},
            )
        if self.network:
            return PriceEstimate(
                round(median(self.network) * self.quantity),
                _("ネットワーク全体の見積 %(n)d 件の単価の中央値 × 数量 (参考)")
                % {"n": len(self.network)},
            )
        return PriceEstimate(None, _("価格の手がかりなし (不明)"))
