"""The job page after an award: every party finds its 注文書 again (with its PDF), the
steps ordered but not yet accepted say so, and the lead of a joint order sees its buyer
and the dates its members promised."""

import pytest
from django.urls import reverse

from machikoba.board import services as board_services
from machikoba.board.tests.factories import (
    admit,
    award_terms,
    make_buyer,
    make_request,
    owner_of,
    quoted_team,
)
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.network import services
from machikoba.network.models import Step
from machikoba.network.tests.test_permissions import _order

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _job_page(world, kind, job):
    return world.client_for(kind).get(reverse("network:job_detail", args=[job.pk]))


def test_the_supplier_finds_its_order_and_its_pdf_on_the_job_page(world):
    order = _order(world)
    services.order_accept(actor=world.users[OTHER_COMPANY], order=order)
    html = _job_page(world, OTHER_COMPANY, order.job).content.decode()
    assert 'data-testid="job-orders"' in html
    assert reverse("network:order_detail", args=[order.pk]) in html
    assert reverse("network:order_pdf", args=[order.pk]) in html
    order_page = world.client_for(OTHER_COMPANY).get(
        reverse("network:order_detail", args=[order.pk])
    )
    assert 'data-testid="order-pdf"' in order_page.content.decode()


def test_an_ordered_step_waiting_for_its_acceptance_is_not_shown_as_asked_for_a_quote(world):
    order = _order(world)
    html = _job_page(world, MEMBER, order.job).content.decode()
    assert "発注済み (請書待ち)" in html
    services.order_accept(actor=world.users[OTHER_COMPANY], order=order)
    html = _job_page(world, MEMBER, order.job).content.decode()
    assert "発注済み (請書待ち)" not in html


def test_the_lead_of_a_joint_order_sees_its_buyer_the_orders_and_the_members_dates(world):
    buyer = make_buyer()
    request = make_request(buyer)
    admit(request, world.company)
    team = quoted_team(
        request,
        world.company,
        {1: world.company, 2: world.other_company, 3: world.company, 4: world.company},
    )
    board_services.request_award(
        actor=owner_of(buyer), request=request, team=team, **award_terms(request)
    )
    team.refresh_from_db()
    job = team.job
    member_step = Step.objects.get(job=job, position=2)
    promised = team.members.get(company=world.other_company).delivery_date
    assert member_step.planned_end == promised
    assert member_step.planned_start is not None
    assert member_step.planned_start <= promised

    html = _job_page(world, MEMBER, job).content.decode()
    assert 'data-testid="job-customer"' in html
    assert buyer.name in html
    assert "発注済み (請書待ち)" in html  # the member's order is issued, not yet accepted
    assert html.count('data-testid="order-item"') == 2  # from the buyer, to the member
    member_html = _job_page(world, OTHER_COMPANY, job).content.decode()
    assert member_html.count('data-testid="order-item"') == 1  # its own order only
    assert buyer.name not in member_html.split('data-testid="job-orders"')[1]
