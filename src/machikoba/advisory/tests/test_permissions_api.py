"""The advisory API's permission matrix: the same people reach the same rows as on the
pages. The company's editors follow their engagement (the owner signs visits off), its
team works on it, the officers of its ward run it; another company, an officer of another
ward, the metro viewer (aggregates only, never a row), a reviewer, an instructor and
anonymous visitors get nothing of it. Each actor runs in a rolled-back savepoint."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.advisory import services
from machikoba.advisory.choices import EngagementStatus, PhaseStatus, RequestStatus
from machikoba.advisory.models import (
    Advisor,
    Engagement,
    Measurement,
    Phase,
    PhaseEvidence,
    SupportRequest,
    Visit,
)
from machikoba.core.testing.factories import UserFactory, jpeg_bytes, ward
from machikoba.core.testing.factories_programs import SupportRequestFactory, make_visit
from machikoba.core.testing.matrix import (
    ADMIN,
    ADVISOR,
    ANONYMOUS,
    BANK,
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
    VENDOR,
    Case,
    assert_case,
    expect,
)

JSON = "application/json"

# The company's side needs an active company: people with none get a 403.
NO_COMPANY = dict.fromkeys(
    (OFFICER, OTHER_WARD_OFFICER, METRO_VIEWER, ADVISOR, INSTRUCTOR, REVIEWER, LAB_STAFF, ADMIN),
    403,
)
COMPANY_EDITORS = expect(
    403, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OTHER_COMPANY: 200, VENDOR: 200, BANK: 200}
)
# An engagement and its parts: its company's editors (floor workers too read the rows the
# scope gives them), its team and its ward's office; a 404 for anyone else.
SEES_ENGAGEMENT = expect(
    404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 200, ADVISOR: 200}
)
# The office's pages: any ward officer (their own ward's rows only), 403 for the rest.
OFFICE_LIST = expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 200})
# One of the office's rows: the officer of its ward; another ward's officer finds nothing.
OFFICE_ROW = expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 404})


def _api(name, *args):
    return reverse(f"api:{name}", args=list(args))


def _advisor(w):
    return Advisor.objects.get(user=w.users[ADVISOR])


def _first_phase(w):
    return w.engagement.phases.get(order=1)


def _visit(w):
    visit = Visit.objects.filter(engagement=w.engagement).first()
    return visit or make_visit(w.engagement, _advisor(w), minutes=60, days_ago=2)


def _request(w, status):
    request = SupportRequest.objects.filter(company=w.company, status=status).first()
    return request or SupportRequestFactory(company=w.company, status=status)


def _request_url(name, status):
    return lambda w: _api(name, _request(w, status).pk)


def _other_request_url(name):
    def build(w):
        request = SupportRequestFactory(company=w.other_company, status=RequestStatus.OPEN)
        return _api(name, request.pk)

    return build


def _measurement(w):
    return Measurement.objects.filter(engagement=w.engagement).first() or (
        Measurement.objects.create(
            engagement=w.engagement,
            name="見積作成時間",
            unit="分",
            better="lower",
            before_value=240,
            before_on=timezone.localdate() - dt.timedelta(days=10),
        )
    )


def _evidence(w):
    return PhaseEvidence.objects.first() or services.evidence_add(
        actor=w.users[OFFICER],
        phase=_first_phase(w),
        title="業務フロー図",
        upload=SimpleUploadedFile("flow.jpg", jpeg_bytes()),
    )


def _visit_body(w):
    start = timezone.localtime() - dt.timedelta(days=1)
    start = start.replace(hour=10, minute=0, second=0, microsecond=0)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(minutes=90)).isoformat(),
        "work_done": "業務フローの聞き取り",
    }


def _no_running_engagement(w):
    Engagement.objects.filter(pk=w.engagement.pk).update(status=EngagementStatus.CLOSED)
    return _api("advisory_request_create")


def _all_phases_done(w):
    Phase.objects.filter(engagement=w.engagement).update(status=PhaseStatus.DONE)
    return _api("advisory_engagement_close", w.engagement.pk)


def _new_account(w):
    UserFactory(email="new-advisor@example.jp")
    return _api("advisory_advisor_create")


def _advisor_body(w):
    return {
        "email": "new-advisor@example.jp",
        "kind": "it_expert",
        "ward_ids": [ward().pk],
        "capacity": 3,
        "hourly_fee": 8000,
    }


def _dates(w):
    today = timezone.localdate()
    return {
        "starts_on": (today - dt.timedelta(days=30)).isoformat(),
        "ends_on": (today + dt.timedelta(days=200)).isoformat(),
    }


def _assign_body(w):
    return {"advisor_ids": [_advisor(w).pk], **_dates(w)}


MATRIX = [
    # --- the company -------------------------------------------------------------------
    Case(
        "api:advisory_company",
        lambda w: _api("advisory_company"),
        COMPANY_EDITORS,
    ),
    Case(
        "api:advisory_request_create",
        _no_running_engagement,
        # The other companies ask too: their own request, for their own ward.
        expect(
            403,
            **{
                ANONYMOUS: 401,
                MEMBER: 201,
                STAFF: 201,
                OTHER_COMPANY: 201,
                VENDOR: 201,
                BANK: 201,
            },
        ),
        method="POST",
        data=lambda w: {"topics": "生産管理", "description": "見積に時間がかかる"},
        content_type=JSON,
    ),
    Case(
        "api:advisory_request_withdraw",
        _request_url("advisory_request_withdraw", RequestStatus.OPEN),
        # The office sees the request but only the company withdraws it (the service).
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 403}),
        method="POST",
    ),
    Case(
        "api:advisory_proposal_accept",
        _request_url("advisory_proposal_accept", RequestStatus.PROPOSED),
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 403, OFFICER: 403}),
        method="POST",
    ),
    Case(
        "api:advisory_proposal_decline",
        _request_url("advisory_proposal_decline", RequestStatus.PROPOSED),
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 403, OFFICER: 403}),
        method="POST",
    ),
    Case(
        "api:advisory_visit_sign_off",
        lambda w: _api("advisory_visit_sign_off", _visit(w).pk),
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 200, STAFF: 403, OFFICER: 403, ADVISOR: 403},
        ),
        method="POST",
    ),
    # --- the advisor and the engagement ------------------------------------------------
    Case(
        "api:advisory_advisor_home",
        lambda w: _api("advisory_advisor_home"),
        expect(403, **{ANONYMOUS: 401, ADVISOR: 200}),
    ),
    Case(
        "api:advisory_engagements",
        lambda w: _api("advisory_engagements"),
        # A list: everyone signed in gets one, only with what they may see (tested below).
        expect(200, **{ANONYMOUS: 401}),
    ),
    Case(
        "api:advisory_engagement",
        lambda w: _api("advisory_engagement", w.engagement.pk),
        SEES_ENGAGEMENT,
    ),
    Case(
        "api:advisory_visit_create",
        lambda w: _api("advisory_visit_create", w.engagement.pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, OFFICER: 403, ADVISOR: 201}),
        method="POST",
        data=_visit_body,
        content_type=JSON,
    ),
    Case(
        "api:advisory_visit_update",
        lambda w: _api("advisory_visit_update", _visit(w).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, OFFICER: 403, ADVISOR: 200}),
        method="PUT",
        data=_visit_body,
        content_type=JSON,
    ),
    Case(
        "api:advisory_phase_transition",
        lambda w: _api("advisory_phase_transition", _first_phase(w).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, OFFICER: 200, ADVISOR: 200}),
        method="POST",
        data=lambda w: {"action": "start"},
        content_type=JSON,
    ),
    Case(
        "api:advisory_phase_note",
        lambda w: _api("advisory_phase_note", _first_phase(w).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, OFFICER: 200, ADVISOR: 200}),
        method="PUT",
        data=lambda w: {"note": "現状の帳票を集めた"},
        content_type=JSON,
    ),
    Case(
        "api:advisory_evidence_add",
        lambda w: _api("advisory_evidence_add", _first_phase(w).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, OFFICER: 201, ADVISOR: 201}),
        method="POST",
        data=lambda w: {"title": "業務フロー", "file": SimpleUploadedFile("f.jpg", jpeg_bytes())},
    ),
    Case(
        "api:advisory_evidence_download",
        lambda w: _api("advisory_evidence_download", _evidence(w).pk),
        SEES_ENGAGEMENT,
    ),
    Case(
        "api:advisory_measurement_add",
        lambda w: _api("advisory_measurement_add", w.engagement.pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, OFFICER: 201, ADVISOR: 201}),
        method="POST",
        data=lambda w: {
            "name": "見積作成時間",
            "unit": "分",
            "better": "lower",
            "before_value": "240",
            "before_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        },
        content_type=JSON,
    ),
    Case(
        "api:advisory_measurement_after",
        lambda w: _api("advisory_measurement_after", _measurement(w).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, OFFICER: 200, ADVISOR: 200}),
        method="PUT",
        data=lambda w: {"after_value": "60", "after_on": timezone.localdate().isoformat()},
        content_type=JSON,
    ),
    Case(
        "api:advisory_engagement_close",
        _all_phases_done,
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, OFFICER: 200, ADVISOR: 200}),
        method="POST",
        data=lambda w: {"summary": "見積の作成時間が4分の1になった"},
        content_type=JSON,
    ),
    Case(
        "api:advisory_closing_report",
        lambda w: _api("advisory_closing_report", w.engagement.pk),
        SEES_ENGAGEMENT,
    ),
    # --- the office ----------------------------------------------------------------------
    Case("api:advisory_office", lambda w: _api("advisory_office"), OFFICE_LIST),
    Case("api:advisory_office_requests", lambda w: _api("advisory_office_requests"), OFFICE_LIST),
    Case(
        "api:advisory_office_engagements",
        lambda w: _api("advisory_office_engagements"),
        OFFICE_LIST,
    ),
    Case("api:advisory_roster", lambda w: _api("advisory_roster"), OFFICE_LIST),
    Case(
        "api:advisory_advisor_create",
        _new_account,
        # Another ward's officer may not name 大田区 (not a ward they serve): refused.
        expect(403, **{ANONYMOUS: 401, OFFICER: 201, OTHER_WARD_OFFICER: 422}),
        method="POST",
        data=_advisor_body,
        content_type=JSON,
    ),
    Case(
        "api:advisory_advisor_update",
        lambda w: _api("advisory_advisor_update", _advisor(w).pk),
        OFFICE_ROW,
        method="PUT",
        data=lambda w: {**_advisor_body(w), "capacity": 4},
        content_type=JSON,
    ),
    Case("api:advisory_proposable", lambda w: _api("advisory_proposable"), OFFICE_LIST),
    Case(
        "api:advisory_propose",
        lambda w: _api("advisory_propose"),
        # The other company (no request, no engagement) of 大田区: only its ward's officer.
        # Another ward's officer sees the company in the public directory, so it is a 403
        # (visible, not theirs to support), as on the page.
        expect(403, **{ANONYMOUS: 401, OFFICER: 201}),
        method="POST",
        data=lambda w: {
            "company_id": w.other_company.pk,
            "topics": "生産管理",
            "description": "DX道場の次の一歩として",
        },
        content_type=JSON,
    ),
    Case(
        "api:advisory_request_decline",
        _other_request_url("advisory_request_decline"),
        OFFICE_ROW,
        method="POST",
        data=lambda w: {"reason": "今年度の枠が埋まりました"},
        content_type=JSON,
    ),
    Case(
        "api:advisory_assign_candidates",
        _other_request_url("advisory_assign_candidates"),
        OFFICE_ROW,
    ),
    Case(
        "api:advisory_assign",
        _other_request_url("advisory_assign"),
        expect(403, **{ANONYMOUS: 401, OFFICER: 201, OTHER_WARD_OFFICER: 404}),
        method="POST",
        data=_assign_body,
        content_type=JSON,
    ),
    Case(
        "api:advisory_engagement_dates",
        lambda w: _api("advisory_engagement_dates", w.engagement.pk),
        OFFICE_ROW,
        method="PUT",
        data=_dates,
        content_type=JSON,
    ),
    Case(
        "api:advisory_engagement_cancel",
        lambda w: _api("advisory_engagement_cancel", w.engagement.pk),
        OFFICE_ROW,
        method="POST",
        data=lambda w: {"reason": "企業の都合で中止"},
        content_type=JSON,
    ),
    Case("api:advisory_hours", lambda w: _api("advisory_hours"), OFFICE_LIST),
    Case(
        "api:advisory_export",
        lambda w: _api("advisory_export", "hours", "csv"),
        OFFICE_LIST,
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_every_operation_is_in_the_matrix():
    from machikoba.advisory.api import router

    names = {
        op.view_func.__name__ for path in router.path_operations.values() for op in path.operations
    }
    covered = {case.route.removeprefix("api:") for case in MATRIX}
    assert names == covered


def test_lists_show_nobody_else_s_rows(world):
    """Another company, another ward's officer and the metro viewer list nothing of the
    company's engagement; its own people do."""
    for actor in (OTHER_COMPANY, OTHER_WARD_OFFICER, METRO_VIEWER, REVIEWER, INSTRUCTOR):
        body = world.client_for(actor).get(_api("advisory_engagements")).json()
        assert body["count"] == 0, actor
    for actor in (MEMBER, OFFICER, ADVISOR):
        body = world.client_for(actor).get(_api("advisory_engagements")).json()
        assert [row["id"] for row in body["results"]] == [world.engagement.pk], actor
    sumida = world.client_for(OTHER_WARD_OFFICER)
    assert sumida.get(_api("advisory_office_engagements")).json()["count"] == 0
    assert sumida.get(_api("advisory_office")).json()["summary"]["active_engagements"] == 0
    assert world.client_for(FLOOR_WORKER).get(_api("advisory_company")).status_code == 403
