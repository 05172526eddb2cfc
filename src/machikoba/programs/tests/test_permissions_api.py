"""Permission matrix of the programs API: every operation, every actor. A 大田区 cohort is
read by the people of 大田区 companies, its officers and its instructor; an application,
its attendance and homework by the company's owner and staff (the owner attends), the
cohort's instructor and the ward's officer; the office's operations are the officers'
(another ward's rows: 404; not an officer: 403). Another company, another ward's officer,
the metro viewer (it reads aggregates elsewhere), an advisor and an anonymous caller get
nothing of world.company's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import ward
from machikoba.core.testing.factories_programs import CohortFactory, make_graduate, make_plan
from machikoba.core.testing.matrix import (
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
from machikoba.drawings.tests.samples import pdf_bytes
from machikoba.programs.tests.test_permissions_cohorts import _session as _running_session
from machikoba.programs.tests.test_permissions_homework import (
    _finished_cohort_url,
    _item,
)
from machikoba.programs.tests.test_permissions_office import _material

pytestmark = pytest.mark.clock_sensitive

JSON = "application/json"

COMPANY_PEOPLE = (MEMBER, STAFF, FLOOR_WORKER, OTHER_COMPANY, VENDOR, BANK)
NOT_AN_OFFICER = dict.fromkeys(
    (*COMPANY_PEOPLE, METRO_VIEWER, ADVISOR, INSTRUCTOR, REVIEWER, LAB_STAFF, "admin"), 403
)
SIGNED_IN = expect(200, **{ANONYMOUS: 401})
COHORT_READERS = expect(
    404,
    **{ANONYMOUS: 401, **dict.fromkeys(COMPANY_PEOPLE, 200), OFFICER: 200, INSTRUCTOR: 200},
)
APPLICATION_READERS = expect(
    404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 200, INSTRUCTOR: 200}
)
WRITERS = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 403, INSTRUCTOR: 403})
OFFICE_LIST = expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 200})
OFFICE_ROW = expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 404})
SESSION_RUNNERS = expect(
    404, **{ANONYMOUS: 401, OFFICER: 200, INSTRUCTOR: 200, MEMBER: 403, STAFF: 403}
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(name, *parts, query=""):
    return lambda w: reverse(f"api:{name}", args=[part(w) for part in parts]) + query


def _app(w):
    return w.application.pk


def _cohort(w):
    return w.application.cohort_id


def _first_session(w):
    return w.application.cohort.sessions.get(number=1).pk


def _local(moment):
    return timezone.localtime(moment).isoformat()


def _cohort_data(w):
    now = timezone.now()
    return {
        "fiscal_year": w.application.cohort.fiscal_year,
        "name": "第9期",
        "capacity": 30,
        "applications_open_at": _local(now),
        "applications_close_at": _local(now + dt.timedelta(days=20)),
    }


def _session_data(w):
    starts = timezone.now() + dt.timedelta(days=60)
    return {
        "number": 9,
        "title": "振り返り",
        "starts_at": _local(starts),
        "ends_at": _local(starts + dt.timedelta(hours=2)),
        "place": "産業プラザPiO",
    }


def _program_data(w):
    program = w.application.cohort.program
    return {
        "kind": program.kind,
        "name": program.name,
        "description": "改訂",
        "participant_role": program.participant_role,
        "max_per_company": program.max_per_company,
        "min_sessions_attended": program.min_sessions_attended,
    }


def _graduation_cohort(w):
    url = _finished_cohort_url(w)
    return int(url.rstrip("/").split("/")[-2])


MATRIX = [
    # --- cohorts and applications ---
    Case("api:programs_cohorts", _url("programs_cohorts"), SIGNED_IN),
    Case("api:programs_cohort", _url("programs_cohort", _cohort), COHORT_READERS),
    Case(
        "api:programs_apply",
        _url("programs_apply", lambda w: CohortFactory().pk),
        # Applying for the active company: its owner (the dojo is the owner's); staff and
        # floor workers are refused by the service (403), as people without a company.
        expect(
            403,
            **{
                ANONYMOUS: 401,
                MEMBER: 201,
                OTHER_COMPANY: 201,
                VENDOR: 201,
                BANK: 201,
            },
        ),
        method="POST",
        data=lambda w: {"motivation": "見積を早くしたい"},
        content_type=JSON,
    ),
    Case("api:programs_applications", _url("programs_applications"), SIGNED_IN),
    Case("api:programs_application", _url("programs_application", _app), APPLICATION_READERS),
    Case(
        "api:programs_application_withdraw",
        _url("programs_application_withdraw", _app),
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 403, INSTRUCTOR: 403}),
        method="POST",
        data=lambda w: {"reason": ""},
        content_type=JSON,
    ),
    Case(
        "api:programs_application_decline",
        _url("programs_application_decline", _app),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, OFFICER: 200, INSTRUCTOR: 403}),
        method="POST",
        data=lambda w: {"reason": "対象の業種ではないため"},
        content_type=JSON,
    ),
    Case(
        "api:programs_checkin",
        _url("programs_checkin"),
        expect(403, **{ANONYMOUS: 401, MEMBER: 200}),
        method="POST",
        data=lambda w: {"code": _running_session(w).checkin_code},
        content_type=JSON,
    ),
    Case(
        "api:programs_session",
        _url("programs_session", lambda w: _running_session(w).pk),
        SESSION_RUNNERS,
    ),
    Case(
        "api:programs_roll_call",
        _url("programs_roll_call", lambda w: _running_session(w).pk),
        SESSION_RUNNERS,
        method="POST",
        data=lambda w: {"application_id": w.application.pk, "status": "late"},
        content_type=JSON,
    ),
    Case(
        "api:programs_session_code_rotate",
        _url("programs_session_code_rotate", lambda w: _running_session(w).pk),
        SESSION_RUNNERS,
        method="POST",
        content_type=JSON,
    ),
    # --- handouts ---
    Case(
        "api:programs_materials",
        _url("programs_materials", _first_session),
        # The seat's company sees the session; so do its officer and instructor.
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 200, INSTRUCTOR: 200}),
    ),
    Case(
        "api:programs_material_upload",
        _url("programs_material_upload", _first_session),
        SESSION_RUNNERS.copy() | {OFFICER: 201, INSTRUCTOR: 201},
        method="POST",
        data=lambda w: {
            "title": "第1回 スライド",
            "file": SimpleUploadedFile("slides.pdf", pdf_bytes(1)),
        },
    ),
    Case(
        "api:programs_material",
        _url("programs_material", lambda w: _material(w).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 200, INSTRUCTOR: 200}),
    ),
    Case(
        "api:programs_material_delete",
        _url("programs_material_delete", lambda w: _material(w).pk),
        SESSION_RUNNERS.copy() | {OFFICER: 204, INSTRUCTOR: 204},
        method="DELETE",
    ),
    # --- homework ---
    Case("api:programs_worksheet", _url("programs_worksheet", _app), APPLICATION_READERS),
    Case(
        "api:programs_worksheet_item_add",
        _url("programs_worksheet_item_add", _app),
        WRITERS.copy() | {MEMBER: 201, STAFF: 201},
        method="POST",
        data=lambda w: {"area": "production", "problem": "工程表が紙", "impact": 4, "effort": 3},
        content_type=JSON,
    ),
    Case(
        "api:programs_worksheet_item_update",
        _url("programs_worksheet_item_update", lambda w: _item(w).pk),
        WRITERS,
        method="PUT",
        data=lambda w: {"area": "quality", "problem": "検査記録が紙", "impact": 3, "effort": 2},
        content_type=JSON,
    ),
    Case(
        "api:programs_worksheet_item_delete",
        _url("programs_worksheet_item_delete", lambda w: _item(w).pk),
        WRITERS.copy() | {MEMBER: 204, STAFF: 204},
        method="DELETE",
    ),
    Case("api:programs_roi", _url("programs_roi", _app), APPLICATION_READERS),
    Case(
        "api:programs_roi_save",
        _url("programs_roi_save", _app),
        WRITERS,
        method="PUT",
        data=lambda w: {
            "tool": "生産管理クラウド",
            "investment_cost": 1_200_000,
            "yearly_running_cost": 60_000,
            "hours_freed_per_year": 120,
            "hourly_wage": 2500,
        },
        content_type=JSON,
    ),
    Case("api:programs_plan", _url("programs_plan", _app), APPLICATION_READERS),
    Case(
        "api:programs_plan_save",
        _url("programs_plan_save", _app),
        WRITERS,
        method="PUT",
        data=lambda w: {"goal": "受注から出荷までを見える化する"},
        content_type=JSON,
    ),
    Case(
        "api:programs_plan_submit",
        lambda w: (
            make_plan(w.application, status="draft"),
            reverse("api:programs_plan_submit", args=[w.application.pk]),
        )[1],
        WRITERS,
        method="POST",
        content_type=JSON,
    ),
    Case(
        "api:programs_plan_decide",
        lambda w: (
            make_plan(w.application, status="submitted"),
            reverse("api:programs_plan_decide", args=[w.application.pk]),
        )[1],
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, OFFICER: 200, INSTRUCTOR: 200}),
        method="POST",
        data=lambda w: {"decision": "accept", "body": "よくできています"},
        content_type=JSON,
    ),
    Case(
        "api:programs_homework_comment",
        _url("programs_homework_comment", _app),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, OFFICER: 201, INSTRUCTOR: 201}),
        method="POST",
        data=lambda w: {"kind": "worksheet", "body": "分野の分け方を見直しましょう"},
        content_type=JSON,
    ),
    Case(
        "api:programs_teaching",
        _url("programs_teaching"),
        expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 200, INSTRUCTOR: 200}),
    ),
    # --- graduation, certificates, follow-ups ---
    Case(
        "api:programs_graduation",
        _url("programs_graduation", _graduation_cohort),
        # Company people see the cohort but may not run graduation (403).
        expect(
            404,
            **{ANONYMOUS: 401, **dict.fromkeys(COMPANY_PEOPLE, 403), OFFICER: 200, INSTRUCTOR: 200},
        ),
    ),
    Case(
        "api:programs_graduation_run",
        _url("programs_graduation_run", _graduation_cohort),
        expect(
            404,
            **{ANONYMOUS: 401, **dict.fromkeys(COMPANY_PEOPLE, 403), OFFICER: 200, INSTRUCTOR: 200},
        ),
        method="POST",
        content_type=JSON,
    ),
    Case(
        "api:programs_certificate",
        _url("programs_certificate", lambda w: make_graduate(w.application).pk),
        APPLICATION_READERS,
    ),
    Case(
        "api:programs_follow_up",
        _url(
            "programs_follow_up",
            lambda w: make_graduate(w.application, graduated_days_ago=400).follow_up.pk,
        ),
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 200}),
    ),
    Case(
        "api:programs_follow_up_answer",
        _url(
            "programs_follow_up_answer",
            lambda w: make_graduate(w.application, graduated_days_ago=400).follow_up.pk,
        ),
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 403}),
        method="PUT",
        data=lambda w: {"invested": False},
        content_type=JSON,
    ),
    # --- the office ---
    Case("api:programs_office", _url("programs_office"), OFFICE_LIST),
    Case(
        "api:programs_program_create",
        _url("programs_program_create"),
        # 大田区 is not the other ward's officer's to run a programme in.
        expect(403, **{ANONYMOUS: 401, OFFICER: 201, OTHER_WARD_OFFICER: 404}),
        method="POST",
        data=lambda w: {
            "municipality_id": ward().pk,
            "kind": "leader",
            "name": "デジタル化推進リーダー講座 2期",
            "participant_role": "staff",
            "max_per_company": 2,
            "min_sessions_attended": 4,
        },
        content_type=JSON,
    ),
    Case(
        "api:programs_program_update",
        _url("programs_program_update", lambda w: w.application.cohort.program_id),
        OFFICE_ROW,
        method="PUT",
        data=_program_data,
        content_type=JSON,
    ),
    Case(
        "api:programs_cohort_create",
        _url("programs_cohort_create", lambda w: w.application.cohort.program_id),
        OFFICE_ROW.copy() | {OFFICER: 201},
        method="POST",
        data=_cohort_data,
        content_type=JSON,
    ),
    Case("api:programs_cohort_office", _url("programs_cohort_office", _cohort), OFFICE_ROW),
    Case(
        "api:programs_cohort_update",
        _url("programs_cohort_update", _cohort),
        OFFICE_ROW,
        method="PUT",
        data=lambda w: {**_cohort_data(w), "name": w.application.cohort.name},
        content_type=JSON,
    ),
    Case(
        "api:programs_cohort_instructors",
        _url("programs_cohort_instructors", _cohort),
        OFFICE_ROW,
        method="PUT",
        data=lambda w: {"instructor_ids": [w.users[INSTRUCTOR].pk]},
        content_type=JSON,
    ),
    Case(
        "api:programs_session_create",
        _url("programs_session_create", _cohort),
        OFFICE_ROW.copy() | {OFFICER: 201},
        method="POST",
        data=_session_data,
        content_type=JSON,
    ),
    Case(
        "api:programs_session_update",
        _url("programs_session_update", _first_session),
        OFFICE_ROW,
        method="PUT",
        data=lambda w: {**_session_data(w), "number": 1},
        content_type=JSON,
    ),
    Case("api:programs_funnel", _url("programs_funnel"), OFFICE_LIST),
    Case("api:programs_attendance_grid", _url("programs_attendance_grid", _cohort), OFFICE_ROW),
    Case("api:programs_overdue", _url("programs_overdue"), OFFICE_LIST),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
