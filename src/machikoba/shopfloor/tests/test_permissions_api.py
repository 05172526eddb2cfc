"""Permission matrix of the shopfloor API: every operation, every actor. The schedule, the
日報 and the floor's metrics are the shop's own: its people read them (owners and staff
change the schedule, review reports and read the metrics), and nobody outside the company
gets anything of them: another company (a vendor, a bank) gets its own, empty, lists and
"not found" for world.company's rows; officers of any ward, the metro viewer, the advisor,
the instructor, the reviewer, lab staff and a platform admin have no company (403); an
anonymous caller is 401."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.core.notifications import KINDS
from machikoba.core.testing.clock import working_day
from machikoba.core.testing.factories import jpeg_bytes
from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_WARD_OFFICER,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.shopfloor.labels_reports import NOTIFICATION_KINDS
from machikoba.shopfloor.tests.test_permissions import _plan
from machikoba.shopfloor.tests.test_permissions_metrics import _machine, _shift
from machikoba.shopfloor.tests.test_permissions_reports import _floor

pytestmark = pytest.mark.clock_sensitive

JSON = "application/json"

# People with no company: the shop floor's API is a company's, and they get 403 from it.
NO_COMPANY = dict.fromkeys(
    (
        OFFICER,
        OTHER_WARD_OFFICER,
        METRO_VIEWER,
        ADVISOR,
        INSTRUCTOR,
        REVIEWER,
        LAB_STAFF,
        "admin",
    ),
    403,
)
# The active company's own page (another company, a vendor, a bank see their own).
COMPANY = expect(200, **{ANONYMOUS: 401, **NO_COMPANY})
EDITORS = expect(200, **{ANONYMOUS: 401, FLOOR_WORKER: 403, **NO_COMPANY})
# A row of world.company: nobody outside it finds it.
OWN = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})
OWN_EDIT = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403})
OWN_EDIT_NO_COMPANY = expect(
    404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403, **NO_COMPANY}
)
# The worker's own rows: the supervisors read them but may not write them.
WORKERS = expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 200})


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _labels(monkeypatch):
    for kind, texts in NOTIFICATION_KINDS.items():
        monkeypatch.setitem(KINDS, kind, texts)


def _url(name, *parts):
    return lambda w: reverse(f"api:{name}", args=[part(w) for part in parts])


def _move(w):
    operation = _plan(w)
    start = dt.datetime.combine(working_day(1), dt.time(10), tzinfo=timezone.get_current_timezone())
    return {"machine": operation.eligible[1], "start": start.isoformat()}


def _entry(w, key="1b0e7a3c-5d7b-4f55-8a6e-0c3a1d2b4c5d"):
    return {"idempotency_key": key, "step_id": _floor(w).step.pk, "minutes": 45, "good": 10}


def _photo(w):
    return {"photos": SimpleUploadedFile("part.jpg", jpeg_bytes(), content_type="image/jpeg")}


MATRIX = [
    # --- the schedule ---
    Case("api:shopfloor_schedule", _url("shopfloor_schedule"), COMPANY),
    Case(
        "api:shopfloor_plan_request",
        # world.company has machines and a step to plan (_plan): its editors' plan is
        # queued (202); another company has no machines (409); a floor worker may not plan.
        lambda w: (_plan(w), reverse("api:shopfloor_plan_request"))[1],
        expect(409, **{ANONYMOUS: 401, MEMBER: 202, STAFF: 202, FLOOR_WORKER: 403, **NO_COMPANY}),
        method="POST",
        data=lambda w: {"objective": "due_dates", "time_limit": 10},
        content_type=JSON,
    ),
    Case("api:shopfloor_run", _url("shopfloor_run", lambda w: _plan(w).run_id), OWN),
    Case("api:shopfloor_steps", _url("shopfloor_steps"), COMPANY),
    Case(
        "api:shopfloor_step_work_save",
        _url("shopfloor_step_work_save", lambda w: _plan(w).step_id),
        OWN_EDIT_NO_COMPANY,
        method="PUT",
        data=lambda w: {"minutes": 90, "equipment_ids": []},
        content_type=JSON,
    ),
    Case("api:shopfloor_calendar", _url("shopfloor_calendar"), EDITORS),
    Case(
        "api:shopfloor_calendar_save",
        _url("shopfloor_calendar_save"),
        EDITORS,
        method="PUT",
        data=lambda w: {"day_start": "08:00", "day_end": "17:00", "weekdays": [0, 1, 2, 3, 4]},
        content_type=JSON,
    ),
    Case(
        "api:shopfloor_operation_move",
        _url("shopfloor_operation_move", lambda w: _plan(w).pk),
        OWN_EDIT,
        method="POST",
        data=_move,
        content_type=JSON,
    ),
    # --- the 日報: the worker's side ---
    Case("api:shopfloor_report_day", _url("shopfloor_report_day"), COMPANY),
    Case("api:shopfloor_reports_mine", _url("shopfloor_reports_mine"), COMPANY),
    Case(
        "api:shopfloor_report_entry_create",
        _url("shopfloor_report_entry_create"),
        # Everyone of the company records work on its step; another company's people
        # do not find the step.
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 201, **NO_COMPANY}),
        method="POST",
        data=_entry,
        content_type=JSON,
    ),
    Case(
        "api:shopfloor_report_entry_start",
        _url("shopfloor_report_entry_start"),
        # The floor worker already has a running entry (two days ago): a conflict (409).
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, FLOOR_WORKER: 409, **NO_COMPANY}),
        method="POST",
        data=lambda w: {
            "idempotency_key": "2c1f8b4d-6e8c-4a66-9b1d-1d4b2e3c5d6e",
            "step_id": _floor(w).step.pk,
        },
        content_type=JSON,
    ),
    Case(
        "api:shopfloor_report_entry",
        _url("shopfloor_report_entry", lambda w: _floor(w).entry.pk),
        OWN,
    ),
    Case(
        "api:shopfloor_report_entry_stop",
        _url("shopfloor_report_entry_stop", lambda w: _floor(w).running.pk),
        WORKERS,
        method="POST",
        content_type=JSON,
    ),
    Case(
        "api:shopfloor_report_entry_update",
        _url("shopfloor_report_entry_update", lambda w: _floor(w).entry.pk),
        WORKERS,
        method="PUT",
        data=lambda w: {"minutes": 80, "good": 11},
        content_type=JSON,
    ),
    Case(
        "api:shopfloor_report_entry_delete",
        _url("shopfloor_report_entry_delete", lambda w: _floor(w).entry.pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 204}),
        method="DELETE",
    ),
    Case(
        "api:shopfloor_report_photos_add",
        _url("shopfloor_report_photos_add", lambda w: _floor(w).entry.pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 201}),
        method="POST",
        data=_photo,
    ),
    Case(
        "api:shopfloor_report_photo",
        _url("shopfloor_report_photo", lambda w: _floor(w).photo.pk),
        OWN,
    ),
    Case(
        "api:shopfloor_report_photo_delete",
        _url("shopfloor_report_photo_delete", lambda w: _floor(w).photo.pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 403, STAFF: 403, FLOOR_WORKER: 204}),
        method="DELETE",
    ),
    # --- a report and its review ---
    Case("api:shopfloor_report_review", _url("shopfloor_report_review"), EDITORS),
    Case("api:shopfloor_report", _url("shopfloor_report", lambda w: _floor(w).draft.pk), OWN),
    Case(
        "api:shopfloor_report_submit",
        _url("shopfloor_report_submit", lambda w: _floor(w).draft.pk),
        WORKERS,
        method="POST",
        content_type=JSON,
    ),
    Case(
        "api:shopfloor_report_approve",
        _url("shopfloor_report_approve", lambda w: _floor(w).submitted.pk),
        OWN_EDIT,
        method="POST",
        content_type=JSON,
    ),
    Case(
        "api:shopfloor_report_return",
        _url("shopfloor_report_return", lambda w: _floor(w).submitted.pk),
        OWN_EDIT,
        method="POST",
        data=lambda w: {"note": "数量を確認してください"},
        content_type=JSON,
    ),
    # --- reasons, rates, costs ---
    Case("api:shopfloor_reasons", _url("shopfloor_reasons"), COMPANY),
    Case(
        "api:shopfloor_reason_create",
        _url("shopfloor_reason_create"),
        expect(201, **{ANONYMOUS: 401, FLOOR_WORKER: 403, **NO_COMPANY}),
        method="POST",
        data=lambda w: {"kind": "stop", "code": "api-test", "label": "APIの停止"},
        content_type=JSON,
    ),
    Case(
        "api:shopfloor_reason_update",
        _url("shopfloor_reason_update", lambda w: _floor(w).reason.pk),
        OWN_EDIT,
        method="PUT",
        data=lambda w: {"code": "renamed", "label": "改名", "active": True, "order": 3},
        content_type=JSON,
    ),
    Case("api:shopfloor_job_costs", _url("shopfloor_job_costs"), EDITORS),
    Case(
        "api:shopfloor_cost_rates_set",
        _url("shopfloor_cost_rates_set"),
        EDITORS,
        method="PUT",
        data=lambda w: {"labour_yen_per_hour": 3000, "machine_yen_per_hour": 2000},
        content_type=JSON,
    ),
    # --- metrics ---
    Case("api:shopfloor_board", _url("shopfloor_board"), COMPANY),
    Case(
        "api:shopfloor_machine_day",
        _url("shopfloor_machine_day", lambda w: _machine(w).pk),
        OWN_EDIT_NO_COMPANY,
    ),
    Case("api:shopfloor_metrics", _url("shopfloor_metrics"), EDITORS),
    Case("api:shopfloor_shifts", _url("shopfloor_shifts"), EDITORS),
    Case(
        "api:shopfloor_shift_add",
        _url("shopfloor_shift_add"),
        expect(201, **{ANONYMOUS: 401, FLOOR_WORKER: 403, **NO_COMPANY}),
        method="POST",
        data=lambda w: {"name": "夜勤", "start": "22:00", "end": "06:00"},
        content_type=JSON,
    ),
    Case(
        "api:shopfloor_shift_delete",
        _url("shopfloor_shift_delete", lambda w: _shift(w).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 204, STAFF: 204, FLOOR_WORKER: 403}),
        method="DELETE",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
