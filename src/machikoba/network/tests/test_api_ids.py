"""Ids beyond the database's 64-bit range in the network API, in the path or in the
body, are refused as invalid input (422, the API's error shape), never a 500, and
nothing is written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.models import AuditEvent
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.network.models import Order, Quote, Rfq
from machikoba.network.tests.factories import make_job, order_terms
from machikoba.network.tests.test_permissions import _rfq

pytestmark = pytest.mark.clock_sensitive

HUGE = 99999999999999999999  # > 2**63 - 1
JSON = "application/json"


def _refused_as_invalid(response, field):
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "入力内容を確認してください。"
    assert field in body["fields"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("network_decline", {"reason": "手一杯です"}),
        (
            "network_quote",
            {
                "price": 1000,
                "lead_time_days": 3,
                "valid_until": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            },
        ),
    ],
)
def test_an_rfq_id_beyond_64_bits_is_invalid_not_a_500(client, world, name, data):
    client.force_login(world.users[OTHER_COMPANY])
    events = AuditEvent.objects.count()
    url = reverse(f"api:{name}", args=[1]).replace("/1/", f"/{HUGE}/")
    _refused_as_invalid(client.post(url, data, content_type=JSON), "rfq_id")
    assert AuditEvent.objects.count() == events
    assert not Quote.objects.exists()


def test_a_winner_id_beyond_64_bits_is_invalid_not_a_500(client, world):
    rfq = _rfq(world)
    client.force_login(world.users[MEMBER])
    response = client.post(
        reverse("api:network_award", args=[rfq.pk]),
        {"winner_company_id": HUGE, **{k: str(v) for k, v in order_terms().items()}},
        content_type=JSON,
    )
    _refused_as_invalid(response, "payload.winner_company_id")
    assert not Order.objects.exists()


def test_step_and_recipient_ids_beyond_64_bits_are_invalid(client, world):
    job = make_job(world.users[MEMBER], world.company)
    client.force_login(world.users[MEMBER])
    response = client.post(
        reverse("api:network_rfq_send", args=[job.pk]),
        {
            "step_ids": [job.steps.get(position=2).pk, HUGE],
            "recipient_ids": [HUGE],
            "deadline": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        },
        content_type=JSON,
    )
    _refused_as_invalid(response, "payload.step_ids.1")
    assert "payload.recipient_ids.0" in response.json()["fields"]
    assert not Rfq.objects.exists()
