"""The programs API follows the pages' rules through the same services: applying, the
homework and its review, check-in, handouts and the office's writes, with bad input in
the one error shape and nothing written."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from machikoba.core.testing.factories import ward
from machikoba.core.testing.factories_programs import CohortFactory, make_leader_cohort
from machikoba.core.testing.matrix import (
    INSTRUCTOR,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
)
from machikoba.programs.models import Application, Attendance, Program, SessionMaterial
from machikoba.programs.models_homework import DxPlan, WorksheetItem
from machikoba.programs.tests.test_permissions_cohorts import _session as _running_session

pytestmark = pytest.mark.clock_sensitive

JSON = "application/json"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _post(client, url, payload=None, method="post"):
    body = json.dumps(payload) if payload is not None else ""
    return getattr(client, method)(url, body, content_type=JSON)


def test_applying_once_and_the_refusal_of_twice(world):
    cohort = CohortFactory()
    owner = world.client_for(MEMBER)
    url = reverse("api:programs_apply", args=[cohort.pk])
    first = _post(owner, url, {"motivation": "見積を早くしたい"})
    assert first.status_code == 201
    assert first.json()["status"] == "accepted"
    assert first.json()["company_id"] == world.company.pk
    second = _post(owner, url, {"motivation": ""})
    assert second.status_code == 409
    assert second.json()["code"].startswith("application_")
    assert Application.objects.filter(cohort=cohort).count() == 1
    mine = owner.get(reverse("api:programs_applications")).json()
    assert first.json()["id"] in [row["id"] for row in mine["results"]]
    listed = owner.get(reverse("api:programs_cohorts")).json()["results"]
    card = next(row for row in listed if row["id"] == cohort.pk)
    assert card["can_apply"] is False
    assert card["my_application_ids"] == [first.json()["id"]]


def test_nominating_someone_twice_is_the_state_and_a_stranger_the_field(world):
    """The leader course: the company's person who has applied already is refused as
    the cohort's state (409), somebody who is not the company's as a wrong field (422)."""
    cohort = make_leader_cohort()
    owner = world.client_for(MEMBER)
    url = reverse("api:programs_apply", args=[cohort.pk])
    member = world.users[MEMBER].pk
    assert _post(owner, url, {"participant_id": member}).status_code == 201
    again = _post(owner, url, {"participant_id": member})
    assert again.status_code == 409
    assert again.json()["code"] == "application_duplicate"
    stranger = _post(owner, url, {"participant_id": world.users[OTHER_COMPANY].pk})
    assert stranger.status_code == 422
    assert "participant_id" in stranger.json()["fields"]
    assert Application.objects.filter(cohort=cohort).count() == 1


def test_another_companys_application_is_not_found(world):
    url = reverse("api:programs_application", args=[world.application.pk])
    for actor in (OTHER_COMPANY, OTHER_WARD_OFFICER, METRO_VIEWER):
        assert world.client_for(actor).get(url).status_code == 404, actor
    assert world.client_for(MEMBER).get(url).json()["company_id"] == world.company.pk


def test_homework_written_by_the_company_and_decided_by_the_instructor(world):
    owner, instructor = world.client_for(MEMBER), world.client_for(INSTRUCTOR)
    application = world.application.pk
    items = reverse("api:programs_worksheet_item_add", args=[application])
    bad = _post(owner, items, {"area": "production", "problem": "紙", "impact": 6, "effort": 3})
    assert bad.status_code == 422
    assert "payload.impact" in bad.json()["fields"]
    assert not WorksheetItem.objects.exists()
    added = _post(owner, items, {"area": "production", "problem": "紙", "impact": 4, "effort": 3})
    assert added.status_code == 201
    assert [i["problem"] for i in added.json()["items"]] == ["紙"]
    assert (
        _post(
            instructor, items, {"area": "orders", "problem": "x", "impact": 1, "effort": 1}
        ).status_code
        == 403
    )
    plan_url = reverse("api:programs_plan_save", args=[application])
    incomplete = _post(owner, plan_url, {"goal": "見える化", "submit": True}, method="put")
    assert incomplete.status_code == 422
    assert "actions" in incomplete.json()["fields"]
    assert not DxPlan.objects.filter(application=world.application).exists()
    plan = {
        "goal": "見える化",
        "current_state": "工程表が紙",
        "actions": "生産管理クラウドを入れる",
        "schedule": "半年で全工程",
        "submit": True,
    }
    saved = _post(owner, plan_url, plan, method="put")
    assert saved.status_code == 200
    assert saved.json()["plan"]["status"] == "submitted"
    decide = reverse("api:programs_plan_decide", args=[application])
    assert _post(owner, decide, {"decision": "accept"}).status_code == 403
    accepted = _post(instructor, decide, {"decision": "accept", "body": "良い計画です"})
    assert accepted.json()["plan"]["status"] == "accepted"
    assert DxPlan.objects.get(application=world.application).status == "accepted"
    comments = instructor.get(reverse("api:programs_plan", args=[application])).json()
    assert any(c["body"] == "良い計画です" for c in comments["comments"])


def test_check_in_and_the_roll(world):
    session = _running_session(world)
    owner = world.client_for(MEMBER)
    unknown = _post(owner, reverse("api:programs_checkin"), {"code": "not-a-code"})
    assert unknown.status_code == 404
    checked = _post(owner, reverse("api:programs_checkin"), {"code": session.checkin_code})
    assert checked.status_code == 200
    assert checked.json()["status"] in ("present", "late")
    screen = world.client_for(INSTRUCTOR).get(reverse("api:programs_session", args=[session.pk]))
    row = next(r for r in screen.json()["roll"] if r["application_id"] == world.application.pk)
    assert row["status"] == checked.json()["status"]
    rolled = _post(
        world.client_for(INSTRUCTOR),
        reverse("api:programs_roll_call", args=[session.pk]),
        {"application_id": world.application.pk, "status": "excused"},
    )
    assert rolled.json()["status"] == "excused"
    assert Attendance.objects.get(session=session).status == "excused"


def test_a_handout_that_is_not_a_document_is_refused(world):
    session = world.application.cohort.sessions.get(number=1)
    response = world.client_for(OFFICER).post(
        reverse("api:programs_material_upload", args=[session.pk]),
        {"title": "実行ファイル", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "file_type_unsupported"
    assert not SessionMaterial.objects.exists()


def test_the_office_creates_a_programme_in_its_own_ward_only(world):
    payload = {
        "municipality_id": ward().pk,
        "kind": "leader",
        "name": "デジタル化推進リーダー講座 2期",
        "participant_role": "staff",
        "max_per_company": 2,
        "min_sessions_attended": 4,
    }
    url = reverse("api:programs_program_create")
    assert _post(world.client_for(OTHER_WARD_OFFICER), url, payload).status_code == 404
    created = _post(world.client_for(OFFICER), url, payload)
    assert created.status_code == 201
    assert created.json()["ward"] == ward().code
    wrong = _post(
        world.client_for(OFFICER), url, {**payload, "name": "別", "partner_ward_ids": [987654]}
    )
    assert wrong.status_code == 422
    assert "partner_ward_ids" in wrong.json()["fields"]
    assert not Program.objects.filter(name="別").exists()


def test_the_schemas_state_where_a_session_happens_and_a_wage_its_range(client):
    """Rules the services hold, stated in the schema so a client knows them: a session
    has a place or an online URL; an hourly wage stays within what is stored."""
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    where = schema["SessionIn"]["anyOf"]
    assert [branch["required"] for branch in where] == [["place"], ["online_url"]]
    assert schema["RoiValues"]["properties"]["hourly_wage"]["maximum"] <= 2**31 - 1
