"""Sending an RFQ through the API: a job with no partner step left in the plan is the
job's state (409), wrong steps of a job that has some are a field (422); nothing is
written either way."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.network.models import Rfq
from machikoba.network.tests.factories import make_job

pytestmark = pytest.mark.clock_sensitive

JSON = "application/json"


def _send(client, job, step_ids, recipient):
    return client.post(
        reverse("api:network_rfq_send", args=[job.pk]),
        {
            "step_ids": step_ids,
            "recipient_ids": [recipient.pk],
            "deadline": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        },
        content_type=JSON,
    )


def test_nothing_left_to_quote_is_409_and_wrong_steps_422(client, world):
    job = make_job(world.users[MEMBER], world.company)
    partner = world.users[OTHER_COMPANY].memberships.get().company
    client.force_login(world.users[MEMBER])
    in_house = job.steps.get(position=1).pk
    wrong = _send(client, job, [in_house], partner)
    assert wrong.status_code == 422
    assert "steps" in wrong.json()["fields"]
    assert not Rfq.objects.exists()

    partner_steps = list(job.steps.filter(in_house=False).values_list("pk", flat=True))
    assert _send(client, job, partner_steps, partner).status_code == 201
    again = _send(client, job, partner_steps, partner)
    assert again.status_code == 409
    assert again.json()["code"] == "rfq_nothing_to_quote"
    assert Rfq.objects.count() == 1
