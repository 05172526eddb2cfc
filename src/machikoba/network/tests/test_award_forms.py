"""The award forms start from the choice the owner made in the comparison: that shop (or
team) preselected, every choice with its price, the delivery date after the chosen shop's
lead time, and a message that says what is missing."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.board.tests.factories import (
    admit,
    make_buyer,
    make_request,
    owner_of,
    quoted_team,
)
from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.network import services
from machikoba.network.models import Order
from machikoba.network.tests.factories import deadline, make_job

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def two_quotes(world):
    """The partner quotes cheap and slow (¥80,000, 12 days), a rival dear and fast."""
    rival = MembershipFactory(
        company=CompanyFactory(name="羽田熱錬工業株式会社"), role=CompanyRole.OWNER
    )
    job = make_job(world.users[MEMBER], world.company)
    rfq = services.rfq_send(
        actor=world.users[MEMBER],
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=[world.other_company, rival.company],
        deadline=deadline(),
    )
    valid = timezone.localdate() + dt.timedelta(days=20)
    for actor, company, price, days in (
        (world.users[OTHER_COMPANY], world.other_company, 80_000, 12),
        (rival.user, rival.company, 95_000, 3),
    ):
        services.quote_submit(
            actor=actor,
            recipient=rfq.recipients.get(company=company),
            price=price,
            lead_time_days=days,
            valid_until=valid,
        )
    return world, rfq, rfq.recipients.get(company=rival.company)


def test_each_quoted_column_starts_the_award_of_its_shop(two_quotes):
    world, rfq, _rival = two_quotes
    html = world.client_for(MEMBER).get(reverse("network:rfq_detail", args=[rfq.pk]))
    html = html.content.decode()
    for recipient in rfq.recipients.all():
        assert f"{reverse('network:rfq_award', args=[rfq.pk])}?winner={recipient.pk}" in html


def test_the_award_form_preselects_the_picked_shop_and_its_lead_time(two_quotes):
    world, rfq, rival = two_quotes
    url = reverse("network:rfq_award", args=[rfq.pk])
    page = world.client_for(MEMBER).get(f"{url}?winner={rival.pk}")
    form = page.context["form"]
    assert form.initial["winner"] == rival.pk
    assert form.initial["delivery_date"] == timezone.localdate() + dt.timedelta(days=3)
    html = page.content.decode()
    assert "95,000円 ・ 納期 3 日" in html
    assert "80,000円 ・ 納期 12 日" in html
    # Without a pick: the lowest price, with its own lead time.
    form = world.client_for(MEMBER).get(url).context["form"]
    partner = rfq.recipients.get(company=world.other_company)
    assert form.initial["winner"] == partner.pk
    assert form.initial["delivery_date"] == timezone.localdate() + dt.timedelta(days=12)
    # A pick that is no recipient of this RFQ (or no id at all) falls back, never a 500.
    for junk in ("999999999", "abc", "²", "9" * 30):
        page = world.client_for(MEMBER).get(f"{url}?winner={junk}")
        assert page.status_code == 200
        assert page.context["form"].initial["winner"] == partner.pk


def test_an_award_without_a_winner_says_so(two_quotes):
    world, rfq, _ = two_quotes
    url = reverse("network:rfq_award", args=[rfq.pk])
    client = world.client_for(MEMBER)
    terms = {k: v for k, v in client.get(url).context["form"].initial.items() if k != "winner"}
    page = client.post(url, {**terms, "payment_method": "bank_transfer"})
    assert page.context["form"].errors["winner"] == ["発注先を選んでください。"]
    assert "発注先を選んでください。" in page.content.decode()
    assert not rfq.job.orders.exists()


def test_the_buyers_award_preselects_its_only_team_and_names_a_missing_one(world):
    buyer = make_buyer()
    request = make_request(buyer)
    admit(request, world.company)
    team = quoted_team(
        request,
        world.company,
        {1: world.company, 2: world.other_company, 3: world.company, 4: world.company},
    )
    client = Client()
    client.force_login(owner_of(buyer))
    detail = client.get(reverse("board:request_detail", args=[request.pk])).content.decode()
    url = reverse("board:request_award", args=[request.pk])
    assert f"{url}?team={team.pk}" in detail
    form = client.get(url).context["form"]
    assert form.initial["team"] == team.pk
    terms = {k: v for k, v in form.initial.items() if k != "team"}
    refused = client.post(url, {**terms, "payment_method": "bank_transfer"})
    assert refused.context["form"].errors["team"] == ["発注するチームを選んでください。"]
    assert "発注するチームを選んでください。" in refused.content.decode()
    assert not Order.objects.filter(job__company=world.company).exists()
