"""The lab API's behaviour: the same rules as the pages through the same services, bad
input refused with the one error shape ``{code, message, fields}`` and nothing written,
and what one caller sees of another's rows."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from machikoba.core.testing.factories_lab import make_item, make_lab, open_day, slot
from machikoba.core.testing.matrix import (
    LAB_STAFF,
    MEMBER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    VENDOR,
)
from machikoba.lab.choices import BookingStatus
from machikoba.lab.models import Item
from machikoba.lab.models_bookings import Booking
from machikoba.lab.tests import test_permissions_catalogue as catalogue

pytestmark = [pytest.mark.clock_sensitive, pytest.mark.django_db]

JSON = "application/json"


def _send(client, method, url, payload=None):
    return getattr(client, method)(url, data=json.dumps(payload or {}), content_type=JSON)


def _times(day, hour, hours=1):
    start, _ = slot(day, hour)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=hours)).isoformat(),
        "purpose": "協働ロボットの試し",
    }


@pytest.fixture
def item():
    lab = make_lab()
    return make_item(lab)


def test_a_booking_through_the_api(world, item):
    owner = world.client_for(MEMBER)
    day = open_day(item.lab, 3)
    free = owner.get(
        reverse("api:lab_item_availability", args=[item.pk]), {"day": day.isoformat()}
    ).json()
    assert free["day"] == day.isoformat()
    assert any(s["state"] == "free" for s in free["slots"])
    created = _send(
        owner, "post", reverse("api:lab_booking_create", args=[item.pk]), _times(day, 10)
    )
    assert created.status_code == 201, created.json()
    booking = created.json()
    assert booking["company"]["id"] == world.company.pk
    assert booking["may_modify"]
    assert booking["may_cancel"]
    mine = owner.get(reverse("api:lab_my_bookings")).json()
    assert [b["id"] for b in mine["upcoming"]] == [booking["id"]]
    moved = _send(
        owner, "patch", reverse("api:lab_booking_change", args=[booking["id"]]), _times(day, 14)
    )
    assert moved.status_code == 200
    assert Booking.objects.get().starts_at == slot(day, 14)[0]
    cancelled = _send(owner, "post", reverse("api:lab_booking_cancel", args=[booking["id"]]))
    assert cancelled.json()["status"] == BookingStatus.CANCELLED
    # Another company finds nothing of it.
    other = world.client_for(OTHER_COMPANY)
    assert other.get(reverse("api:lab_booking", args=[booking["id"]])).status_code == 404
    assert other.get(reverse("api:lab_my_bookings")).json()["upcoming"] == []


def test_a_full_slot_is_refused_with_the_services_code_and_nothing_is_written(world, item):
    day = open_day(item.lab, 3)
    url = reverse("api:lab_booking_create", args=[item.pk])
    assert _send(world.client_for(MEMBER), "post", url, _times(day, 10)).status_code == 201
    refused = _send(world.client_for(OTHER_COMPANY), "post", url, _times(day, 10))
    assert refused.status_code == 409  # the service's conflict, as for the page
    body = refused.json()
    assert body["code"] == "lab_booking_capacity_full"
    assert set(body) == {"code", "message", "fields"}
    assert Booking.objects.count() == 1


def test_bad_input_is_a_422_with_fields_and_nothing_is_written(world, item):
    day = open_day(item.lab, 3)
    start, end = slot(day, 10)
    payload = {
        "starts_at": start.replace(tzinfo=None).isoformat(),  # no time zone
        "ends_at": end.isoformat(),
        "purpose": "x" * 301,
    }
    response = _send(
        world.client_for(MEMBER), "post", reverse("api:lab_booking_create", args=[item.pk]), payload
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert {"starts_at", "purpose"} <= {name.split(".")[-1] for name in body["fields"]}
    assert not Booking.objects.exists()


def test_a_vendor_changes_its_exhibits_texts_only(world):
    item = catalogue._exhibit(world)
    vendor = world.client_for(VENDOR)
    url = reverse("api:lab_item_update", args=[item.pk])
    done = _send(vendor, "patch", url, {"summary": "現場の稼働を見える化", "specs": "Wi-Fi"})
    assert done.status_code == 200
    assert done.json()["summary"] == "現場の稼働を見える化"
    refused = _send(vendor, "patch", url, {"capacity": 5})
    assert refused.status_code == 403
    assert refused.json()["code"] == "lab_item_field_not_editable"
    assert Item.objects.get(pk=item.pk).capacity == 1
    staff = _send(
        world.client_for(LAB_STAFF), "patch", url, {"capacity": 5, "name": "見える化キット"}
    )
    assert staff.json()["capacity"] == 5


def test_another_wards_officer_and_the_metro_viewer_get_no_figures(world):
    lab = catalogue._lab(world)
    url = reverse("api:lab_stats_read", args=[lab.pk])
    assert world.client_for(LAB_STAFF).get(url).json()["lab_id"] == lab.pk
    for actor in (OTHER_WARD_OFFICER, "metro_viewer", OTHER_COMPANY):
        assert world.client_for(actor).get(url).status_code == 404
    future = world.client_for(LAB_STAFF).get(url, {"year": 9999})
    assert future.status_code == 422
    assert "year" in future.json()["fields"]


def test_lists_are_paged(world):
    for number in range(3):
        make_lab(name=f"ラボ {number}")
    client = world.client_for(MEMBER)
    first = client.get(reverse("api:lab_labs"), {"per_page": 2}).json()
    assert (first["count"], first["pages"], len(first["results"])) == (3, 2, 2)
    assert client.get(reverse("api:lab_labs"), {"per_page": 500}).status_code == 422


def test_the_statistics_export_is_the_pages_file(world):
    lab = catalogue._lab(world)
    url = reverse("api:lab_stats_export", args=[lab.pk])
    response = world.client_for(LAB_STAFF).get(url, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert world.client_for(LAB_STAFF).get(url, {"format": "pdf"}).status_code == 422
