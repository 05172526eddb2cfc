"""The advisory API end to end: the same services and rules as the pages, refusals in the
one error shape with nothing written, uploads stopped at the same size limit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.advisory.models import Engagement, PhaseEvidence, SupportRequest, Visit
from machikoba.core.testing.factories import force_login_with_mfa, jpeg_bytes

JSON = "application/json"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(user, *, mfa=False):
    client = Client()
    if mfa:
        force_login_with_mfa(client, user)
    else:
        client.force_login(user)
    return client


def _post(client, name, args=(), payload=None, method="post"):
    return getattr(client, method)(
        reverse(f"api:{name}", args=list(args)),
        data=json.dumps(payload or {}),
        content_type=JSON,
    )


def _visit_times(days_ago=1, minutes=90):
    start = (timezone.localtime() - dt.timedelta(days=days_ago)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return start, start + dt.timedelta(minutes=minutes)


def test_request_dispatch_visit_and_sign_off(cast):
    owner, officer = _client(cast.owner), _client(cast.officer, mfa=True)
    advisor = _client(cast.advisor.user)
    created = _post(
        owner,
        "advisory_request_create",
        payload={"topics": "生産管理", "description": "見積に時間がかかる"},
    )
    assert created.status_code == 201
    request_id = created.json()["id"]
    inbox = officer.get(reverse("api:advisory_office_requests")).json()
    assert [r["id"] for r in inbox["results"]] == [request_id]
    today = timezone.localdate()
    assigned = _post(
        officer,
        "advisory_assign",
        [request_id],
        {
            "advisor_ids": [cast.advisor.pk],
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=180)).isoformat(),
        },
    )
    assert assigned.status_code == 201
    engagement = assigned.json()
    assert [p["kind"] for p in engagement["phases"]] == [
        "issues",
        "tool_selection",
        "rollout",
        "adoption",
        "measurement",
    ]
    assert engagement["members"][0]["advisor"]["id"] == cast.advisor.pk
    start, end = _visit_times()
    Engagement.objects.filter(pk=engagement["id"]).update(starts_on=today - dt.timedelta(days=5))
    visit = _post(
        advisor,
        "advisory_visit_create",
        [engagement["id"]],
        {"starts_at": start.isoformat(), "ends_at": end.isoformat(), "work_done": "聞き取り"},
    )
    assert visit.status_code == 201, visit.json()
    assert visit.json()["minutes"] == 90
    page = owner.get(reverse("api:advisory_company")).json()
    assert [v["id"] for v in page["awaiting_sign_off"]] == [visit.json()["id"]]
    signed = _post(owner, "advisory_visit_sign_off", [visit.json()["id"]])
    assert signed.status_code == 200
    assert signed.json()["signed_off_at"] is not None
    assert SupportRequest.objects.get(pk=request_id).status == "assigned"


def test_a_refused_visit_has_the_error_shape_and_writes_nothing(cast):
    from machikoba.core.testing.factories_programs import make_engagement

    engagement = make_engagement(cast.company, [cast.advisor])
    start, end = _visit_times(days_ago=-3)  # in the future
    response = _post(
        _client(cast.advisor.user),
        "advisory_visit_create",
        [engagement.pk],
        {"starts_at": start.isoformat(), "ends_at": end.isoformat(), "work_done": "予定"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "advisory_visit_in_future"
    assert body["message"]
    assert not Visit.objects.exists()
    invalid = _post(
        _client(cast.advisor.user),
        "advisory_visit_create",
        [engagement.pk],
        {"starts_at": start.isoformat(), "ends_at": end.isoformat(), "work_done": "x" * 3001},
    )
    assert invalid.status_code == 422
    assert "payload.work_done" in invalid.json()["fields"]


def test_oversized_evidence_is_refused_while_streaming(cast, settings):
    from machikoba.core.testing.factories_programs import make_engagement

    settings.MACHIKOBA_EVIDENCE_MAX_BYTES = 1000
    engagement = make_engagement(cast.company, [cast.advisor])
    phase = engagement.phases.get(order=1)
    url = reverse("api:advisory_evidence_add", args=[phase.pk])
    big = SimpleUploadedFile("flow.jpg", jpeg_bytes() + b"\0" * 5000)
    response = _client(cast.advisor.user).post(url, {"title": "業務フロー", "file": big})
    assert response.status_code == 413
    assert response.json()["code"] == "advisory_evidence_invalid"
    assert not PhaseEvidence.objects.exists()
