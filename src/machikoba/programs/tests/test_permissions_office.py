"""Permission matrix of the office's side of the programmes. The officer of 大田区 (the
programme's ward) gets every page; another ward's officer gets its own lists (empty of
大田区's programmes) and "not found" for 大田区's programme, cohort or session. Everyone
else signed in is refused the office's pages (403, as the ward's other pages); anonymous
visitors are sent to sign in. Handouts: the cohort's instructor uploads and deletes them
like the officer; the participants download them (and get a 403 on the upload page of a
session they see); nobody else sees they exist (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import ward
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    INSTRUCTOR,
    LOGIN,
    MEMBER,
    OFFICER,
    OTHER_WARD_OFFICER,
    STAFF,
    Case,
    assert_case,
    expect,
    posted,
)
from machikoba.drawings.tests.samples import pdf_bytes
from machikoba.programs.models import Cohort, Program, Session, SessionMaterial
from machikoba.programs.services import materials

PDF = pdf_bytes(1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _cohort(w):
    return w.application.cohort


def _program(w):
    return _cohort(w).program


def _session(w):
    return _cohort(w).sessions.get(number=1)


def _material(w):
    return materials.material_upload(
        actor=w.users[OFFICER],
        session=_session(w),
        title="第1回 スライド",
        file=SimpleUploadedFile("slides.pdf", PDF),
    )


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _cohort_data(w, **overrides):
    now = timezone.now()
    data = {
        "fiscal_year": str(_cohort(w).fiscal_year),
        "name": "第9期",
        "capacity": "30",
        "applications_open_at": _local(now),
        "applications_close_at": _local(now + dt.timedelta(days=20)),
    }
    data.update(overrides)
    return data


def _session_data(w, **overrides):
    starts = timezone.now() + dt.timedelta(days=60)
    data = {
        "number": "9",
        "title": "振り返り",
        "starts_at": _local(starts),
        "ends_at": _local(starts + dt.timedelta(hours=2)),
        "place": "産業プラザPiO",
    }
    data.update(overrides)
    return data


def _program_data(w):
    return {
        "municipality": str(ward().pk),
        "kind": "leader",
        "name": "デジタル化推進リーダー講座 2期",
        "participant_role": "staff",
        "max_per_company": "2",
        "min_sessions_attended": "4",
    }


# Officer pages: the ward's officer 200, another ward's officer 200 on lists, everyone
# else signed in 403.
OFFICE_LIST = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200})
OFFICE_ROW = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 404})
# Handouts: reachable for whoever may change the session (officer, instructor); the
# participants (owner, staff with the seat) see the session; the rest see nothing.
MATERIAL_PAGE = expect(
    404, **{ANONYMOUS: LOGIN, OFFICER: 200, INSTRUCTOR: 200, MEMBER: 403, STAFF: 403}
)

MATRIX = [
    Case("programs:office", lambda w: reverse("programs:office"), OFFICE_LIST),
    Case("programs:funnel", lambda w: reverse("programs:funnel"), OFFICE_LIST),
    Case(
        "programs:funnel",
        lambda w: reverse("programs:funnel") + "?format=csv",
        OFFICE_LIST,
        note="csv",
    ),
    Case("programs:overdue", lambda w: reverse("programs:overdue"), OFFICE_LIST),
    Case(
        "programs:overdue",
        lambda w: reverse("programs:overdue") + "?format=xlsx",
        OFFICE_LIST,
        note="xlsx",
    ),
    Case("programs:program_create", lambda w: reverse("programs:program_create"), OFFICE_LIST),
    Case(
        "programs:program_create",
        lambda w: reverse("programs:program_create"),
        # Another ward's officer may not pick 大田区: the form says so (200), nothing made.
        posted(OFFICE_LIST, **{OFFICER: DONE}),
        method="POST",
        data=_program_data,
        effect=lambda w: Program.objects.count(),
    ),
    Case(
        "programs:program_edit",
        lambda w: reverse("programs:program_edit", args=[_program(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "programs:program_edit",
        lambda w: reverse("programs:program_edit", args=[_program(w).pk]),
        posted(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: {**_program_data(w), "name": "改名したDX道場"},
        effect=lambda w: Program.objects.get(pk=_program(w).pk).name,
    ),
    Case(
        "programs:cohort_create",
        lambda w: reverse("programs:cohort_create", args=[_program(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "programs:cohort_create",
        lambda w: reverse("programs:cohort_create", args=[_program(w).pk]),
        posted(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=_cohort_data,
        effect=lambda w: Cohort.objects.count(),
    ),
    Case(
        "programs:cohort_office",
        lambda w: reverse("programs:cohort_office", args=[_cohort(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "programs:cohort_edit",
        lambda w: reverse("programs:cohort_edit", args=[_cohort(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "programs:cohort_edit",
        lambda w: reverse("programs:cohort_edit", args=[_cohort(w).pk]),
        posted(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: _cohort_data(w, name="第1期 (改)"),
        effect=lambda w: Cohort.objects.get(pk=_cohort(w).pk).name,
    ),
    Case(
        "programs:cohort_instructors",
        lambda w: reverse("programs:cohort_instructors", args=[_cohort(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "programs:cohort_instructors",
        lambda w: reverse("programs:cohort_instructors", args=[_cohort(w).pk]),
        posted(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: {},  # none: the instructor is taken off
        effect=lambda w: list(_cohort(w).instructors.values_list("pk", flat=True)),
    ),
    Case(
        "programs:attendance_grid",
        lambda w: reverse("programs:attendance_grid", args=[_cohort(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "programs:attendance_grid",
        lambda w: reverse("programs:attendance_grid", args=[_cohort(w).pk]) + "?format=csv",
        OFFICE_ROW,
        note="csv",
    ),
    Case(
        "programs:session_create",
        lambda w: reverse("programs:session_create", args=[_cohort(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "programs:session_create",
        lambda w: reverse("programs:session_create", args=[_cohort(w).pk]),
        posted(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=_session_data,
        effect=lambda w: Session.objects.count(),
    ),
    Case(
        "programs:session_edit",
        lambda w: reverse("programs:session_edit", args=[_session(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "programs:session_edit",
        lambda w: reverse("programs:session_edit", args=[_session(w).pk]),
        posted(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: _session_data(w, number="1", title="DXの全体像 (改)"),
        effect=lambda w: Session.objects.get(pk=_session(w).pk).title,
    ),
    Case(
        "programs:material_upload",
        lambda w: reverse("programs:material_upload", args=[_session(w).pk]),
        MATERIAL_PAGE,
    ),
    Case(
        "programs:material_upload",
        lambda w: reverse("programs:material_upload", args=[_session(w).pk]),
        posted(MATERIAL_PAGE, **{OFFICER: DONE, INSTRUCTOR: DONE}),
        method="POST",
        data=lambda w: {"title": "配布資料", "file": SimpleUploadedFile("handout.pdf", PDF)},
        effect=lambda w: SessionMaterial.objects.count(),
    ),
    Case(
        "programs:material",
        lambda w: reverse("programs:material", args=[_material(w).pk]),
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                OFFICER: 200,
                INSTRUCTOR: 200,
                MEMBER: 200,
                STAFF: 200,
            },
        ),
    ),
    Case(
        "programs:material_delete",
        lambda w: reverse("programs:material_delete", args=[_material(w).pk]),
        posted(MATERIAL_PAGE, **{OFFICER: DONE, INSTRUCTOR: DONE}),
        method="POST",
        effect=lambda w: SessionMaterial.objects.count(),
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
