"""The shopfloor API follows the pages' rules through the same services: a plan is queued
(202) and polled, the 日報 are written once per idempotency key and reviewed by the
supervisors, and bad input comes back in the one error shape with nothing written."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from machikoba.core.notifications import KINDS
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY
from machikoba.shopfloor.labels_reports import NOTIFICATION_KINDS
from machikoba.shopfloor.models import ScheduleRun, WorkCalendar
from machikoba.shopfloor.models_reports import DailyReport, Reason, ReportEntry
from machikoba.shopfloor.tests.test_permissions import _plan
from machikoba.shopfloor.tests.test_permissions_reports import _floor

pytestmark = pytest.mark.clock_sensitive

JSON = "application/json"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _labels(monkeypatch):
    for kind, texts in NOTIFICATION_KINDS.items():
        monkeypatch.setitem(KINDS, kind, texts)


def _send(client, method, url, payload=None):
    body = json.dumps(payload) if payload is not None else ""
    return getattr(client, method)(url, body, content_type=JSON)


def test_a_plan_is_queued_with_its_id_and_polled(world, django_capture_on_commit_callbacks):
    _plan(world)
    owner = world.client_for(MEMBER)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _send(
            owner, "post", reverse("api:shopfloor_plan_request"), {"objective": "makespan"}
        )
    assert response.status_code == 202
    run = response.json()
    assert run["status"] == "queued"
    assert run["objective"] == "makespan"
    assert len(queued) == 1  # the task is handed to the worker after the commit
    polled = owner.get(reverse("api:shopfloor_run", args=[run["id"]])).json()
    assert polled["id"] == run["id"]
    again = _send(owner, "post", reverse("api:shopfloor_plan_request"), {})
    assert again.status_code == 409
    assert again.json()["code"] == "plan_running"
    assert ScheduleRun.objects.filter(status="queued").count() == 1
    other = world.client_for(OTHER_COMPANY).get(reverse("api:shopfloor_run", args=[run["id"]]))
    assert other.status_code == 404


def test_a_plan_request_outside_the_schema_is_refused(world):
    response = _send(
        world.client_for(MEMBER), "post", reverse("api:shopfloor_plan_request"), {"time_limit": 45}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "payload.time_limit" in response.json()["fields"]
    assert not ScheduleRun.objects.filter(status="queued").exists()


def test_the_schedule_lists_the_plans_operations(world):
    operation = _plan(world)
    body = world.client_for(FLOOR_WORKER).get(reverse("api:shopfloor_schedule")).json()
    assert body["editor"] is False
    assert [op["id"] for op in body["operations"]] == [operation.pk]
    assert body["operations"][0]["eligible"] == operation.eligible


def test_a_bad_calendar_writes_nothing(world):
    response = _send(
        world.client_for(MEMBER),
        "put",
        reverse("api:shopfloor_calendar_save"),
        {"day_start": "17:00", "day_end": "08:00", "weekdays": [0]},
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"day_end"}
    assert not WorkCalendar.objects.filter(company=world.company).exists()


def test_an_entry_is_written_once_per_key(world):
    floor = _floor(world)
    worker = world.client_for(FLOOR_WORKER)
    key = str(uuid.uuid4())
    payload = {"idempotency_key": key, "step_id": floor.step.pk, "minutes": 30, "good": 4}
    first = _send(worker, "post", reverse("api:shopfloor_report_entry_create"), payload)
    assert first.status_code == 201
    assert first.json()["replayed"] is False
    second = _send(worker, "post", reverse("api:shopfloor_report_entry_create"), payload)
    assert second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["replayed"] is True
    assert ReportEntry.objects.filter(idempotency_key=key).count() == 1


def test_bad_entries_write_nothing(world):
    floor = _floor(world)
    worker = world.client_for(FLOOR_WORKER)
    before = ReportEntry.objects.count()
    url = reverse("api:shopfloor_report_entry_create")
    base = {"idempotency_key": str(uuid.uuid4()), "step_id": floor.step.pk}
    zero = _send(worker, "post", url, {**base, "minutes": 0})
    assert zero.status_code == 422
    assert "payload.minutes" in zero.json()["fields"]
    # A new entry states its minutes (the schema says so; a running one is /start's).
    missing = _send(worker, "post", url, base)
    assert missing.status_code == 422
    assert "payload.minutes" in missing.json()["fields"]
    foreign = Reason.objects.create(
        company=world.other_company, kind="stop", code="x", label="他社の理由"
    )
    unknown = _send(
        worker,
        "post",
        url,
        {**base, "minutes": 10, "stop_minutes": 5, "stop_reason_id": foreign.pk},
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "report_reason_unknown"
    machine = _send(worker, "post", url, {**base, "minutes": 10, "machine": "m999999-1"})
    assert machine.json()["code"] == "report_machine_unknown"
    assert ReportEntry.objects.count() == before


def test_a_report_is_submitted_and_reviewed(world):
    floor = _floor(world)
    worker, owner = world.client_for(FLOOR_WORKER), world.client_for(MEMBER)
    day = worker.get(reverse("api:shopfloor_report_day")).json()
    assert day["report"]["id"] == floor.draft.pk
    assert "submit" in day["report"]["actions"]
    assert day["running_entry_id"] == floor.running.pk
    # The running entry of two days ago must be ended first.
    refused = _send(worker, "post", reverse("api:shopfloor_report_submit", args=[floor.draft.pk]))
    assert refused.status_code in (200, 400, 409)
    stopped = _send(
        worker, "post", reverse("api:shopfloor_report_entry_stop", args=[floor.running.pk])
    )
    assert stopped.status_code == 200
    assert stopped.json()["minutes"] is not None
    review = owner.get(reverse("api:shopfloor_report_review")).json()
    assert floor.submitted.pk in [card["id"] for card in review["waiting"]]
    not_theirs = _send(
        worker, "post", reverse("api:shopfloor_report_approve", args=[floor.submitted.pk])
    )
    assert not_theirs.status_code == 403
    empty_note = _send(
        owner, "post", reverse("api:shopfloor_report_return", args=[floor.submitted.pk]), {}
    )
    assert empty_note.status_code == 422
    approved = _send(
        owner, "post", reverse("api:shopfloor_report_approve", args=[floor.submitted.pk])
    )
    assert approved.json()["status"] == "approved"
    assert DailyReport.objects.get(pk=floor.submitted.pk).reviewed_by == world.users[MEMBER]


def test_a_photo_is_served_only_to_the_company(world):
    floor = _floor(world)
    url = reverse("api:shopfloor_report_photo", args=[floor.photo.pk])
    response = world.client_for(MEMBER).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content[:2] == b"\xff\xd8"
    assert world.client_for(OTHER_COMPANY).get(url).status_code == 404


def test_the_reasons_are_seeded_and_a_duplicate_code_refused(world):
    owner = world.client_for(MEMBER)
    reasons = owner.get(reverse("api:shopfloor_reasons")).json()
    assert reasons["editor"] is True
    assert reasons["stop"]
    assert reasons["defect"]
    code = reasons["stop"][0]["code"]
    duplicate = _send(
        owner,
        "post",
        reverse("api:shopfloor_reason_create"),
        {"kind": "stop", "code": code, "label": "重複"},
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "report_reason_duplicate"
    assert not Reason.objects.filter(label="重複").exists()


def test_the_costs_are_the_supervisors(world):
    _floor(world)
    owner = world.client_for(MEMBER)
    rates = _send(
        owner,
        "put",
        reverse("api:shopfloor_cost_rates_set"),
        {"labour_yen_per_hour": 3000, "machine_yen_per_hour": 0},
    )
    assert rates.json() == {"labour_yen_per_hour": 3000, "machine_yen_per_hour": 0}
    costs = owner.get(reverse("api:shopfloor_job_costs")).json()
    assert costs["rates_missing"] is False
    assert costs["jobs"][0]["part_name"] == "秘密の軸"
    assert world.client_for(FLOOR_WORKER).get(reverse("api:shopfloor_job_costs")).status_code == 403
