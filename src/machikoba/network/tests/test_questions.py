"""Questions on an RFQ: asked by a shop, answered by the owner, shown to every shop asked
when public and to the asker alone when private."""

import pytest
from django.urls import reverse

from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.clock import in_years
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.network import services
from machikoba.network.models import RfqQuestion
from machikoba.network.tests.factories import deadline, make_job

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _rfq(world, *, public):
    rival = MembershipFactory(company=CompanyFactory(name="ライバル工業"), role=CompanyRole.OWNER)
    job = make_job(world.users[MEMBER], world.company)
    rfq = services.rfq_send(
        actor=world.users[MEMBER],
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=[world.other_company, rival.company],
        deadline=deadline(),
        questions_public=public,
    )
    return rfq, rival


def _ask_and_answer(world, rfq):
    question = services.rfq_question_ask(
        actor=world.users[OTHER_COMPANY],
        recipient=rfq.recipients.get(company=world.other_company),
        question="焼入れ後の歪み取りは必要ですか",
    )
    services.rfq_question_answer(
        actor=world.users[MEMBER], question=question, answer="不要です。研削代 0.3 mm あり"
    )
    return question


def _page(client, rfq) -> str:
    return client.get(reverse("network:rfq_detail", args=[rfq.pk])).content.decode()


def test_a_public_answer_reaches_every_shop_asked_without_the_askers_name(world):
    rfq, rival = _rfq(world, public=True)
    _ask_and_answer(world, rfq)
    from django.test import Client

    rival_client = Client()
    rival_client.force_login(rival.user)
    page = _page(rival_client, rfq)
    assert "歪み取り" in page
    assert "研削代 0.3 mm" in page
    assert world.other_company.name not in page


def test_a_private_question_stays_between_asker_and_owner(world):
    rfq, rival = _rfq(world, public=False)
    _ask_and_answer(world, rfq)
    from django.test import Client

    rival_client = Client()
    rival_client.force_login(rival.user)
    assert "歪み取り" not in _page(rival_client, rfq)
    assert "研削代 0.3 mm" in _page(world.client_for(OTHER_COMPANY), rfq)
    owner_page = _page(world.client_for(MEMBER), rfq)
    assert world.other_company.name in owner_page


def test_question_rules(world):
    rfq, rival = _rfq(world, public=True)
    recipient = rfq.recipients.get(company=world.other_company)
    with pytest.raises(ApplicationError):
        services.rfq_question_ask(
            actor=world.users[OTHER_COMPANY], recipient=recipient, question=" "
        )
    with pytest.raises(PermissionRefused):
        services.rfq_question_ask(actor=rival.user, recipient=recipient, question="x")
    question = _ask_and_answer(world, rfq)
    with pytest.raises(ApplicationError) as refused:
        services.rfq_question_answer(actor=world.users[MEMBER], question=question, answer="again")
    assert refused.value.code == "question_answered"
    with pytest.raises(PermissionRefused):
        services.rfq_question_answer(
            actor=world.users[OTHER_COMPANY], question=question, answer="x"
        )
    assert RfqQuestion.objects.count() == 1


def test_quantity_breaks_are_read_from_the_quote_form_and_shown_to_the_owner(world):
    rfq, _rival = _rfq(world, public=True)
    client = world.client_for(OTHER_COMPANY)
    url = reverse("network:quote_submit", args=[rfq.pk])
    base = {"price": "60000", "lead_time_days": "5", "valid_until": str(in_years(1))}
    refused = client.post(url, {**base, "quantity_breaks": "100:abc"})
    assert "読み取れません" in refused.content.decode()
    client.post(url, {**base, "quantity_breaks": "100:90000円、300：240000"})
    quote = rfq.recipients.get(company=world.other_company).quote
    assert quote.quantity_breaks == [
        {"quantity": 100, "price": 90000},
        {"quantity": 300, "price": 240000},
    ]
    owner_page = world.client_for(MEMBER).get(reverse("network:rfq_detail", args=[rfq.pk]))
    assert "300: 240,000円" in owner_page.content.decode()
