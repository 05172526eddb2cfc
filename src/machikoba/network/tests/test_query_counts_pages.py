"""The page selectors cost a fixed number of queries: ``job_page`` whatever the length of
the route, ``rfq_page`` whatever the number of shops asked."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.network import services
from machikoba.network.models import Job, Rfq
from machikoba.network.selectors.pages import job_page, rfq_page
from machikoba.network.tests.factories import deadline, make_job, process

OWNER_RFQ_PAGE_QUERIES = 13


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _fresh(model, pk):
    related = ("company", "material") if model is Job else ("job__company", "job__material")
    return model.objects.select_related(*related).get(pk=pk)


def _job_page_queries(user, job_pk, django_assert_num_queries, expected):
    # Warm the user's role cache as a request's middleware does.
    job = _fresh(Job, job_pk)
    job_page(user, job)
    job = _fresh(Job, job_pk)
    with django_assert_num_queries(expected):
        page = job_page(user, job)
        # Everything the template reads is already there.
        for row in page.rows:
            _ = (row.start, row.finish, row.ship, row.receive, row.step.process, row.step.performer)
    return page


@pytest.mark.parametrize("extra_steps", [0, 8])
def test_job_page_queries_do_not_grow_with_the_route(world, django_assert_num_queries, extra_steps):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    for _ in range(extra_steps):
        services.step_add(actor=owner, job=job, process=process("grinding.surface"))
    steps = list(job.steps.filter(status="planned", in_house=False))
    services.rfq_send(
        actor=owner, job=job, steps=steps[:2], recipients=[world.other_company], deadline=deadline()
    )
    # steps, route ids, RFQs (+ their steps), orders, claims, history (content types
    # cached), documents
    page = _job_page_queries(owner, job.pk, django_assert_num_queries, 9)
    assert len(page.rows) == 4 + extra_steps


@pytest.mark.parametrize("extra_steps", [0, 8])
def test_job_page_for_a_partner_does_not_grow_with_the_route(
    world, django_assert_num_queries, extra_steps
):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    for _ in range(extra_steps):
        services.step_add(actor=owner, job=job, process=process("grinding.surface"))
    job.steps.filter(position__gte=2).update(performer=world.other_company)
    # steps, route ids, its orders, claims
    page = _job_page_queries(world.users[OTHER_COMPANY], job.pk, django_assert_num_queries, 4)
    # Its own steps, and step 1 whose parts it receives.
    assert len(page.rows) == 4 + extra_steps


def _rfq_with(world, shops: int) -> Rfq:
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    companies = [world.other_company]
    for index in range(shops - 1):
        company = CompanyFactory(name=f"協力工業 {index}")
        MembershipFactory(company=company, role=CompanyRole.OWNER)
        companies.append(company)
    rfq = services.rfq_send(
        actor=owner,
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=companies,
        deadline=deadline(),
    )
    for recipient in rfq.recipients.all()[:2]:
        services.quote_submit(
            actor=MembershipFactory(company=recipient.company, role=CompanyRole.STAFF).user,
            recipient=recipient,
            price=50_000,
            lead_time_days=5,
            valid_until=timezone.localdate() + dt.timedelta(days=20),
        )
    return rfq


@pytest.mark.parametrize("shops", [2, 9])
def test_rfq_page_queries_do_not_grow_with_the_shops_asked(world, django_assert_num_queries, shops):
    owner = world.users[MEMBER]
    rfq = _rfq_with(world, shops)
    rfq_page(owner, _fresh(Rfq, rfq.pk), company=world.company)
    rfq = _fresh(Rfq, rfq.pk)
    # steps, questions, columns, scores (the first step and the suggestion's own fixed
    # reads), order, guest link rows (recipients, accounts, links)
    with django_assert_num_queries(OWNER_RFQ_PAGE_QUERIES):
        page = rfq_page(owner, rfq, company=world.company)
        for column in page.columns:
            _ = (column.company.name, getattr(column, "quote", None))
    assert len(page.columns) == shops


@pytest.mark.parametrize("shops", [2, 9])
def test_rfq_page_for_a_shop_does_not_grow_with_the_shops_asked(
    world, django_assert_num_queries, shops
):
    partner = world.users[OTHER_COMPANY]
    rfq = _rfq_with(world, shops)
    rfq_page(partner, _fresh(Rfq, rfq.pk), company=world.other_company)
    rfq = _fresh(Rfq, rfq.pk)
    # steps, questions, its own answer (with its quote), the documents it may view, the
    # sender's NDA to accept in place (issue 16)
    with django_assert_num_queries(6):
        page = rfq_page(partner, rfq, company=world.other_company)
        assert page.quote is not None
    assert page.columns == []
