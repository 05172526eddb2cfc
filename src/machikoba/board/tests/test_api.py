"""The board API follows the board's pages: a whole joint order through it (post, admit,
hands, team, invitations, split, quotes, award), the same masking of prices and
identities, and refusals in the one error shape with nothing written."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.board.models import Request, Team
from machikoba.board.tests.factories import make_buyer, make_request, owner_of
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY, STAFF
from machikoba.network.models import Order

JSON = "application/json"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _send(client, url, payload=None, method="post"):
    return getattr(client, method)(url, data=json.dumps(payload or {}), content_type=JSON)


def _client_of(company):
    client = Client()
    client.force_login(owner_of(company))
    return client


def test_a_joint_order_through_the_api(world):
    today = timezone.localdate()
    buyer = make_buyer("大森重工")
    buyer_client = _client_of(buyer)
    lead, partner = world.client_for(MEMBER), world.client_for(OTHER_COMPANY)
    posted = _send(
        buyer_client,
        reverse("api:board_request_create"),
        {
            "part_name": "油圧シリンダ用シャフト",
            "drawing_number": "OS-7731",
            "quantity": 40,
            "due_date": str(today + dt.timedelta(days=45)),
            "answer_by": str(today + dt.timedelta(days=7)),
            "description": "φ40 h6",
            "route": [
                {"process": "cutting.turning.nc_lathe"},
                {"process": "grinding.cylindrical", "spec": "Ra0.4"},
            ],
        },
    )
    assert posted.status_code == 201, posted.content
    request_id = posted.json()["id"]
    board = lead.get(reverse("api:board_requests"), {"all": True}).json()
    assert request_id in [r["id"] for r in board["results"]]
    # The lead asks for the details and raises a hand; the buyer admits it.
    admission = _send(
        lead, reverse("api:board_admission_request", args=[request_id]), {"agree": True}
    )
    assert admission.status_code == 201
    admitted = _send(
        buyer_client,
        reverse("api:board_admission_decide", args=[admission.json()["id"]]),
        {"decision": "admit"},
    )
    assert admitted.json()["status"] == "admitted"
    detail = lead.get(reverse("api:board_request", args=[request_id])).json()
    assert detail["details"] is True
    assert detail["company_name"] == "大森重工"
    turning, grinding = (p["id"] for p in detail["processes"])
    hand = _send(
        lead,
        reverse("api:board_hand_raise", args=[turning]),
        {"price": 120000, "lead_time_days": 10},
        method="put",
    )
    assert hand.json()["price"] == 120000
    _send(
        partner,
        reverse("api:board_hand_raise", args=[grinding]),
        {"price": 55000, "comment": "円筒研削できます"},
        method="put",
    )
    # Neither the other shop's price nor the buyer's view hides what it should.
    seen_by_lead = lead.get(reverse("api:board_request", args=[request_id])).json()
    others = [h for p in seen_by_lead["processes"] for h in p["hands"]]
    partner_hand = next(h for h in others if h["company_id"] == world.other_company.pk)
    assert partner_hand["price"] is None
    seen_by_buyer = buyer_client.get(reverse("api:board_request", args=[request_id])).json()
    assert {h["price"] for p in seen_by_buyer["processes"] for h in p["hands"]} == {
        120000,
        55000,
    }
    # The team: form, invite, join, assign, quote internally, terms, one quote.
    team = _send(lead, reverse("api:board_team_form", args=[request_id]))
    assert team.status_code == 201
    team_id = team.json()["id"]
    invited = _send(
        lead,
        reverse("api:board_team_invite", args=[team_id]),
        {"company_id": world.other_company.pk},
    )
    joined = _send(
        partner, reverse("api:board_member_answer", args=[invited.json()["id"]]), {"answer": "join"}
    )
    assert joined.json()["status"] == "joined"
    lead_member = next(m for m in team.json()["members"] if m["company_id"] == world.company.pk)
    assigned = _send(
        lead,
        reverse("api:board_team_assign", args=[team_id]),
        {
            "assignments": [
                {"process_id": turning, "member_id": lead_member["id"]},
                {"process_id": grinding, "member_id": invited.json()["id"]},
            ]
        },
        method="put",
    )
    assert assigned.json()["assignments"] == {
        str(turning): lead_member["id"],
        str(grinding): invited.json()["id"],
    }
    for client, member_id, price in (
        (lead, lead_member["id"], 110000),
        (partner, invited.json()["id"], 50000),
    ):
        quoted = _send(
            client,
            reverse("api:board_member_quote", args=[member_id]),
            {"price": price, "delivery_date": str(today + dt.timedelta(days=30))},
        )
        assert quoted.status_code == 200, quoted.content
    _send(
        lead,
        reverse("api:board_team_terms", args=[team_id]),
        {"margin": 20000, "payment_days": 30},
        method="put",
    )
    # The partner sees its own line only; the lead all of them.
    partner_view = partner.get(reverse("api:board_team", args=[team_id])).json()
    amounts = {line["company_id"]: line["amount"] for line in partner_view["lines"]}
    assert amounts == {world.company.pk: None, world.other_company.pk: 50000}
    assert partner_view["margin"] is None
    sent = _send(
        lead,
        reverse("api:board_team_quote", args=[team_id]),
        {"lead_time_days": 30, "valid_until": str(today + dt.timedelta(days=30))},
    )
    assert sent.json()["price"] == 180000
    buyer_view = buyer_client.get(reverse("api:board_team", args=[team_id])).json()
    assert buyer_view["price"] == 180000
    assert {line["amount"] for line in buyer_view["lines"]} == {None}
    awarded = _send(
        buyer_client,
        reverse("api:board_request_award", args=[request_id]),
        {
            "team_id": team_id,
            "delivery_place": "大森重工 第二工場",
            "inspection_date": str(today + dt.timedelta(days=45)),
            "payment_date": str(today + dt.timedelta(days=75)),
        },
    )
    assert awarded.status_code == 201, awarded.content
    assert Order.objects.get(pk=awarded.json()["buyer_order_id"]).price == 180000
    assert Team.objects.get(pk=team_id).status == "awarded"
    thread = _send(lead, reverse("api:board_team_thread", args=[team_id]))
    assert (
        partner.get(reverse("api:messaging_thread", args=[thread.json()["thread_id"]])).status_code
        == 200
    )


def test_a_bad_request_is_refused_with_fields_and_nothing_is_posted(world):
    today = timezone.localdate()
    client = world.client_for(STAFF)
    base = {
        "part_name": "フランジ",
        "quantity": 10,
        "due_date": str(today + dt.timedelta(days=3)),
        "answer_by": str(today + dt.timedelta(days=7)),
        "route": [{"process": "no.such.process"}],
    }
    response = _send(client, reverse("api:board_request_create"), base)
    assert response.status_code == 422
    assert response.json()["code"] == "request_invalid"
    assert set(response.json()["fields"]) == {"route"}
    dates = _send(
        client,
        reverse("api:board_request_create"),
        base | {"route": [{"process": "grinding.cylindrical"}]},
    )
    assert dates.status_code == 422
    assert set(dates.json()["fields"]) == {"due_date"}
    schema = _send(client, reverse("api:board_request_create"), base | {"quantity": 0, "route": []})
    assert schema.status_code == 422
    assert {"payload.quantity", "payload.route"} <= set(schema.json()["fields"])
    assert Request.objects.count() == 0


def test_another_companys_posted_request_stays_hidden_when_sent_to_chosen_shops(world):
    third = MembershipFactory(company=CompanyFactory(name="第三精工")).company
    request = make_request(make_buyer(), audience="chosen", invited=[third])
    client = world.client_for(OTHER_COMPANY)
    assert client.get(reverse("api:board_request", args=[request.pk])).status_code == 404
    board = client.get(reverse("api:board_requests"), {"all": True}).json()
    assert request.pk not in [r["id"] for r in board["results"]]


def test_posting_a_job_names_its_wrong_steps_and_a_job_without_partner_steps_is_refused(world):
    from machikoba.network.tests.factories import make_job

    owner = world.users[MEMBER]
    client = world.client_for(MEMBER)
    job = make_job(owner, world.company)
    partner_steps = list(job.steps.filter(in_house=False).values_list("pk", flat=True))
    in_house = job.steps.filter(in_house=True).first()
    answer_by = str(timezone.localdate() + dt.timedelta(days=5))
    url = reverse("api:board_job_post", args=[job.pk])

    wrong = _send(client, url, {"step_ids": [in_house.pk], "answer_by": answer_by})
    assert wrong.status_code == 422, wrong.content
    assert wrong.json()["code"] == "request_invalid"
    assert "step_ids" in wrong.json()["fields"]

    only_in_house = make_job(owner, world.company, route=[("cutting.turning.nc_lathe", True)])
    nothing = _send(
        client,
        reverse("api:board_job_post", args=[only_in_house.pk]),
        {"step_ids": [only_in_house.steps.get().pk], "answer_by": answer_by},
    )
    assert nothing.status_code == 409, nothing.content
    assert nothing.json()["code"] == "board_nothing_to_post"
    assert not Request.objects.exists()

    posted = _send(client, url, {"step_ids": partner_steps, "answer_by": answer_by})
    assert posted.status_code == 201, posted.content
    assert Request.objects.get().pk == posted.json()["id"]
