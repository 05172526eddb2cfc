"""The network API: its permission matrix, and the same services, rules and error shape
as the pages."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.clock import yesterday
from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.network.models import Order, Step
from machikoba.network.tests.factories import make_job, order_terms
from machikoba.network.tests.test_permissions import _order, _rfq

JSON = "application/json"

# People with no company (officers of any ward, the metro viewer, the company's advisor
# and its owner's instructor, a reviewer, lab staff): the network's API is for companies,
# and they get 403 from it.
NO_COMPANY = dict.fromkeys(
    (OFFICER, OTHER_WARD_OFFICER, METRO_VIEWER, ADVISOR, INSTRUCTOR, REVIEWER, LAB_STAFF), 403
)


def _job_url(name):
    return lambda w: reverse(f"api:{name}", args=[make_job(w.users[MEMBER], w.company).pk])


def _new_job(w):
    return {
        "part_name": "フランジ",
        "quantity": 20,
        "due_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "material": "SUS304",
    }


MATRIX = [
    Case(
        "api:network_jobs",
        lambda w: reverse("api:network_jobs"),
        expect(200, **{ANONYMOUS: 401, **NO_COMPANY, "admin": 403}),
    ),
    Case(
        "api:network_job_create",
        lambda w: reverse("api:network_job_create"),
        expect(201, **{ANONYMOUS: 401, FLOOR_WORKER: 403, **NO_COMPANY, "admin": 403}),
        method="POST",
        data=_new_job,
        content_type=JSON,
    ),
    Case(
        "api:network_job",
        _job_url("network_job"),
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200}),
    ),
    Case(
        "api:network_step_add",
        _job_url("network_step_add"),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 403}),
        method="POST",
        data=lambda w: {"process": "grinding.surface"},
        content_type=JSON,
    ),
    Case(
        "api:network_step_transition",
        lambda w: reverse(
            "api:network_step_transition",
            args=[make_job(w.users[MEMBER], w.company).steps.get(position=1).pk],
        ),
        # In-house step 1: any member of the owner starts it; nobody else sees it.
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200}),
        method="POST",
        data=lambda w: {"action": "start"},
        content_type=JSON,
    ),
    Case(
        "api:network_rfq_send",
        _job_url("network_rfq_send"),
        # Ids that are no step or shop of theirs come back as a refusal with fields (422)
        # for the editors.
        expect(404, **{ANONYMOUS: 401, MEMBER: 422, STAFF: 422, FLOOR_WORKER: 403}),
        method="POST",
        data=lambda w: {
            "step_ids": [987_654_321],
            "recipient_ids": [987_654_321],
            "deadline": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        },
        content_type=JSON,
    ),
    Case(
        "api:network_rfq",
        lambda w: reverse("api:network_rfq", args=[_rfq(w).pk]),
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, OTHER_COMPANY: 200},
        ),
    ),
    Case(
        "api:network_quote",
        lambda w: reverse("api:network_quote", args=[_rfq(w).pk]),
        expect(404, **{ANONYMOUS: 401, OTHER_COMPANY: 201, **NO_COMPANY, "admin": 403}),
        method="POST",
        data=lambda w: {
            "price": 50000,
            "lead_time_days": 5,
            "valid_until": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
        },
        content_type=JSON,
    ),
    Case(
        "api:network_decline",
        lambda w: reverse("api:network_decline", args=[_rfq(w).pk]),
        expect(404, **{ANONYMOUS: 401, OTHER_COMPANY: 200, **NO_COMPANY, "admin": 403}),
        method="POST",
        data=lambda w: {"reason": "設備が空いていない"},
        content_type=JSON,
    ),
    Case(
        "api:network_award",
        lambda w: reverse("api:network_award", args=[_rfq(w).pk]),
        # No quote yet: the editors get the refusal (409); the recipient may not award.
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 409, STAFF: 409, FLOOR_WORKER: 403, OTHER_COMPANY: 403},
        ),
        method="POST",
        data=lambda w: {
            "winner_company_id": w.other_company.pk,
            **{k: str(v) for k, v in order_terms().items()},
        },
        content_type=JSON,
    ),
    Case(
        "api:network_order",
        lambda w: reverse("api:network_order", args=[_order(w).pk]),
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200, OTHER_COMPANY: 200},
        ),
    ),
    Case(
        "api:network_order_accept",
        lambda w: reverse("api:network_order_accept", args=[_order(w).pk]),
        # The buyer's people are refused by the service (403): only the supplier accepts.
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 403, OTHER_COMPANY: 200},
        ),
        method="POST",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert_case(case, world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type=JSON)


def test_a_whole_exchange_through_the_api(world):
    owner, partner = world.client_for(MEMBER), world.client_for(OTHER_COMPANY)
    job = _post(owner, reverse("api:network_job_create"), _new_job(world)).json()
    assert job["material"] == "SUS304"
    for process, in_house in (("cutting.turning.nc_lathe", True), ("grinding.surface", False)):
        response = _post(
            owner,
            reverse("api:network_step_add", args=[job["id"]]),
            {"process": process, "in_house": in_house},
        )
        assert response.status_code == 201
    steps = owner.get(reverse("api:network_job", args=[job["id"]])).json()["steps"]
    rfq = _post(
        owner,
        reverse("api:network_rfq_send", args=[job["id"]]),
        {
            "step_ids": [steps[1]["id"]],
            "recipient_ids": [world.other_company.pk],
            "deadline": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        },
    ).json()
    assert rfq["recipients"][0]["status"] == "invited"
    quoted = _post(
        partner,
        reverse("api:network_quote", args=[rfq["id"]]),
        {
            "price": 64000,
            "lead_time_days": 4,
            "valid_until": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
        },
    )
    assert quoted.status_code == 201
    terms = {k: str(v) for k, v in order_terms().items()}
    order = _post(
        owner,
        reverse("api:network_award", args=[rfq["id"]]),
        {"winner_company_id": world.other_company.pk, **terms},
    ).json()
    assert order["price"] == 64000
    accepted = _post(partner, reverse("api:network_order_accept", args=[order["id"]]), {})
    assert accepted.json()["status"] == "accepted"
    first = reverse("api:network_step_transition", args=[steps[0]["id"]])
    for action in ("start", "finish"):
        assert _post(owner, first, {"action": action}).status_code == 200
    assert _post(owner, first, {"action": "ship", "quantity": 20}).json()["status"] == "shipped"
    received = _post(partner, first, {"action": "receive", "good_quantity": 20})
    assert received.json()["status"] == "received"
    # The partner sees the part, its step and the step it received from; not the route.
    partner_view = partner.get(reverse("api:network_job", args=[job["id"]])).json()
    assert [s["position"] for s in partner_view["steps"]] == [1, 2]
    assert Order.objects.get().status == "accepted"


def test_refusals_have_the_one_error_shape(world):
    rfq = _rfq(world)
    response = _post(
        world.client_for(OTHER_COMPANY),
        reverse("api:network_quote", args=[rfq.pk]),
        {"price": 1000, "lead_time_days": 5, "valid_until": str(yesterday())},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "quote_invalid"
    assert set(body["fields"]) == {"valid_until"}
    # What the schema states is refused before the service, in the same shape.
    below = _post(
        world.client_for(OTHER_COMPANY),
        reverse("api:network_quote", args=[rfq.pk]),
        {"price": -5, "lead_time_days": 0, "valid_until": str(yesterday())},
    )
    assert below.status_code == 422
    assert below.json()["code"] == "invalid"
    assert {"payload.price", "payload.lead_time_days"} <= set(below.json()["fields"])
    skipped = _post(
        world.client_for(MEMBER),
        reverse("api:network_step_transition", args=[Step.objects.get(job=rfq.job, position=1).pk]),
        {"action": "ship", "quantity": 5},
    )
    assert skipped.status_code == 409
    assert skipped.json()["code"] == "step_wrong_state"


def test_recipients_see_only_their_own_answer(world):
    from machikoba.companies.choices import CompanyRole
    from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
    from machikoba.network import services
    from machikoba.network.tests.factories import deadline

    rival = MembershipFactory(company=CompanyFactory(), role=CompanyRole.OWNER)
    job = make_job(world.users[MEMBER], world.company)
    rfq = services.rfq_send(
        actor=world.users[MEMBER],
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=[world.other_company, rival.company],
        deadline=deadline(),
    )
    body = world.client_for(OTHER_COMPANY).get(reverse("api:network_rfq", args=[rfq.pk])).json()
    assert [r["company_id"] for r in body["recipients"]] == [world.other_company.pk]
    owner_body = world.client_for(MEMBER).get(reverse("api:network_rfq", args=[rfq.pk])).json()
    assert len(owner_body["recipients"]) == 2
