"""Real concurrent transactions on PostgreSQL: of two attempts at the same change,
exactly one wins and the other gets a clear refusal; no duplicate rows.

SQLite serialises writers and has no row locks, so these run on PostgreSQL only (CI
always does: MACHIKOBA_REQUIRE_POSTGRES)."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError
from machikoba.core.testing.concurrency import needs_postgresql, race
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER
from machikoba.network import services
from machikoba.network.models import Order, Quote, Step
from machikoba.network.tests.factories import deadline, make_job, order_terms

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql,
]


def _one_winner(results, code):
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], ApplicationError), errors[0]
    assert errors[0].code == code


@pytest.fixture
def partner(world):
    return world.other_company


@pytest.fixture
def second_partner_user(partner):
    return MembershipFactory(company=partner, role=CompanyRole.STAFF).user


def _rfq(world, partner):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    step = job.steps.get(position=2)
    return services.rfq_send(
        actor=owner, job=job, steps=[step], recipients=[partner], deadline=deadline()
    )


def _quote(user, recipient, price):
    return lambda: services.quote_submit(
        actor=user,
        recipient=recipient,
        price=price,
        lead_time_days=5,
        valid_until=timezone.localdate() + dt.timedelta(days=20),
    )


def test_a_double_submitted_quote_is_stored_once(world, partner, second_partner_user):
    recipient = _rfq(world, partner).recipients.get()
    owner = partner.memberships.get(role=CompanyRole.OWNER).user
    results = race(
        _quote(owner, recipient, 100_000), _quote(second_partner_user, recipient, 90_000)
    )
    _one_winner(results, "rfq_already_answered")
    assert Quote.objects.count() == 1


def test_two_people_accepting_the_same_order(world, partner, second_partner_user):
    rfq = _rfq(world, partner)
    recipient = rfq.recipients.get()
    owner = partner.memberships.get(role=CompanyRole.OWNER).user
    _quote(owner, recipient, 100_000)()
    order = services.rfq_award(
        actor=world.users[MEMBER], rfq=rfq, winner=recipient, **order_terms()
    )
    results = race(
        lambda: services.order_accept(actor=owner, order=order),
        lambda: services.order_accept(actor=second_partner_user, order=order),
    )
    _one_winner(results, "order_not_open")
    assert Order.objects.get().status == "accepted"


def test_two_awards_of_the_same_rfq(world):
    shops = [
        MembershipFactory(company=CompanyFactory(), role=CompanyRole.OWNER).user for _ in range(2)
    ]
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    rfq = services.rfq_send(
        actor=owner,
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=[u.memberships.get().company for u in shops],
        deadline=deadline(),
    )
    recipients = list(rfq.recipients.order_by("pk"))
    for user, recipient in zip(shops, recipients, strict=True):
        _quote(user, recipient, 50_000)()
    results = race(
        *[
            lambda r=recipient: services.rfq_award(actor=owner, rfq=rfq, winner=r, **order_terms())
            for recipient in recipients
        ]
    )
    _one_winner(results, "rfq_already_awarded")
    assert Order.objects.count() == 1


def test_two_people_starting_the_same_step(world):
    job = make_job(world.users[MEMBER], world.company)
    first = job.steps.get(position=1)  # in-house: the owner's floor workers start it
    other_worker = MembershipFactory(company=world.company, role=CompanyRole.FLOOR_WORKER).user
    results = race(
        lambda: services.step_start(actor=world.users[FLOOR_WORKER], step=first),
        lambda: services.step_start(actor=other_worker, step=first),
    )
    _one_winner(results, "step_wrong_state")
    assert Step.objects.get(pk=first.pk).status == "in_progress"
