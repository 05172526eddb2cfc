"""New business relationships as the parties read them and as a ward's office counts them:
a party sees its own partners; the office of either company's ward counts pairs per month,
never reads a row; another company, another ward's office and the metro viewer get
nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.access import SUPPORT, VIEW
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, MembershipFactory, ward
from machikoba.core.testing.matrix import (
    LAB_STAFF,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
)
from machikoba.network import services
from machikoba.network.models import BusinessMatch
from machikoba.network.selectors.matches import (
    first_award_counts_by_month,
    first_awards_of_company,
)
from machikoba.network.tests.factories import deadline, make_job, order_terms


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _award(world, supplier):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    step = list(job.steps.order_by("position"))[1]
    rfq = services.rfq_send(
        actor=owner, job=job, steps=[step], recipients=[supplier], deadline=deadline()
    )
    recipient = rfq.recipients.get()
    services.quote_submit(
        actor=supplier.memberships.get().user,
        recipient=recipient,
        price=50_000,
        lead_time_days=5,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    services.rfq_award(actor=owner, rfq=rfq, winner=recipient, **order_terms())


@pytest.fixture
def matched(world):
    """Two new relationships of world.company: with 大田区's other company and with a
    墨田区 shop; a second award with the first is no new match."""
    sumida = CompanyFactory(name="墨田めっき", ward=ward(SUMIDA), municipality="墨田区")
    MembershipFactory(company=sumida)
    other = world.other_company
    _award(world, other)
    _award(world, other)
    _award(world, sumida)
    return other, sumida


def _window():
    now = timezone.now()
    return now - dt.timedelta(days=40), now + dt.timedelta(days=1)


def test_a_party_reads_its_new_partners(world, matched):
    other, sumida = matched
    awards = first_awards_of_company(world.users[MEMBER], world.company.pk)
    assert sorted(a.partner_name for a in awards) == sorted([other.name, sumida.name])
    seen_by_other = first_awards_of_company(world.users[OTHER_COMPANY], other.pk)
    assert [a.partner_id for a in seen_by_other] == [world.company.pk]
    # Not a member of world.company: of its relationships, only the one with itself.
    asked = first_awards_of_company(world.users[OTHER_COMPANY], world.company.pk)
    assert [a.partner_id for a in asked] == [other.pk]
    assert sumida.name not in {a.partner_name for a in asked}


def test_the_office_counts_pairs_of_its_ward_and_reads_no_row(world, matched):
    start, end = _window()
    month = timezone.localdate().replace(day=1)
    for actor in (OFFICER, LAB_STAFF):
        user = world.users[actor]
        counts = first_award_counts_by_month(user, ward_ids=[ward().pk], start=start, end=end)
        assert counts == {month: 2}, actor
        assert not BusinessMatch.objects.for_user(user, VIEW).exists(), actor
    sumida_office = world.users[OTHER_WARD_OFFICER]
    counts = first_award_counts_by_month(
        sumida_office, ward_ids=[ward(SUMIDA).pk], start=start, end=end
    )
    assert counts == {month: 1}  # only the pair with its own shop
    # Asking for another ward's figures gives only what its own office may count.
    counts = first_award_counts_by_month(sumida_office, ward_ids=[ward().pk], start=start, end=end)
    assert counts == {month: 1}


def test_others_count_nothing(world, matched):
    start, end = _window()
    for actor in (METRO_VIEWER, OTHER_COMPANY, MEMBER):
        user = world.users[actor]
        assert not BusinessMatch.objects.for_user(user, SUPPORT).exists(), actor
        assert first_award_counts_by_month(user, ward_ids=[ward().pk], start=start, end=end) == {}


def test_a_window_outside_the_awards_counts_nothing(world, matched):
    now = timezone.now()
    counts = first_award_counts_by_month(
        world.users[OFFICER],
        ward_ids=[ward().pk],
        start=now - dt.timedelta(days=400),
        end=now - dt.timedelta(days=300),
    )
    assert counts == {}
