"""The API answers every refusal in one shape: {"code", "message", "fields"}."""

import pytest
from django.test import override_settings
from django.urls import reverse

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.matrix import MEMBER


def test_unauthenticated(client, db):
    response = client.get("/api/accounts/me")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": "ログインが必要です。",
        "fields": {},
    }


def test_not_found_is_the_same_for_missing_and_hidden(client, world):
    client.force_login(world.users[MEMBER])
    response = client.get("/api/companies/987654")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["message"] == "見つかりません。"


def test_validation_error_names_the_field(client, world):
    client.force_login(world.users[MEMBER])
    response = client.get("/api/companies/not-a-number")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "入力内容を確認してください。"
    assert "company_id" in body["fields"]


def test_messages_follow_the_language_cookie(client, world):
    client.cookies["django_language"] = "en"
    response = client.get("/api/accounts/me")
    assert response.json()["message"] == "You need to sign in."


def test_application_error_shape():
    error = ApplicationError(
        "quote_expired",
        "見積の有効期限が切れています。",
        fields={"quote": ["期限切れ"]},
        status_code=409,
    )
    assert error.as_dict() == {
        "code": "quote_expired",
        "message": "見積の有効期限が切れています。",
        "fields": {"quote": ["期限切れ"]},
    }
    assert error.status_code == 409


def test_application_error_from_a_view_renders_a_page_not_a_500(client, world):
    from django.urls import include, path

    def refusing_view(request):
        raise ApplicationError("demo_refusal", "この操作はできません。")

    urlpatterns = [path("refuse/", refusing_view), path("", include("machikoba.config.urls"))]
    module = type("urls", (), {"urlpatterns": urlpatterns})
    client.force_login(world.users[MEMBER])
    with override_settings(ROOT_URLCONF=module):
        response = client.get("/refuse/")
    assert response.status_code == 400
    assert "この操作はできません。" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        '{"\\ud9ca\\udd23": {"x": [true]}, "name": "\\udc00"}',  # lone surrogates
        '{"part_name": "\\u0000", "quantity": 1e309}',
        "[1, 2",
    ],
)
def test_undecodable_or_strange_json_is_a_422_not_a_500(client, world, body):
    client.force_login(world.users[MEMBER])
    response = client.post(reverse("api:network_job_create"), body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize("start", ["08:00:00+09:00", "08:00Z", "25:00", "8"])
def test_a_time_of_day_with_an_offset_or_out_of_range_is_a_422(client, world, start):
    client.force_login(world.users[MEMBER])
    response = client.post(
        reverse("api:shopfloor_shift_add"),
        {"name": "早番", "start": start, "end": "17:00"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "payload.start" in response.json()["fields"]


def test_a_nul_character_the_database_cannot_store_is_a_422_and_writes_nothing(client, world):
    from machikoba.shopfloor.models import Shift

    client.force_login(world.users[MEMBER])
    response = client.post(
        reverse("api:shopfloor_shift_add"),
        {"name": "早\x00番", "start": "08:00", "end": "17:00"},
        content_type="application/json",
    )
    from django.db import connection

    if connection.vendor != "postgresql":
        assert response.status_code == 201  # SQLite stores it as it is
        return
    assert response.status_code == 422  # PostgreSQL's text cannot hold it
    assert response.json()["code"] == "invalid"
    assert not Shift.objects.exists()


@pytest.mark.parametrize(
    ("error", "status"),
    [
        # Input breaking a rule: fields named, or the code says "invalid".
        (ApplicationError("invalid", "x"), 422),
        (ApplicationError("quote_invalid", "x", fields={"price": ["x"]}), 422),
        (ApplicationError("lab_booking_invalid_times", "x"), 422),
        (ApplicationError("machine_duplicate", "x", fields={"name": ["x"]}), 422),
        (ApplicationError("message_empty", "x", fields={"body": ["x"]}), 422),
        # A well-formed request the current state does not allow.
        (ApplicationError("order_not_open", "x"), 409),
        (ApplicationError("rfq_already_answered", "x"), 409),
        # A service naming its status keeps it.
        (ApplicationError("claim_expired", "x", status_code=410), 410),
        (ApplicationError("report_invalid_photo", "x", status_code=413), 413),
    ],
)
def test_a_refusal_answers_422_for_input_and_409_for_the_state(error, status):
    assert error.http_status() == status
