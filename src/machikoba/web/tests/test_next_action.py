"""A company's profile ends in what a visiting shop can do next: ask for a quote (an RFQ
from one of its open jobs with the company preselected, or a new job) and write to it."""

from django.urls import reverse

from machikoba.board.tests.factories import make_buyer, owner_of
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY
from machikoba.messaging.tests.factories import make_thread
from machikoba.network.tests.factories import make_job


def _profile(client, company):
    return client.get(reverse("companies:detail", args=[company.pk])).content.decode()


def test_a_visiting_shop_asks_for_a_quote_from_its_open_job(world):
    job = make_job(world.users[OTHER_COMPANY], world.other_company)
    page = _profile(world.client_for(OTHER_COMPANY), world.company)
    assert 'data-testid="next-action"' in page
    rfq_url = f"{reverse('network:rfq_create', args=[job.pk])}?to={world.company.pk}"
    assert rfq_url in page
    # The RFQ form opens with the company chosen.
    form = world.client_for(OTHER_COMPANY).get(rfq_url).context["form"]
    assert form.initial["recipients"] == [str(world.company.pk)]


def test_without_a_job_the_shop_registers_one_first(world):
    page = _profile(world.client_for(OTHER_COMPANY), world.company)
    assert reverse("network:job_create") in page
    assert "案件を登録して見積を依頼" in page


def test_a_shared_thread_is_offered_for_a_message(world):
    thread = make_thread(world.company, world.other_company)
    page = _profile(world.client_for(OTHER_COMPANY), world.company)
    assert reverse("messaging:thread", args=[thread.pk]) in page


def test_no_next_action_on_ones_own_profile_for_the_floor_or_for_buyers(world):
    assert 'data-testid="next-action"' not in _profile(world.client_for(MEMBER), world.company)
    floor = world.client_for(FLOOR_WORKER)
    assert 'data-testid="next-action"' not in _profile(floor, world.other_company)
    buyer = make_buyer()
    client = world.client_for(MEMBER)
    client.force_login(owner_of(buyer))
    assert 'data-testid="next-action"' not in _profile(client, world.company)
