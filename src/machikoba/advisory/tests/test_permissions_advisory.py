"""Permission matrix of 伴走型アドバイザー派遣: the advisor of the engagement works on
it and sees nothing else; the company's owner and staff follow it (the owner signs visits
off; floor workers have no such page); the officer of 大田区 runs it; another ward's
officer, another company, the metro viewer, an instructor and platform admins get nothing
of it. Each actor's request runs in a rolled-back savepoint; the URL builders set up the
row a case needs inside it."""

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
from machikoba.core.fiscal import add_months
from machikoba.core.testing.factories import UserFactory, jpeg_bytes, ward
from machikoba.core.testing.factories_programs import SupportRequestFactory, make_visit
from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    BANK,
    DONE,
    LOGIN,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REFUSED,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
)

# Who reaches what.
ADVISOR_ONLY = expect(403, **{ANONYMOUS: LOGIN, ADVISOR: 200})
# A vendor's or a bank's people are editors of their own company, like the other company.
COMPANY_EDITORS = expect(
    403,
    **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OTHER_COMPANY: 200, VENDOR: 200, BANK: 200},
)
# The engagement and what hangs off it: seen by its company's editors, its team and the
# office of its ward; not found by anyone else.
SEES_ENGAGEMENT = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 200, ADVISOR: 200}
)
TEAM_ONLY = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 403, STAFF: 403, OFFICER: 403, ADVISOR: 200})
TEAM_OR_OFFICE = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 403, STAFF: 403, OFFICER: 200, ADVISOR: 200}
)
OFFICE_LIST = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200})
OFFICE_ROW = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 404})


def done_for(base, **outcomes):
    result = dict(base)
    result.update(outcomes)
    return result


def _engagement_url(name):
    return lambda w: reverse(f"advisory:{name}", args=[w.engagement.pk])


def _advisor(w):
    return Advisor.objects.get(user=w.users[ADVISOR])


def _first_phase(w):
    return w.engagement.phases.get(order=1)


def _phase_url(name, *, started=False):
    def build(w):
        phase = _first_phase(w)
        if started:
            Phase.objects.filter(pk=phase.pk).update(
                status=PhaseStatus.IN_PROGRESS, started_at=timezone.now()
            )
        return reverse(f"advisory:{name}", args=[phase.pk])

    return build


def _visit(w):
    visit = Visit.objects.filter(engagement=w.engagement).first()
    return visit or make_visit(w.engagement, _advisor(w), minutes=60, days_ago=2)


def _visit_url(name):
    return lambda w: reverse(f"advisory:{name}", args=[_visit(w).pk])


def _visit_state(w):
    return list(Visit.objects.values_list("pk", "minutes", "signed_off_at"))


def _request_url(name, status):
    def build(w):
        request = SupportRequest.objects.filter(company=w.company, status=status).first()
        if request is None:
            request = SupportRequestFactory(company=w.company, status=status)
        return reverse(f"advisory:{name}", args=[request.pk])

    return build


def _other_request_url(name):
    def build(w):
        request = SupportRequest.objects.filter(company=w.other_company).first()
        if request is None:
            request = SupportRequestFactory(company=w.other_company, status=RequestStatus.OPEN)
        return reverse(f"advisory:{name}", args=[request.pk])

    return build


def _requests(w):
    return list(SupportRequest.objects.order_by("pk").values_list("pk", "status"))


def _measurement_url(w):
    measurement = Measurement.objects.filter(engagement=w.engagement).first()
    if measurement is None:
        measurement = Measurement.objects.create(
            engagement=w.engagement,
            name="見積作成時間",
            unit="分",
            better="lower",
            before_value=240,
            before_on=timezone.localdate() - dt.timedelta(days=10),
        )
    return reverse("advisory:measurement_after", args=[measurement.pk])


def _evidence_url(w):
    evidence = PhaseEvidence.objects.first()
    if evidence is None:
        evidence = services.evidence_add(
            actor=w.users[OFFICER],
            phase=_first_phase(w),
            title="業務フロー図",
            upload=SimpleUploadedFile("flow.jpg", jpeg_bytes()),
        )
    return reverse("advisory:evidence_download", args=[evidence.pk])


def _all_phases_done(w):
    Phase.objects.filter(engagement=w.engagement).update(status=PhaseStatus.DONE)
    return reverse("advisory:close", args=[w.engagement.pk])


def _no_running_engagement(w):
    Engagement.objects.filter(pk=w.engagement.pk).update(status=EngagementStatus.CLOSED)
    return reverse("advisory:request_create")


def _new_account(w):
    UserFactory(email="new-advisor@example.jp")
    return reverse("advisory:advisor_create")


def _engagement_state(w):
    return list(
        Engagement.objects.order_by("pk").values_list("pk", "status", "starts_on", "ends_on")
    )


def _visit_form(w):
    day = timezone.localdate() - dt.timedelta(days=1)
    return {"date": day.isoformat(), "start": "10:00", "end": "11:30", "work_done": "聞き取り"}


def _visit_edit_form(w):
    visit = _visit(w)
    local = timezone.localtime(visit.starts_at)
    return {
        "date": local.date().isoformat(),
        "start": local.strftime("%H:%M"),
        "end": (local + dt.timedelta(minutes=75)).strftime("%H:%M"),
        "work_done": "訂正",
    }


def _evidence_form(w):
    return {"title": "見積の流れ", "file": SimpleUploadedFile("flow.jpg", jpeg_bytes())}


def _measurement_form(w):
    return {
        "name": "リードタイム",
        "unit": "日",
        "better": "lower",
        "before_value": "14",
        "before_on": timezone.localdate().isoformat(),
    }


def _after_form(w):
    return {"after_value": "60", "after_on": timezone.localdate().isoformat()}


def _advisor_form(w):
    return {
        "email": "new-advisor@example.jp",
        "kind": "sme_consultant",
        "wards": [str(ward().pk)],
        "capacity": "2",
        "hourly_fee": "9000",
        "active": "on",
    }


def _assign_form(w):
    today = timezone.localdate()
    return {
        "advisors": [str(_advisor(w).pk)],
        "starts_on": today.isoformat(),
        "ends_on": add_months(today, 6).isoformat(),
    }


def _dates_form(w):
    today = timezone.localdate()
    return {
        "starts_on": (today - dt.timedelta(days=30)).isoformat(),
        "ends_on": add_months(today, 7).isoformat(),
    }


def _phase_states(w):
    return list(Phase.objects.order_by("pk").values_list("pk", "status", "note"))


# POST buttons on the company's request: its owner acts; staff and the office see it but
# are refused; nobody else finds it.
OWNER_BUTTON = expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: REFUSED, OFFICER: REFUSED})
TEAM_BUTTON = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: REFUSED, STAFF: REFUSED, OFFICER: DONE, ADVISOR: DONE}
)

MATRIX = [
    Case("advisory:home", lambda w: reverse("advisory:home"), ADVISOR_ONLY),
    Case("advisory:company", lambda w: reverse("advisory:company"), COMPANY_EDITORS),
    Case("advisory:request_create", lambda w: reverse("advisory:request_create"), COMPANY_EDITORS),
    Case(
        "advisory:request_create",
        _no_running_engagement,
        done_for(
            COMPANY_EDITORS,
            **{MEMBER: DONE, STAFF: DONE, OTHER_COMPANY: DONE, VENDOR: DONE, BANK: DONE},
        ),
        method="POST",
        data=lambda w: {"topics": "見積", "description": "見積に半日かかる"},
        effect=_requests,
    ),
    Case(
        "advisory:request_withdraw",
        _request_url("request_withdraw", RequestStatus.OPEN),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, OFFICER: REFUSED}),
        method="POST",
        effect=_requests,
    ),
    Case(
        "advisory:proposal_accept",
        _request_url("proposal_accept", RequestStatus.PROPOSED),
        OWNER_BUTTON,
        method="POST",
        effect=_requests,
    ),
    Case(
        "advisory:proposal_decline",
        _request_url("proposal_decline", RequestStatus.PROPOSED),
        OWNER_BUTTON,
        method="POST",
        effect=_requests,
    ),
    Case(
        "advisory:visit_sign_off",
        _visit_url("visit_sign_off"),
        done_for(OWNER_BUTTON, **{ADVISOR: REFUSED}),
        method="POST",
        effect=_visit_state,
    ),
    Case("advisory:engagement", _engagement_url("engagement"), SEES_ENGAGEMENT),
    Case("advisory:closing_report", _engagement_url("closing_report"), SEES_ENGAGEMENT),
    Case("advisory:visit_create", _engagement_url("visit_create"), TEAM_ONLY),
    Case(
        "advisory:visit_create",
        _engagement_url("visit_create"),
        done_for(TEAM_ONLY, **{ADVISOR: DONE}),
        method="POST",
        data=_visit_form,
        effect=_visit_state,
    ),
    Case("advisory:visit_edit", _visit_url("visit_edit"), TEAM_ONLY),
    Case(
        "advisory:visit_edit",
        _visit_url("visit_edit"),
        done_for(TEAM_ONLY, **{ADVISOR: DONE}),
        method="POST",
        data=_visit_edit_form,
        effect=_visit_state,
    ),
    Case("advisory:phase", _phase_url("phase"), TEAM_OR_OFFICE),
    Case(
        "advisory:phase_start",
        _phase_url("phase_start"),
        TEAM_BUTTON,
        method="POST",
        effect=_phase_states,
    ),
    Case(
        "advisory:phase_complete",
        _phase_url("phase_complete", started=True),
        TEAM_BUTTON,
        method="POST",
        effect=_phase_states,
    ),
    Case(
        "advisory:phase_note",
        _phase_url("phase_note"),
        done_for(TEAM_OR_OFFICE, **{OFFICER: DONE, ADVISOR: DONE}),
        method="POST",
        data=lambda w: {"note": "帳票を集めた"},
        effect=_phase_states,
    ),
    Case(
        "advisory:evidence_add",
        _phase_url("evidence_add"),
        done_for(TEAM_OR_OFFICE, **{OFFICER: DONE, ADVISOR: DONE}),
        method="POST",
        data=_evidence_form,
        effect=lambda w: PhaseEvidence.objects.count(),
    ),
    Case("advisory:evidence_download", _evidence_url, SEES_ENGAGEMENT),
    Case("advisory:measurement_add", _engagement_url("measurement_add"), TEAM_OR_OFFICE),
    Case(
        "advisory:measurement_add",
        _engagement_url("measurement_add"),
        done_for(TEAM_OR_OFFICE, **{OFFICER: DONE, ADVISOR: DONE}),
        method="POST",
        data=_measurement_form,
        effect=lambda w: Measurement.objects.count(),
    ),
    Case("advisory:measurement_after", _measurement_url, TEAM_OR_OFFICE),
    Case(
        "advisory:measurement_after",
        _measurement_url,
        done_for(TEAM_OR_OFFICE, **{OFFICER: DONE, ADVISOR: DONE}),
        method="POST",
        data=_after_form,
        effect=lambda w: list(Measurement.objects.values_list("after_value", flat=True)),
    ),
    Case("advisory:close", _engagement_url("close"), TEAM_OR_OFFICE),
    Case(
        "advisory:close",
        _all_phases_done,
        done_for(TEAM_OR_OFFICE, **{OFFICER: DONE, ADVISOR: DONE}),
        method="POST",
        data=lambda w: {"summary": "見積が半日から1時間に"},
        effect=_engagement_state,
    ),
    # The office
    Case("advisory:office", lambda w: reverse("advisory:office"), OFFICE_LIST),
    Case("advisory:roster", lambda w: reverse("advisory:roster"), OFFICE_LIST),
    Case("advisory:hours", lambda w: reverse("advisory:hours"), OFFICE_LIST),
    Case(
        "advisory:export",
        lambda w: reverse("advisory:export", args=["hours", "csv"]),
        OFFICE_LIST,
        note="hours",
    ),
    Case(
        "advisory:export",
        lambda w: reverse("advisory:export", args=["workload", "xlsx"]),
        OFFICE_LIST,
        note="workload",
    ),
    Case(
        "advisory:export",
        lambda w: reverse("advisory:export", args=["prices", "csv"]),
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: 404, OTHER_WARD_OFFICER: 404}),
        note="unknown report",
    ),
    Case("advisory:advisor_create", lambda w: reverse("advisory:advisor_create"), OFFICE_LIST),
    Case(
        "advisory:advisor_create",
        _new_account,
        done_for(OFFICE_LIST, **{OFFICER: DONE}),
        method="POST",
        data=_advisor_form,
        effect=lambda w: Advisor.objects.count(),
    ),
    Case(
        "advisory:advisor_edit",
        lambda w: reverse("advisory:advisor_edit", args=[_advisor(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "advisory:advisor_edit",
        lambda w: reverse("advisory:advisor_edit", args=[_advisor(w).pk]),
        done_for(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: {**_advisor_form(w), "capacity": "5"},
        effect=lambda w: list(Advisor.objects.values_list("capacity", flat=True)),
    ),
    Case("advisory:propose", lambda w: reverse("advisory:propose") + "?q=他社", OFFICE_LIST),
    Case(
        "advisory:propose",
        lambda w: reverse("advisory:propose"),
        # Another ward's company is public in the directory, not theirs to support: 403.
        done_for(OFFICE_LIST, **{OFFICER: DONE, OTHER_WARD_OFFICER: 403}),
        method="POST",
        data=lambda w: {
            "company": str(w.other_company.pk),
            "topics": "生産管理",
            "description": "道場の続きとして",
        },
        effect=_requests,
    ),
    Case("advisory:request_decline", _other_request_url("request_decline"), OFFICE_ROW),
    Case(
        "advisory:request_decline",
        _other_request_url("request_decline"),
        done_for(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: {"reason": "今年度の予算が尽きたため"},
        effect=_requests,
    ),
    Case("advisory:assign", _other_request_url("assign"), OFFICE_ROW),
    Case(
        "advisory:assign",
        _other_request_url("assign"),
        done_for(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=_assign_form,
        effect=_engagement_state,
    ),
    Case("advisory:dates", _engagement_url("dates"), OFFICE_ROW),
    Case(
        "advisory:dates",
        _engagement_url("dates"),
        done_for(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=_dates_form,
        effect=_engagement_state,
    ),
    Case("advisory:cancel", _engagement_url("cancel"), OFFICE_ROW),
    Case(
        "advisory:cancel",
        _engagement_url("cancel"),
        done_for(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: {"reason": "廃業のため"},
        effect=_engagement_state,
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
