"""The order PDF, the traveler tag and the one-tap handoff page the tag's QR code opens."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from machikoba.core.dates import format_date
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY
from machikoba.network.models import Step
from machikoba.network.tests.test_permissions import _order

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_order_pdf_states_what_the_subcontract_act_requires(world):
    world.company.invoice_number = "T1234567890123"
    world.company.save()
    order = _order(world)
    text = _text(world.client_for(OTHER_COMPANY).get(reverse("network:order_pdf", args=[order.pk])))
    for expected in (
        "注文書",
        order.number,
        world.company.name,
        world.other_company.name,
        "T1234567890123",
        "給付の内容",
        "80,000円",
        "納入場所",
        "検査完了日",
        "支払期日",
        format_date(order.payment_date),
        "銀行振込",
        "請書待ち",
    ):
        assert expected in text, expected


def test_the_traveler_tag_names_the_parts_and_carries_the_handoff_link(world):
    order = _order(world)
    step = order.steps.get()
    response = world.client_for(MEMBER).get(reverse("network:traveler_pdf", args=[step.pk]))
    text = _text(response)
    assert "現品票" in text
    assert "段付きシャフト" in text
    assert world.other_company.name in text
    assert f"/t/{step.pk}/" in text.replace("\n", "")


def test_handoff_is_one_tap_for_each_party(world):
    order = _order(world)
    client = world.client_for(OTHER_COMPANY)
    client.post(reverse("network:order_accept", args=[order.pk]))
    first = Step.objects.get(job=order.job, position=1)  # in-house at the owner
    worker = world.client_for(FLOOR_WORKER)
    url = reverse("network:handoff", args=[first.pk])
    for action, status in (("start", "in_progress"), ("finish", "done"), ("ship", "shipped")):
        page = worker.get(url)
        assert f'value="{action}"' in page.content.decode()
        worker.post(url, {"action": action})
        first.refresh_from_db()
        assert first.status == status
    assert first.shipped_quantity == order.job.quantity
    # The heat treater (next step) receives the parts in one tap.
    page = client.get(url).content.decode()
    assert 'value="receive"' in page
    client.post(url, {"action": "receive"})
    first.refresh_from_db()
    assert (first.status, first.good_quantity) == ("received", order.job.quantity)


def test_handoff_refuses_an_action_that_is_not_due(world):
    order = _order(world)
    first = Step.objects.get(job=order.job, position=1)
    response = world.client_for(FLOOR_WORKER).post(
        reverse("network:handoff", args=[first.pk]), {"action": "ship"}, follow=True
    )
    assert "この操作は今はできません" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "planned"
