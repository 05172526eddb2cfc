"""The plan page's price book (network/planning/prices.py) at ward scale: 60 shops, 12
buyers and 1,200 quotes on single-step RFQs for one process. The plan builds one book
per partner step."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from machikoba.companies.choices import CompanyKind, CompanyRole
from machikoba.companies.models import Company, ProcessCategory
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.network.models import Job, Quote, Rfq, RfqRecipient, Step
from machikoba.network.planning.prices import PriceBook

HEAT = "heat_treatment.quench_temper"
QUOTES = 1_200


@pytest.fixture
def ward(db):
    rng = random.Random(7)
    shops = CompanyFactory.create_batch(60)
    buyers = CompanyFactory.create_batch(12, kind=CompanyKind.BUYER)
    owner = MembershipFactory(company=shops[0], role=CompanyRole.OWNER).user
    for company in [*shops[1:], *buyers]:
        MembershipFactory(company=company, role=CompanyRole.OWNER)
    then = timezone.now() - dt.timedelta(days=200)
    Company.objects.update(created_at=then)
    process = ProcessCategory.objects.get(code=HEAT)
    today = timezone.localdate()
    askers = [*buyers, *shops[:10]]
    jobs = Job.objects.bulk_create(
        Job(
            company=rng.choice(askers),
            part_name="部品",
            quantity=rng.randint(1, 200),
            due_date=today,
        )
        for _ in range(QUOTES)
    )
    steps = Step.objects.bulk_create(Step(job=job, position=1, process=process) for job in jobs)
    rfqs = Rfq.objects.bulk_create(Rfq(job=job, deadline=timezone.now()) for job in jobs)
    Rfq.steps.through.objects.bulk_create(
        Rfq.steps.through(rfq=rfq, step=step) for rfq, step in zip(rfqs, steps, strict=True)
    )
    recipients = RfqRecipient.objects.bulk_create(
        RfqRecipient(
            rfq=rfq,
            company=rng.choice([s for s in shops[1:] if s.pk != rfq.job.company_id]),
            status="quoted",
        )
        for rfq in rfqs
    )
    Quote.objects.bulk_create(
        Quote(
            recipient=recipient,
            price=rng.randint(1_000, 500_000),
            lead_time_days=5,
            valid_until=today,
        )
        for recipient in recipients
    )
    return owner, shops[0], process


def test_price_book(benchmark, ward):
    owner, company, process = ward
    book = benchmark(lambda: PriceBook(user=owner, owner=company, process=process, quantity=50))
    assert book.network is not None
