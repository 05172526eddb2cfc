"""Review fixes on the applicant's side: step ④ checks every file of a request before it
stores any and keeps all or nothing (no row, no file, the expert's name as it was); a
write that fails after storing a file deletes it again; and the deadline is read once per
submission and compared to the second."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_officer,
    make_paper_call,
)
from machikoba.core.testing.factories_subsidies_apply import make_ready_application, pdf_upload
from machikoba.subsidies import services
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import ApplicationDocument, ApplicationSnapshot
from machikoba.subsidies.models_screening import Selection
from machikoba.subsidies.services import application_files
from machikoba.subsidies.services.application_files import documents_step_save
from machikoba.subsidies.tests.conftest import refused

TOKYO = ZoneInfo("Asia/Tokyo")
TYPE_MESSAGE = "書類は PDF・PNG・JPEG のいずれかのファイルにしてください。"

pytestmark = pytest.mark.usefixtures("media")


def _stored_files(root) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


def _docx(name: str = "評価書.docx") -> SimpleUploadedFile:
    """A Word file (a ZIP inside): not a PDF, PNG or JPEG."""
    content = b"PK\x03\x04" + b"\x14\x00\x06\x00" + b"word/document.xml" * 40
    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


# --- 11: step ④ keeps every file of a request, or none -----------------------------------------


@pytest.fixture
def documents_step(stage2, company, owner, client):
    """A draft to stage 2 (one required attachment and the expert's evaluation) at step ④,
    with no document yet, and its owner signed in."""
    application = make_application(stage2, company, expert_name="", wizard_step=4)
    client.force_login(owner)
    requirement = stage2.attachment_requirements.get()
    return application, requirement, reverse("subsidies:wizard", args=[application.pk, 4])


def test_a_pdf_and_a_word_file_in_one_request_store_nothing(documents_step, client, media):
    application, requirement, url = documents_step
    response = client.post(
        url,
        {
            f"requirement_{requirement.pk}": pdf_upload("決算書.pdf"),
            "expert_evaluation": _docx(),
            "expert_name": "城南 花子 (ITコーディネータ)",
            "action": "next",
        },
    )
    assert response.status_code == 400
    text = response.text
    assert "「専門家による計画の評価書」のファイル (評価書.docx) は添付できません" in text
    assert TYPE_MESSAGE in text
    assert "ほかのファイルも添付していません" in text
    assert "圧縮ファイル" not in text  # the drawings' wording of a ZIP does not leak here
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(media) == []
    application.refresh_from_db()
    assert application.expert_name == ""
    assert application.wizard_step == 4


def test_two_good_files_in_one_request_are_both_kept(documents_step, client, media):
    application, requirement, url = documents_step
    response = client.post(
        url,
        {
            f"requirement_{requirement.pk}": pdf_upload("決算書.pdf"),
            "expert_evaluation": pdf_upload("評価書.pdf"),
            "expert_name": "城南 花子 (ITコーディネータ)",
            "action": "next",
        },
    )
    assert response.status_code == 302
    assert sorted(ApplicationDocument.objects.values_list("original_name", flat=True)) == [
        "決算書.pdf",
        "評価書.pdf",
    ]
    assert len(_stored_files(media)) == 2
    application.refresh_from_db()
    assert application.expert_name == "城南 花子 (ITコーディネータ)"
    assert application.wizard_step == 5


def test_a_step_refused_after_its_files_were_stored_leaves_no_file(stage2, company, owner, media):
    """The files are stored, then the expert's name is refused (too long): the step rolls
    back, and its files go with it."""
    application = make_application(stage2, company, expert_name="")
    requirement = stage2.attachment_requirements.get()
    error = refused(
        ApplyErrorCode.PLAN_INVALID,
        documents_step_save,
        actor=owner,
        application=application,
        uploads=[(requirement, pdf_upload("決算書.pdf")), (None, pdf_upload("評価書.pdf"))],
        expert_name="専" * 121,
    )
    assert "expert_name" in error.fields
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(media) == []


def test_a_document_whose_write_fails_after_storing_leaves_no_file(
    stage1, company, owner, media, monkeypatch
):
    application = make_application(stage1, company)

    def fail(*args, **kwargs):
        assert _stored_files(media)  # the file is on disk when the write fails
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(application_files, "_content_changed", fail)
    with pytest.raises(RuntimeError):
        services.document_add(
            actor=owner,
            application=application,
            kind="attachment",
            upload=pdf_upload("決算書.pdf"),
            requirement=stage1.attachment_requirements.get(),
        )
    assert not ApplicationDocument.objects.exists()
    assert _stored_files(media) == []


# --- 12: the deadline, read once and compared to the second -------------------------------------


@pytest.fixture
def closing_tomorrow(db):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    closes = dt.datetime.combine(tomorrow, dt.time(17, 0), tzinfo=TOKYO)
    call = make_paper_call(closes_at=closes, opens_at=closes - dt.timedelta(days=30))
    return call, closes


@pytest.mark.clock_sensitive
def test_a_submission_within_the_closing_second_is_on_time(closing_tomorrow, company, owner):
    call, closes = closing_tomorrow
    application = make_ready_application(call.stages.get(number=1), company)
    moment = closes + dt.timedelta(milliseconds=400)
    with time_machine.travel(moment, tick=False):
        submitted = services.application_submit(actor=owner, application=application)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.submitted_at == moment
    assert ApplicationSnapshot.objects.get(application=application).submitted_at == moment


@pytest.mark.clock_sensitive
def test_a_submission_one_second_late_is_refused(closing_tomorrow, company, owner):
    call, closes = closing_tomorrow
    application = make_ready_application(call.stages.get(number=1), company)
    with time_machine.travel(closes + dt.timedelta(seconds=1), tick=False):
        error = refused(
            ApplyErrorCode.DEADLINE_PASSED,
            services.application_submit,
            actor=owner,
            application=application,
        )
    assert "17:00:00" in str(error.message)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.submitted_at is None


@pytest.mark.clock_sensitive
def test_the_time_checked_against_the_deadline_is_the_time_recorded(
    closing_tomorrow, company, owner, monkeypatch
):
    """The clock is read once: a submission checked on time is recorded at that moment,
    even when the clock has moved past the deadline by the time it is written."""
    call, closes = closing_tomorrow
    application = make_ready_application(call.stages.get(number=1), company)
    reads = []

    def clock():
        reads.append(None)
        # The first read is at the deadline; every later one is a minute past it.
        return closes if len(reads) == 1 else closes + dt.timedelta(minutes=1)

    monkeypatch.setattr(timezone, "now", clock)
    submitted = services.application_submit(actor=owner, application=application)
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.submitted_at == closes


def test_a_draft_is_not_submitted_once_the_stages_selection_is_confirmed(db, settings, tmp_path):
    """A late draft could be neither selected nor not selected: refused, still a draft."""
    settings.MEDIA_ROOT = tmp_path
    stage = make_paper_call().stages.get(number=1)
    company = CompanyFactory()
    owner = MembershipFactory(company=company, role="owner").user
    application = make_ready_application(stage, company, filed_by=owner)
    Selection.objects.create(
        stage=stage, total_amount=1, confirmed_at=timezone.now(), confirmed_by=make_officer()
    )
    with pytest.raises(ApplicationError) as refused:
        services.application_submit(actor=owner, application=application)
    assert refused.value.code == ApplyErrorCode.CALL_NOT_OPEN
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
