"""The office's writes (programmes, cohorts, instructors, sessions, handouts) and its
downloads: only the officers of the programme's ward write; bad input is refused with a
Japanese message and nothing changes; files that are not a PDF or a picture are refused
and leave nothing in the storage."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from machikoba.accounts.choices import WardRole
from machikoba.core.errors import ApplicationError
from machikoba.core.fiscal import fiscal_year as fiscal_year_of
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
    force_login_with_mfa,
    give_totp,
    jpeg_bytes,
    ward,
)
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    CohortFactory,
    ProgramFactory,
    SessionFactory,
    make_cohort_with_sessions,
    make_instructor,
    record_attendance,
)
from machikoba.drawings.tests.samples import pdf_bytes
from machikoba.programs.choices import ApplicationStatus, ParticipantRole, ProgramKind
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import Cohort, Program, Session, SessionMaterial
from machikoba.programs.services import materials, programs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def officer():
    return WardRoleFactory(role=WardRole.OFFICER).user


@pytest.fixture
def sumida_officer():
    return WardRoleFactory(role=WardRole.OFFICER, municipality=ward(SUMIDA)).user


def _program_data(**overrides):
    data = {
        "kind": ProgramKind.DOJO,
        "name": "大田区 DX道場",
        "description": "経営者のためのDX入門",
        "participant_role": ParticipantRole.OWNER,
        "wards_only": True,
        "max_per_company": 1,
        "min_sessions_attended": 4,
        "requires_plan_accepted": True,
    }
    data.update(overrides)
    return data


def _window(**overrides):
    now = timezone.now()
    data = {
        "fiscal_year": fiscal_year_of(timezone.localdate()),
        "name": "第1期",
        "capacity": 10,
        "applications_open_at": now,
        "applications_close_at": now + dt.timedelta(days=14),
    }
    data.update(overrides)
    return data


def _session_data(**overrides):
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=30)
    data = {
        "number": 1,
        "title": "課題の棚卸し",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "place": "産業プラザPiO",
        "online_url": "",
    }
    data.update(overrides)
    return data


def _refused(call, code, field=None):
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    if field is not None:
        assert field in caught.value.fields, caught.value.fields
    return caught.value


# --- programmes -------------------------------------------------------------------------------


def test_an_officer_creates_a_programme_of_its_ward_run_jointly_and_audited(officer):
    program = programs.program_create(
        actor=officer,
        municipality=ward(),
        partner_wards=[ward(SUMIDA), ward()],
        **_program_data(),
    )
    assert program.municipality == ward()
    assert program.created_by == officer
    # Its own ward is the lead, never a partner of itself.
    assert list(program.partner_wards.values_list("code", flat=True)) == [SUMIDA]
    event = AuditEvent.objects.get(verb="programs.program.create")
    assert event.after["name"] == "大田区 DX道場"
    assert event.after["partner_wards"] == [ward(SUMIDA).pk]


def test_an_officer_of_another_ward_cannot_create_a_programme_here(sumida_officer):
    error = _refused(
        lambda: programs.program_create(
            actor=sumida_officer, municipality=ward(), **_program_data()
        ),
        ProgramErrorCode.OFFICE_NOT_ALLOWED,
    )
    assert "区の職員" in str(error.message)
    assert not Program.objects.exists()


@pytest.mark.parametrize("who", ["owner", "instructor", "admin"])
def test_nobody_but_an_officer_creates_a_programme(who):
    actor = {
        "owner": lambda: MembershipFactory().user,
        "instructor": lambda: make_instructor(),
        "admin": lambda: UserFactory(is_staff=True, is_superuser=True),
    }[who]()
    _refused(
        lambda: programs.program_create(actor=actor, municipality=ward(), **_program_data()),
        ProgramErrorCode.OFFICE_NOT_ALLOWED,
    )
    assert not Program.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"max_per_company": 0}, "max_per_company"),
        ({"min_sessions_attended": 99}, "min_sessions_attended"),
        ({"kind": "seminar"}, "kind"),
        ({"name": "  "}, "name"),
    ],
)
def test_a_programme_with_bad_rules_is_refused_and_nothing_is_stored(officer, overrides, field):
    _refused(
        lambda: programs.program_create(
            actor=officer, municipality=ward(), **_program_data(**overrides)
        ),
        ProgramErrorCode.OFFICE_PROGRAM_INVALID,
        field,
    )
    assert not Program.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="programs.").exists()


def test_update_by_the_lead_or_a_partner_ward_and_never_another_ward(officer, sumida_officer):
    program = ProgramFactory(name="旧名")
    _refused(
        lambda: programs.program_update(
            actor=sumida_officer, program=program, **_program_data(name="乗っ取り")
        ),
        ProgramErrorCode.OFFICE_NOT_ALLOWED,
    )
    program.refresh_from_db()
    assert program.name == "旧名"
    programs.program_update(actor=officer, program=program, **_program_data(name="新名"))
    program.refresh_from_db()
    assert program.name == "新名"
    # Once 墨田区 runs it jointly, its officer may change it too.
    programs.program_update(
        actor=officer, program=program, partner_wards=[ward(SUMIDA)], **_program_data()
    )
    programs.program_update(
        actor=sumida_officer,
        program=program,
        partner_wards=[ward(SUMIDA)],
        **_program_data(name="共同の名"),
    )
    program.refresh_from_db()
    assert program.name == "共同の名"
    assert program.municipality == ward()


# --- cohorts --------------------------------------------------------------------------------


def test_an_officer_creates_a_cohort_and_another_ward_cannot(officer, sumida_officer):
    program = ProgramFactory()
    _refused(
        lambda: programs.cohort_create(actor=sumida_officer, program=program, **_window()),
        ProgramErrorCode.OFFICE_NOT_ALLOWED,
    )
    assert not Cohort.objects.exists()
    cohort = programs.cohort_create(actor=officer, program=program, **_window())
    assert (cohort.fiscal_year, cohort.name, cohort.capacity) == (
        fiscal_year_of(timezone.localdate()),
        "第1期",
        10,
    )
    assert AuditEvent.objects.filter(verb="programs.cohort.create").count() == 1


def test_a_cohort_whose_window_closes_before_it_opens_is_refused(officer):
    program = ProgramFactory()
    now = timezone.now()
    error = _refused(
        lambda: programs.cohort_create(
            actor=officer,
            program=program,
            **_window(applications_open_at=now, applications_close_at=now - dt.timedelta(hours=1)),
        ),
        ProgramErrorCode.OFFICE_COHORT_INVALID,
        "applications_close_at",
    )
    assert error.fields["applications_close_at"] == [
        "申込の締切は、受付の開始より後にしてください。"
    ]
    assert not Cohort.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"capacity": 0}, "capacity"), ({"fiscal_year": 26}, "fiscal_year")],
)
def test_a_cohort_with_bad_numbers_is_refused(officer, overrides, field):
    _refused(
        lambda: programs.cohort_create(
            actor=officer, program=ProgramFactory(), **_window(**overrides)
        ),
        ProgramErrorCode.OFFICE_COHORT_INVALID,
        field,
    )
    assert not Cohort.objects.exists()


def test_two_cohorts_of_one_name_in_a_year_are_refused(officer):
    program = ProgramFactory()
    programs.cohort_create(actor=officer, program=program, **_window())
    error = _refused(
        lambda: programs.cohort_create(actor=officer, program=program, **_window()),
        ProgramErrorCode.OFFICE_COHORT_NAME_TAKEN,
    )
    assert "同じ名前の期" in str(error.message)
    assert Cohort.objects.count() == 1


def test_capacity_may_not_drop_below_the_seats_given(officer):
    cohort = CohortFactory(capacity=3)
    ApplicationFactory.create_batch(3, cohort=cohort)
    data = _window(
        fiscal_year=cohort.fiscal_year,
        name=cohort.name,
        applications_open_at=cohort.applications_open_at,
        applications_close_at=cohort.applications_close_at,
    )
    error = _refused(
        lambda: programs.cohort_update(actor=officer, cohort=cohort, **{**data, "capacity": 2}),
        ProgramErrorCode.OFFICE_CAPACITY_BELOW_ACCEPTED,
        "capacity",
    )
    assert "3 人" in str(error.message)
    cohort.refresh_from_db()
    assert cohort.capacity == 3
    # Down to exactly the seats given is fine.
    programs.cohort_update(actor=officer, cohort=cohort, **{**data, "capacity": 3, "name": "改名"})
    cohort.refresh_from_db()
    assert cohort.name == "改名"


def test_another_wards_officer_cannot_change_a_cohort(sumida_officer):
    cohort = CohortFactory(capacity=5)
    _refused(
        lambda: programs.cohort_update(actor=sumida_officer, cohort=cohort, **_window(capacity=50)),
        ProgramErrorCode.OFFICE_NOT_ALLOWED,
    )
    cohort.refresh_from_db()
    assert cohort.capacity == 5


# --- instructors ----------------------------------------------------------------------------


def test_instructors_must_hold_the_instructor_role_of_the_programmes_ward(officer, sumida_officer):
    cohort = CohortFactory()
    teacher = make_instructor()
    sumida_teacher = WardRoleFactory(role=WardRole.INSTRUCTOR, municipality=ward(SUMIDA)).user
    stranger = UserFactory()
    for outsider in (stranger, sumida_teacher):
        error = _refused(
            lambda outsider=outsider: programs.cohort_instructors_set(
                actor=officer, cohort=cohort, instructors=[teacher, outsider]
            ),
            ProgramErrorCode.OFFICE_INSTRUCTOR_NOT_ALLOWED,
            "instructors",
        )
        assert "講師" in str(error.message)
    assert not cohort.instructors.exists()
    _refused(
        lambda: programs.cohort_instructors_set(
            actor=sumida_officer, cohort=cohort, instructors=[teacher]
        ),
        ProgramErrorCode.OFFICE_NOT_ALLOWED,
    )
    programs.cohort_instructors_set(actor=officer, cohort=cohort, instructors=[teacher])
    assert list(cohort.instructors.all()) == [teacher]
    event = AuditEvent.objects.get(verb="programs.cohort.instructors")
    assert event.after == {"instructors": [teacher.pk]}


# --- sessions -------------------------------------------------------------------------------


def test_an_officer_adds_a_session_with_a_fresh_random_code(officer):
    cohort = CohortFactory()
    teacher = make_instructor()
    first = programs.session_create(
        actor=officer, cohort=cohort, instructor=teacher, **_session_data()
    )
    second = programs.session_create(
        actor=officer,
        cohort=cohort,
        **_session_data(number=2, place="", online_url="https://meet.example.jp/x"),
    )
    assert first.instructor == teacher
    assert len(first.checkin_code) >= 20
    assert first.checkin_code != second.checkin_code
    assert AuditEvent.objects.filter(verb="programs.session.create").count() == 2


@pytest.mark.parametrize(
    ("overrides", "code", "field", "message"),
    [
        (
            {"ends_at_offset": -1},
            ProgramErrorCode.OFFICE_SESSION_INVALID,
            "ends_at",
            "終了は開始より後にしてください。",
        ),
        (
            {"place": "", "online_url": ""},
            ProgramErrorCode.OFFICE_SESSION_INVALID,
            "place",
            "会場か、オンライン参加のURLのどちらかを入力してください。",
        ),
        (
            {"number": 0},
            ProgramErrorCode.OFFICE_SESSION_INVALID,
            "number",
            "回は 1〜50 の数にしてください。",
        ),
        (
            {"number": 1},
            ProgramErrorCode.OFFICE_SESSION_NUMBER_TAKEN,
            "number",
            "この期には第1回がすでにあります。別の回の番号にしてください。",
        ),
    ],
)
def test_a_bad_session_is_refused_and_nothing_is_stored(officer, overrides, code, field, message):
    cohort = CohortFactory()
    SessionFactory(cohort=cohort, number=1)
    offset = overrides.pop("ends_at_offset", None)
    data = _session_data(**{"number": 2, **overrides})
    if offset is not None:
        data["ends_at"] = data["starts_at"] + dt.timedelta(hours=offset)
    error = _refused(
        lambda: programs.session_create(actor=officer, cohort=cohort, **data), code, field
    )
    assert error.fields[field] == [message]
    assert Session.objects.filter(cohort=cohort).count() == 1


def test_a_session_instructor_must_hold_the_role(officer):
    cohort = CohortFactory()
    _refused(
        lambda: programs.session_create(
            actor=officer, cohort=cohort, instructor=UserFactory(), **_session_data()
        ),
        ProgramErrorCode.OFFICE_INSTRUCTOR_NOT_ALLOWED,
        "instructor",
    )
    assert not Session.objects.exists()


def test_sessions_are_the_officers_of_the_ward_only(officer, sumida_officer):
    cohort = make_cohort_with_sessions(sessions=2)
    teacher = make_instructor(cohort)
    session = cohort.sessions.get(number=1)
    code = session.checkin_code
    for outsider in (sumida_officer, teacher):
        _refused(
            lambda outsider=outsider: programs.session_create(
                actor=outsider, cohort=cohort, **_session_data(number=3)
            ),
            ProgramErrorCode.OFFICE_NOT_ALLOWED,
        )
        _refused(
            lambda outsider=outsider: programs.session_update(
                actor=outsider, session=session, **_session_data(title="変更")
            ),
            ProgramErrorCode.OFFICE_NOT_ALLOWED,
        )
    updated = programs.session_update(
        actor=officer, session=session, **_session_data(number=1, title="新テーマ")
    )
    assert updated.title == "新テーマ"
    assert updated.checkin_code == code  # the code stays
    _refused(
        lambda: programs.session_update(actor=officer, session=session, **_session_data(number=2)),
        ProgramErrorCode.OFFICE_SESSION_NUMBER_TAKEN,
    )


# --- handouts -------------------------------------------------------------------------------


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def test_an_officer_and_the_instructor_upload_handouts(officer, media):
    cohort = make_cohort_with_sessions(sessions=1)
    teacher = make_instructor(cohort)
    session = cohort.sessions.get()
    pdf = materials.material_upload(
        actor=officer,
        session=session,
        title="第1回 スライド",
        file=_upload("資料.pdf", pdf_bytes(2)),
    )
    image = materials.material_upload(
        actor=teacher, session=session, title="板書", file=_upload("board.jpg", jpeg_bytes())
    )
    assert (pdf.mime, pdf.original_name, pdf.uploaded_by) == (
        "application/pdf",
        "資料.pdf",
        officer,
    )
    assert image.mime == "image/jpeg"
    assert len(_stored_files(media)) == 2
    assert AuditEvent.objects.filter(verb="programs.material.upload").count() == 2


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("page.pdf", b"<html><script>alert(1)</script></html>", "file_html"),
        ("notes.txt", b"just some text, nothing more", "file_type_unsupported"),
        (
            "part.dxf",
            b"0\nSECTION\n2\nHEADER\n0\nENDSEC\n0\nEOF\n",
            ProgramErrorCode.OFFICE_MATERIAL_TYPE,
        ),
        ("photo.pdf", None, "file_extension_mismatch"),
    ],
)
def test_a_bad_handout_is_refused_with_nothing_stored(officer, media, name, content, code):
    session = make_cohort_with_sessions(sessions=1).sessions.get()
    error = _refused(
        lambda: materials.material_upload(
            actor=officer,
            session=session,
            title="資料",
            file=_upload(name, content or jpeg_bytes()),
        ),
        code,
        "file",
    )
    assert error.message
    assert not SessionMaterial.objects.exists()
    assert _stored_files(media) == []


def test_a_handout_over_the_limit_is_refused(officer, media, monkeypatch):
    monkeypatch.setattr(materials, "MATERIAL_MAX_BYTES", 1000)
    session = make_cohort_with_sessions(sessions=1).sessions.get()
    _refused(
        lambda: materials.material_upload(
            actor=officer, session=session, title="大きい", file=_upload("big.pdf", pdf_bytes(5))
        ),
        "file_too_large",
        "file",
    )
    assert not SessionMaterial.objects.exists()
    assert _stored_files(media) == []


def test_a_failure_after_storing_removes_the_file(officer, media, monkeypatch):
    session = make_cohort_with_sessions(sessions=1).sessions.get()

    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(materials, "audit_record", broken)
    with pytest.raises(RuntimeError):
        materials.material_upload(
            actor=officer, session=session, title="資料", file=_upload("a.pdf", pdf_bytes(1))
        )
    assert not SessionMaterial.objects.exists()
    assert _stored_files(media) == []


def test_participants_and_other_wards_cannot_upload_or_delete(officer, sumida_officer, media):
    cohort = make_cohort_with_sessions(sessions=1)
    session = cohort.sessions.get()
    owner = MembershipFactory().user
    ApplicationFactory(cohort=cohort, company=owner.memberships.get().company, participant=owner)
    for outsider in (owner, sumida_officer):
        _refused(
            lambda outsider=outsider: materials.material_upload(
                actor=outsider, session=session, title="x", file=_upload("a.pdf", pdf_bytes(1))
            ),
            ProgramErrorCode.OFFICE_NOT_ALLOWED,
        )
    assert _stored_files(media) == []
    item = materials.material_upload(
        actor=officer, session=session, title="資料", file=_upload("a.pdf", pdf_bytes(1))
    )
    for outsider in (owner, sumida_officer):
        _refused(
            lambda outsider=outsider: materials.material_delete(actor=outsider, material=item),
            ProgramErrorCode.OFFICE_NOT_ALLOWED,
        )
    assert SessionMaterial.objects.filter(pk=item.pk).exists()


def test_deleting_a_handout_removes_its_file_after_commit(
    officer, media, django_capture_on_commit_callbacks
):
    session = make_cohort_with_sessions(sessions=1).sessions.get()
    item = materials.material_upload(
        actor=officer, session=session, title="資料", file=_upload("a.pdf", pdf_bytes(1))
    )
    assert len(_stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        materials.material_delete(actor=officer, material=item)
    assert not SessionMaterial.objects.exists()
    assert _stored_files(media) == []
    assert AuditEvent.objects.filter(verb="programs.material.delete").count() == 1


def test_the_download_is_an_attachment_with_its_name_and_never_cached(officer, client):
    cohort = make_cohort_with_sessions(sessions=1)
    session = cohort.sessions.get()
    owner = MembershipFactory().user
    ApplicationFactory(cohort=cohort, company=owner.memberships.get().company, participant=owner)
    item = materials.material_upload(
        actor=officer, session=session, title="資料", file=_upload("第1回 資料.pdf", pdf_bytes(1))
    )
    client.force_login(owner)
    response = client.get(reverse("programs:material", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert "%E7%AC%AC1%E5%9B%9E" in response["Content-Disposition"]  # 第1回
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_upload_page_refuses_a_bad_file_on_the_form(officer, client, media):
    give_totp(officer)
    force_login_with_mfa(client, officer)
    session = make_cohort_with_sessions(sessions=1).sessions.get()
    response = client.post(
        reverse("programs:material_upload", args=[session.pk]),
        {"title": "資料", "file": _upload("x.pdf", b"plain words, not a PDF at all")},
    )
    assert response.status_code == 200
    assert "対応していない形式のファイルです" in response.content.decode()
    assert not SessionMaterial.objects.exists()
    assert _stored_files(media) == []


# --- exports ---------------------------------------------------------------------------------


@pytest.fixture
def officer_client(client, officer):
    give_totp(officer)
    force_login_with_mfa(client, officer)
    return client


def _grid_cohort():
    cohort = make_cohort_with_sessions(sessions=2, first_in_days=-14)
    company = CompanyFactory(name='=HYPERLINK("http://evil.example","x")')
    application = ApplicationFactory(
        cohort=cohort, company=company, participant=UserFactory(name="蒲田 太郎")
    )
    record_attendance(application, cohort.sessions.get(number=1), "present")
    record_attendance(application, cohort.sessions.get(number=2), "late")
    return cohort


def _csv_rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_grid_as_csv_has_its_header_rows_and_escaped_formulas(officer_client):
    cohort = _grid_cohort()
    response = officer_client.get(
        reverse("programs:attendance_grid", args=[cohort.pk]), {"format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = _csv_rows(response)
    assert rows[0] == ["企業", "受講者", "第1回", "第2回", "出席回数", "修了の出席要件"]
    assert rows[1] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "蒲田 太郎",
        "出",
        "遅",
        "2",
        "満たさない",
    ]
    event = AuditEvent.objects.get(verb="programs.report.export")
    assert event.after["report"] == "attendance_grid"
    assert event.after["format"] == "csv"


def test_the_grid_as_xlsx_opens_with_openpyxl(officer_client):
    cohort = _grid_cohort()
    response = officer_client.get(
        reverse("programs:attendance_grid", args=[cohort.pk]), {"format": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["企業", "受講者", "第1回"]
    assert values[1][0].startswith("'=HYPERLINK")
    assert values[1][4] == 2  # a number stays a number


def test_the_funnel_and_overdue_export_with_their_headers(officer_client, officer):
    cohort = _grid_cohort()
    response = officer_client.get(
        reverse("programs:funnel"), {"format": "csv", "year": str(cohort.fiscal_year)}
    )
    rows = _csv_rows(response)
    assert rows[0][:4] == ["プログラム", "年度", "申込", "受講決定"]
    assert rows[1][0] == cohort.program.name
    assert rows[1][1:4] == [str(cohort.fiscal_year), "1", "1"]
    assert rows[-1][0] == "合計"
    response = officer_client.get(reverse("programs:overdue"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert next(sheet.iter_rows(values_only=True))[0] == "種類"
    assert AuditEvent.objects.filter(verb="programs.report.export").count() == 2


def test_an_unknown_format_shows_the_page(officer_client):
    response = officer_client.get(reverse("programs:funnel"), {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(verb="programs.report.export").exists()


# --- the forms ------------------------------------------------------------------------------


def test_the_forms_create_a_programme_a_cohort_and_a_session(officer_client):
    response = officer_client.post(
        reverse("programs:program_create"),
        {
            "municipality": str(ward().pk),
            "kind": "dojo",
            "name": "大田区 DX道場",
            "participant_role": "owner",
            "wards_only": "on",
            "max_per_company": "1",
            "min_sessions_attended": "4",
            "requires_plan_accepted": "on",
        },
    )
    program = Program.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:cohort_create", args=[program.pk])
    now = timezone.localtime()
    this_year = str(fiscal_year_of(now.date()))
    response = officer_client.post(
        reverse("programs:cohort_create", args=[program.pk]),
        {
            "fiscal_year": this_year,
            "name": "第1期",
            "capacity": "12",
            "applications_open_at": (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "applications_close_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "申込の締切は、受付の開始より後にしてください。" in response.content.decode()
    assert not Cohort.objects.exists()
    response = officer_client.post(
        reverse("programs:cohort_create", args=[program.pk]),
        {
            "fiscal_year": this_year,
            "name": "第1期",
            "capacity": "12",
            "applications_open_at": now.strftime("%Y-%m-%dT%H:%M"),
            "applications_close_at": (now + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    cohort = Cohort.objects.get()
    assert response["Location"] == reverse("programs:cohort_office", args=[cohort.pk])
    starts = now + dt.timedelta(days=20)
    response = officer_client.post(
        reverse("programs:session_create", args=[cohort.pk]),
        {
            "number": "1",
            "title": "DXとは",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "産業プラザPiO",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.title == "DXとは"
    page = officer_client.get(reverse("programs:cohort_office", args=[cohort.pk]))
    assert "第1回 DXとは" in page.content.decode()


def test_the_office_page_lists_seats_and_the_waitlist(officer_client):
    cohort = CohortFactory(capacity=1, name="第3期")
    ApplicationFactory(cohort=cohort)
    waiting = ApplicationFactory(
        cohort=cohort, status=ApplicationStatus.WAITLISTED, decided_at=None
    )
    home = officer_client.get(reverse("programs:office")).content.decode()
    assert "第3期" in home
    page = officer_client.get(reverse("programs:cohort_office", args=[cohort.pk])).content.decode()
    assert "1 / 1" in page
    assert "1 番目" in page
    assert reverse("programs:decline", args=[waiting.pk]) in page
