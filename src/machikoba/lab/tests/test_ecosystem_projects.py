"""Consortium projects: the office registers them, adds participants (companies and
partners of its ward), moves them planned → running → completed (with an outcome) or
cancelled, and keeps their documents, checked from their content (a bad file is refused
and nothing is stored). Participating companies' people read their projects; nobody else
does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from machikoba.core.access import CHANGE, VIEW
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import SUMIDA, ward
from machikoba.core.testing.factories_lab_ecosystem import (
    add_participant,
    bank_partner,
    light_world,
    make_partner,
    make_project,
    refusal_of,
)
from machikoba.core.testing.factories_subsidies_apply import (
    fake_pdf_upload,
    jpeg_upload,
    pdf_upload,
)
from machikoba.core.testing.matrix import (
    BANK,
    FLOOR_WORKER,
    LAB_STAFF,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    STAFF,
    VENDOR,
)
from machikoba.drawings.error_codes import DrawingsErrorCode
from machikoba.drawings.tests.samples import dxf_bytes
from machikoba.lab.choices import PartnerKind, ProjectKind, ProjectStatus
from machikoba.lab.error_codes_ecosystem import EcosystemErrorCode
from machikoba.lab.models_ecosystem import Project, ProjectDocument, ProjectParticipant
from machikoba.lab.selectors.ecosystem import project_list, project_page
from machikoba.lab.services import projects as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return light_world()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _create(world, actor=LAB_STAFF, **fields):
    today = timezone.localdate()
    values = {
        "actor": world.users[actor],
        "municipality": ward(),
        "kind": ProjectKind.PBL,
        "title": "段取り替えのIoT見える化",
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=90),
    }
    values.update(fields)
    return services.project_create(**values)


def test_the_office_registers_a_project(world):
    project = _create(world, OFFICER, summary=" 学生3名 ")
    assert project.status == ProjectStatus.PLANNED
    assert project.summary == "学生3名"
    assert project.created_by == world.users[OFFICER]
    assert AuditEvent.objects.filter(verb="lab.project.create").count() == 1


@pytest.mark.parametrize("actor", [OTHER_WARD_OFFICER, MEMBER, BANK, VENDOR, METRO_VIEWER])
def test_only_the_wards_office_registers(world, actor):
    error = refusal_of(lambda: _create(world, actor))
    assert error.code == EcosystemErrorCode.NOT_OFFICE
    assert not Project.objects.exists()


def test_the_period_is_checked(world):
    today = timezone.localdate()
    error = refusal_of(lambda: _create(world, ends_on=today - dt.timedelta(days=1)))
    assert error.code == EcosystemErrorCode.PROJECT_INVALID
    assert "ends_on" in error.fields
    error = refusal_of(lambda: _create(world, ends_on=today + dt.timedelta(days=4 * 366)))
    assert error.code == EcosystemErrorCode.PROJECT_INVALID
    error = refusal_of(lambda: _create(world, title=""))
    assert error.code == EcosystemErrorCode.PROJECT_INVALID
    assert "title" in error.fields
    assert not Project.objects.exists()


def _start(world, project, actor=LAB_STAFF):
    return services.project_transition(
        actor=world.users[actor], project=project, to=ProjectStatus.RUNNING
    )


def test_a_pbl_starts_only_with_a_university_and_a_company(world):
    project = _create(world)
    error = refusal_of(lambda: _start(world, project))
    assert error.code == EcosystemErrorCode.PROJECT_NOT_READY
    university = make_partner()
    services.participant_add(
        actor=world.users[LAB_STAFF], project=project, partner=university, role="指導教員"
    )
    error = refusal_of(lambda: _start(world, project))
    assert error.code == EcosystemErrorCode.PROJECT_NOT_READY
    assert "企業" in str(error.message)
    services.participant_add(actor=world.users[LAB_STAFF], project=project, company=world.company)
    assert _start(world, project).status == ProjectStatus.RUNNING


def test_a_bank_is_no_university(world):
    project = _create(world, kind=ProjectKind.INTERNSHIP)
    add_participant(project, partner=bank_partner(world.bank))
    add_participant(project, company=world.company)
    error = refusal_of(lambda: _start(world, project))
    assert error.code == EcosystemErrorCode.PROJECT_NOT_READY


def test_a_co_development_needs_two_companies(world):
    project = _create(world, kind=ProjectKind.CO_DEVELOPMENT)
    add_participant(project, company=world.company)
    error = refusal_of(lambda: _start(world, project))
    assert error.code == EcosystemErrorCode.PROJECT_NOT_READY
    add_participant(project, company=world.other_company)
    assert _start(world, project).status == ProjectStatus.RUNNING


def test_another_kind_needs_someone(world):
    project = _create(world, kind=ProjectKind.OTHER)
    assert refusal_of(lambda: _start(world, project)).code == EcosystemErrorCode.PROJECT_NOT_READY
    add_participant(project, partner=make_partner(kind=PartnerKind.SUPPORT_BODY, name="公社"))
    assert _start(world, project).status == ProjectStatus.RUNNING


def test_completing_needs_an_outcome_and_ends_the_project(world):
    project = make_project(kind=ProjectKind.OTHER, status=ProjectStatus.RUNNING)
    lab_staff = world.users[LAB_STAFF]
    error = refusal_of(
        lambda: services.project_transition(
            actor=lab_staff, project=project, to=ProjectStatus.COMPLETED, outcome="  "
        )
    )
    assert error.code == EcosystemErrorCode.PROJECT_OUTCOME_MISSING
    assert "outcome" in error.fields
    done = services.project_transition(
        actor=lab_staff, project=project, to=ProjectStatus.COMPLETED, outcome="段取り時間 30%減"
    )
    assert (done.status, done.outcome) == (ProjectStatus.COMPLETED, "段取り時間 30%減")
    for to in (ProjectStatus.RUNNING, ProjectStatus.CANCELLED, ProjectStatus.PLANNED):
        error = refusal_of(
            lambda to=to: services.project_transition(actor=lab_staff, project=project, to=to)
        )
        assert error.code == EcosystemErrorCode.PROJECT_STATE
    error = refusal_of(
        lambda: services.participant_add(actor=lab_staff, project=project, company=world.company)
    )
    assert error.code == EcosystemErrorCode.PROJECT_STATE
    verbs = AuditEvent.objects.filter(verb="lab.project.status")
    assert [e.after["status"] for e in verbs] == [ProjectStatus.COMPLETED]


def test_a_planned_project_may_be_cancelled_but_not_completed(world):
    project = make_project()
    error = refusal_of(
        lambda: services.project_transition(
            actor=world.users[OFFICER], project=project, to=ProjectStatus.COMPLETED, outcome="x"
        )
    )
    assert error.code == EcosystemErrorCode.PROJECT_STATE
    cancelled = services.project_transition(
        actor=world.users[OFFICER], project=project, to=ProjectStatus.CANCELLED
    )
    assert cancelled.status == ProjectStatus.CANCELLED


def test_another_wards_office_cannot_move_or_edit_it(world):
    project = make_project(kind=ProjectKind.OTHER)
    add_participant(project, company=world.company)
    other = world.users[OTHER_WARD_OFFICER]
    error = refusal_of(
        lambda: services.project_transition(actor=other, project=project, to=ProjectStatus.RUNNING)
    )
    assert error.code == EcosystemErrorCode.NOT_OFFICE
    error = refusal_of(
        lambda: services.project_update(
            actor=other,
            project=project,
            kind=project.kind,
            title="乗っ取り",
            starts_on=project.starts_on,
            ends_on=project.ends_on,
        )
    )
    assert error.code == EcosystemErrorCode.NOT_OFFICE
    project.refresh_from_db()
    assert (project.status, project.title) == (
        ProjectStatus.PLANNED,
        "IoTで段取り時間を見える化するPBL",
    )


def test_edit_keeps_the_kind_once_running(world):
    project = make_project(status=ProjectStatus.RUNNING)
    error = refusal_of(
        lambda: services.project_update(
            actor=world.users[LAB_STAFF],
            project=project,
            kind=ProjectKind.CO_DEVELOPMENT,
            title=project.title,
            starts_on=project.starts_on,
            ends_on=project.ends_on,
        )
    )
    assert error.code == EcosystemErrorCode.PROJECT_STATE
    updated = services.project_update(
        actor=world.users[LAB_STAFF],
        project=project,
        kind=project.kind,
        title="見える化PBL (後期)",
        starts_on=project.starts_on,
        ends_on=project.ends_on,
        outcome="中間発表済み",
    )
    assert (updated.title, updated.outcome) == ("見える化PBL (後期)", "中間発表済み")


def test_participant_refusals(world):
    project = make_project()
    staff = world.users[LAB_STAFF]

    def add(**fields):
        return services.participant_add(actor=staff, project=project, **fields)

    assert refusal_of(add).code == EcosystemErrorCode.PARTICIPANT_INVALID
    both = refusal_of(lambda: add(company=world.company, partner=make_partner()))
    assert both.code == EcosystemErrorCode.PARTICIPANT_INVALID
    sumida = make_partner(name="墨田大学", municipality_code=SUMIDA)
    assert refusal_of(lambda: add(partner=sumida)).code == EcosystemErrorCode.PARTICIPANT_INVALID
    retired = make_partner(name="終了した大学", active=False)
    assert refusal_of(lambda: add(partner=retired)).code == EcosystemErrorCode.PARTICIPANT_INVALID
    world.other_company.is_active = False
    world.other_company.save(update_fields=["is_active"])
    error = refusal_of(lambda: add(company=world.other_company))
    assert error.code == EcosystemErrorCode.PARTICIPANT_INVALID
    add(company=world.company, role="課題の提供")
    assert refusal_of(lambda: add(company=world.company)).code == (
        EcosystemErrorCode.PARTICIPANT_DUPLICATE
    )
    assert ProjectParticipant.objects.filter(project=project).count() == 1
    outsider = refusal_of(
        lambda: services.participant_add(
            actor=world.users[MEMBER], project=project, partner=make_partner(name="x大学")
        )
    )
    assert outsider.code == EcosystemErrorCode.NOT_OFFICE


def test_a_participating_company_is_notified_and_may_be_removed(
    world, django_capture_on_commit_callbacks
):
    project = make_project()
    with django_capture_on_commit_callbacks() as callbacks:
        participant = services.participant_add(
            actor=world.users[OFFICER], project=project, company=world.company
        )
    assert len(callbacks) == 1  # the notice to the company is queued after commit
    services.participant_remove(actor=world.users[LAB_STAFF], participant=participant)
    assert not ProjectParticipant.objects.exists()
    assert AuditEvent.objects.filter(verb="lab.project.participant.remove").count() == 1


def test_documents_are_checked_and_a_bad_file_stores_nothing(world, media):
    project = make_project()
    staff = world.users[LAB_STAFF]
    document = services.document_add(
        actor=staff, project=project, title="実施計画", upload=pdf_upload("計画.pdf")
    )
    assert (document.mime, document.original_name) == ("application/pdf", "計画.pdf")
    assert document.file.storage.exists(document.file.name)
    services.document_add(actor=staff, project=project, title="写真", upload=jpeg_upload())
    stored = sorted(p.name for p in media.rglob("*") if p.is_file())
    bad_files = (
        fake_pdf_upload(),  # words named like a PDF
        SimpleUploadedFile("x.html", b"<html><script>alert(1)</script>", "text/html"),
        SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
    )
    for upload in bad_files:
        error = refusal_of(
            lambda upload=upload: services.document_add(
                actor=staff, project=project, title="悪いファイル", upload=upload
            )
        )
        assert error.code in list(DrawingsErrorCode), error.code  # the content check's
    drawing = SimpleUploadedFile("plan.dxf", dxf_bytes(rows=2, cols=2))  # a drawing, no document
    error = refusal_of(
        lambda: services.document_add(actor=staff, project=project, title="図面", upload=drawing)
    )
    assert error.code == EcosystemErrorCode.DOCUMENT_INVALID
    assert "PDF・PNG・JPEG" in str(error.fields["file"][0])
    error = refusal_of(
        lambda: services.document_add(actor=staff, project=project, title=" ", upload=pdf_upload())
    )
    assert error.code == EcosystemErrorCode.DOCUMENT_INVALID
    assert ProjectDocument.objects.count() == 2
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == stored


def test_documents_refused_for_a_cancelled_project_and_by_outsiders(world, media):
    project = make_project(status=ProjectStatus.CANCELLED)
    error = refusal_of(
        lambda: services.document_add(
            actor=world.users[LAB_STAFF], project=project, title="x", upload=pdf_upload()
        )
    )
    assert error.code == EcosystemErrorCode.PROJECT_STATE
    running = make_project(status=ProjectStatus.RUNNING)
    add_participant(running, company=world.company)
    error = refusal_of(
        lambda: services.document_add(
            actor=world.users[MEMBER], project=running, title="x", upload=pdf_upload()
        )
    )
    assert error.code == EcosystemErrorCode.NOT_OFFICE
    assert not ProjectDocument.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_removing_a_document_deletes_its_file(world, media, django_capture_on_commit_callbacks):
    project = make_project()
    document = services.document_add(
        actor=world.users[OFFICER], project=project, title="報告書", upload=pdf_upload()
    )
    name = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.document_remove(actor=world.users[LAB_STAFF], document=document)
    assert not ProjectDocument.objects.exists()
    assert not document.file.storage.exists(name)


def test_who_reads_a_project(world, media):
    project = make_project()
    add_participant(project, company=world.company)
    add_participant(project, partner=bank_partner(world.bank))
    services.document_add(
        actor=world.users[LAB_STAFF], project=project, title="計画", upload=pdf_upload()
    )
    sumida_project = make_project(title="墨田の共同開発", municipality_code=SUMIDA)
    readers = {MEMBER, STAFF, FLOOR_WORKER, OFFICER, LAB_STAFF, BANK}
    for actor, user in world.users.items():
        if user is None:
            continue
        titles = {row.project.title for row in project_list(user)}
        sees = project.title in titles
        assert sees == (actor in readers), actor
        docs = ProjectDocument.objects.for_user(user, VIEW).count()
        assert docs == (1 if actor in readers else 0), actor
        assert (sumida_project.title in titles) == (actor == OTHER_WARD_OFFICER), actor
    # Only the office changes it.
    for actor in readers:
        may = Project.objects.for_user(world.users[actor], CHANGE).filter(pk=project.pk).exists()
        assert may == (actor in {OFFICER, LAB_STAFF}), actor
        assert project_page(world.users[actor], project).may_change == (
            actor in {OFFICER, LAB_STAFF}
        )
    assert not Project.objects.for_user(world.users[OTHER_COMPANY], VIEW).exists()
