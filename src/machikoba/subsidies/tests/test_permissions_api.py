"""The subsidies API's permission matrix, every operation: a draft is its company's to
edit; the application in screening is read by its company, the officers of its ward and
the cleared reviewer; screening is the ward office's; after the selection the company and
its ward's office alone. Another company, an officer of another ward, the metro viewer
(aggregates only, never a row) and anonymous visitors get nothing. Each actor runs in a
rolled-back savepoint."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import jpeg_bytes
from machikoba.core.testing.factories_subsidies_after import (
    make_after,
    make_report,
    proof_upload,
)
from machikoba.core.testing.factories_subsidies_apply import (
    attach,
    make_ready_application,
    pdf_upload,
)
from machikoba.core.testing.factories_subsidies_screening import assign, in_screening, scored
from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    BANK,
    FLOOR_WORKER,
    INSTRUCTOR,
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
from machikoba.subsidies.choices import ApplicationStatus, DocumentKind, ReportStatus
from machikoba.subsidies.models import Application
from machikoba.subsidies.models_after import ChangeRequest
from machikoba.subsidies.models_screening import ReviewerAssignment

JSON = "application/json"

DRAFT_EDITORS = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 403})
READERS = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 200, REVIEWER: 200})
COMPANY_AND_OFFICE = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 200})
# An office's operation: officers only (another ward's finds nothing of it).
OFFICE = expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 404})
# The company's button on a row its ward's office reads too: the office is refused.
COMPANY_WRITE = expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 403})
COMPANY_ADD = expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, OFFICER: 403})
COMPANY_REMOVE = expect(404, **{ANONYMOUS: 401, MEMBER: 204, STAFF: 204, OFFICER: 403})
REVIEWER_ONLY = expect(403, **{ANONYMOUS: 401, REVIEWER: 200})


def _api(name, *args):
    return reverse(f"api:{name}", args=list(args))


def _stage(w, number=2):
    return w.subsidy_application.stage.call.stages.get(number=number)


def _draft(w):
    return make_ready_application(_stage(w), w.company, lines=[("cloud", 1_200_000)])


def _granted(w, status=ApplicationStatus.GRANTED):
    return make_after(company=w.company, status=status)


def _assignment(w):
    return ReviewerAssignment.objects.get(application=w.subsidy_application)


def _latest(w):
    """The company's application a case's URL has just made (its body needs its stage)."""
    return Application.objects.filter(company=w.company).latest("pk")


def _software(w):
    return _latest(w).stage.categories.get(code="software").pk


def _reported(w):
    """Granted, its completion report submitted: waiting for the 確定検査."""
    application = _granted(w, ApplicationStatus.REPORTED)
    make_report(application, status=ReportStatus.SUBMITTED)
    return application


def _confirmed(w):
    application = _granted(w, ApplicationStatus.CONFIRMED)
    make_report(application, status=ReportStatus.ACCEPTED)
    return application


def _actual_expense(w, *, proofs=True):
    """The one line of a granted application's draft report (a receipt and a payment
    proof attached unless ``proofs`` is False)."""
    return make_report(_granted(w), proofs=proofs).expenses.get()


def _change_request(w):
    application = _granted(w)
    return ChangeRequest.objects.create(
        application=application,
        description="タブレットを3台から2台に減らす",
        reason="現場の人数が減ったため",
        requested_by=w.users[MEMBER],
    )


def _scored_stage(w):
    """Stage 2 with one application in screening, scored by its reviewer: ready for the
    採択."""
    stage = _stage(w)
    scored(in_screening(stage, w.company), [8] * 5)
    return stage


def _today():
    return timezone.localdate().isoformat()


MATRIX = [
    Case(
        "api:subsidies_calls",
        lambda w: _api("subsidies_calls"),
        expect(200, **{ANONYMOUS: 401}),
    ),
    Case(
        "api:subsidies_call",
        lambda w: _api("subsidies_call", w.subsidy_application.stage.call_id),
        expect(
            404,
            **{
                ANONYMOUS: 401,
                MEMBER: 200,
                STAFF: 200,
                FLOOR_WORKER: 200,
                OTHER_COMPANY: 200,
                VENDOR: 200,
                BANK: 200,
                OFFICER: 200,
                ADVISOR: 200,
                REVIEWER: 200,
            },
        ),
    ),
    Case(
        "api:subsidies_applications",
        lambda w: _api("subsidies_applications"),
        expect(200, **{ANONYMOUS: 401}),
    ),
    Case(
        "api:subsidies_application",
        lambda w: _api("subsidies_application", w.subsidy_application.pk),
        READERS,
    ),
    Case(
        "api:subsidies_application_update",
        lambda w: _api("subsidies_application", _draft(w).pk),
        DRAFT_EDITORS,
        method="PATCH",
        data=lambda w: {"title": "受注管理の電子化"},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_application_start",
        lambda w: _api("subsidies_application_start", _stage(w).pk),
        # Any manufacturer of the call's ward may apply (its owner and staff), and the
        # advisor supporting the company for it; the floor, the office and a reviewer may
        # not; an IT vendor or a bank is no manufacturer (the state refuses: 409).
        expect(
            404,
            **{
                ANONYMOUS: 401,
                OTHER_COMPANY: 201,
                MEMBER: 201,
                STAFF: 201,
                FLOOR_WORKER: 403,
                OFFICER: 403,
                ADVISOR: 201,
                REVIEWER: 403,
                VENDOR: 409,
                BANK: 409,
            },
        ),
        method="POST",
        data=lambda w: {"company_id": w.company.pk},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_application_action",
        lambda w: _api("subsidies_application_action", _draft(w).pk),
        DRAFT_EDITORS,
        method="POST",
        data=lambda w: {"action": "submit"},
        content_type=JSON,
        note="(submit)",
    ),
    Case(
        "api:subsidies_application_action",
        lambda w: _api(
            "subsidies_application_action",
            make_ready_application(
                _stage(w), w.company, lines=[("cloud", 1_200_000)], filed_by=w.users[ADVISOR]
            ).pk,
        ),
        # Whoever reads the advisor's draft reaches the service; the owner alone consents.
        expect(
            404,
            **{ANONYMOUS: 401, MEMBER: 200, STAFF: 403, OFFICER: 403, ADVISOR: 403},
        ),
        method="POST",
        data=lambda w: {"action": "consent"},
        content_type=JSON,
        note="(consent)",
    ),
    Case(
        "api:subsidies_expense_add",
        lambda w: _api("subsidies_expense_add", _draft(w).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, OFFICER: 403}),
        method="POST",
        data=lambda w: {
            "category_id": _stage(w).categories.get(code="cloud").pk,
            "description": "クラウド日報",
            "vendor": "クラウド日報株式会社",
            "amount": 300000,
        },
        content_type=JSON,
    ),
    Case(
        "api:subsidies_expense_update",
        lambda w: _api("subsidies_expense_update", _draft(w).expenses.get().pk),
        DRAFT_EDITORS,
        method="PUT",
        data=lambda w: {
            "category_id": _stage(w).categories.get(code="cloud").pk,
            "description": "クラウド日報 (年額)",
            "vendor": "クラウド日報株式会社",
            "amount": 1_100_000,
        },
        content_type=JSON,
    ),
    Case(
        "api:subsidies_expense_remove",
        lambda w: _api("subsidies_expense_update", _draft(w).expenses.get().pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 204, STAFF: 204, OFFICER: 403}),
        method="DELETE",
    ),
    Case(
        "api:subsidies_quote_add",
        lambda w: _api("subsidies_quote_add", _draft(w).expenses.get().pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, OFFICER: 403}),
        method="POST",
        data=lambda w: {"file": SimpleUploadedFile("見積書.jpg", jpeg_bytes())},
    ),
    Case(
        "api:subsidies_document_add",
        lambda w: _api("subsidies_document_add", _draft(w).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 201, STAFF: 201, OFFICER: 403}),
        method="POST",
        data=lambda w: {
            "file": pdf_upload("決算書.pdf"),
            "requirement_id": _stage(w).attachment_requirements.get().pk,
        },
    ),
    Case(
        "api:subsidies_document_download",
        lambda w: _api(
            "subsidies_document_download",
            attach(
                w.subsidy_application,
                DocumentKind.ATTACHMENT,
                requirement=_stage(w, 1).attachment_requirements.get(),
            ).pk,
        ),
        READERS,
    ),
    Case(
        "api:subsidies_document_remove",
        lambda w: _api(
            "subsidies_document_download",
            _draft(w).documents.filter(kind=DocumentKind.ATTACHMENT).get().pk,
        ),
        expect(404, **{ANONYMOUS: 401, MEMBER: 204, STAFF: 204, OFFICER: 403}),
        method="DELETE",
    ),
    Case(
        "api:subsidies_office_calls",
        lambda w: _api("subsidies_office_calls"),
        # Another ward's officer gets their own (empty) list: see the test below.
        expect(403, **{ANONYMOUS: 401, OFFICER: 200, OTHER_WARD_OFFICER: 200}),
    ),
    Case(
        "api:subsidies_office_applications",
        lambda w: _api("subsidies_office_applications", w.subsidy_application.stage.call_id),
        OFFICE,
    ),
    Case(
        "api:subsidies_screening",
        lambda w: _api("subsidies_screening", w.subsidy_application.pk),
        OFFICE,
    ),
    Case(
        "api:subsidies_screening_action",
        lambda w: _api(
            "subsidies_screening",
            in_screening(_stage(w), w.company, status=ApplicationStatus.SUBMITTED).pk,
        ),
        OFFICE,
        method="POST",
        data=lambda w: {"action": "pass"},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_stage_screening",
        lambda w: _api("subsidies_stage_screening", w.subsidy_application.stage_id),
        OFFICE,
    ),
    Case(
        "api:subsidies_selection_confirm",
        lambda w: _api("subsidies_selection_confirm", _scored_stage(w).pk),
        OFFICE,
        method="POST",
        data=lambda w: {},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_reviews",
        lambda w: _api("subsidies_reviews"),
        expect(403, **{ANONYMOUS: 401, REVIEWER: 200}),
    ),
    Case(
        "api:subsidies_review",
        lambda w: _api("subsidies_review", _assignment(w).pk),
        expect(403, **{ANONYMOUS: 401, REVIEWER: 200}),
    ),
    Case(
        "api:subsidies_review_declare",
        lambda w: _api(
            "subsidies_review_declare",
            assign(in_screening(_stage(w), w.company), w.users[REVIEWER]).pk,
        ),
        REVIEWER_ONLY,
        method="POST",
        data=lambda w: {"tied": False},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_review_scores",
        lambda w: _api("subsidies_review_scores", _assignment(w).pk),
        REVIEWER_ONLY,
        method="PUT",
        data=lambda w: {
            "scores": [
                {"criterion_id": c.pk, "score": 7}
                for c in w.subsidy_application.stage.call.rubric.all()
            ],
            "comment": "課題が数字で示されている。",
        },
        content_type=JSON,
    ),
    Case(
        "api:subsidies_grant",
        lambda w: _api("subsidies_grant", _granted(w).pk),
        COMPANY_AND_OFFICE,
    ),
    Case(
        "api:subsidies_grant_request",
        lambda w: _api("subsidies_grant_request", _granted(w, ApplicationStatus.SELECTED).pk),
        expect(404, **{ANONYMOUS: 401, MEMBER: 200, STAFF: 200, OFFICER: 403}),
        method="POST",
        data=lambda w: {"confirm": True},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_grant_decide",
        lambda w: _api("subsidies_grant_decide", _granted(w, ApplicationStatus.GRANT_REQUESTED).pk),
        OFFICE,
        method="POST",
        data=lambda w: {},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_grant_notice",
        lambda w: _api("subsidies_grant_notice", _granted(w).pk),
        COMPANY_AND_OFFICE,
    ),
    Case(
        "api:subsidies_change_request_file",
        lambda w: _api("subsidies_change_request_file", _granted(w).pk),
        COMPANY_ADD,
        method="POST",
        data=lambda w: {
            "description": "タブレットを3台から2台に減らす",
            "reason": "現場の人数が減ったため",
        },
        content_type=JSON,
    ),
    Case(
        "api:subsidies_change_request_decide",
        lambda w: _api("subsidies_change_request_decide", _change_request(w).pk),
        OFFICE,
        method="POST",
        data=lambda w: {"decision": "approve"},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_inspection",
        lambda w: _api("subsidies_inspection", _reported(w).pk),
        OFFICE,
        method="POST",
        data=lambda w: {"decision": "accept"},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_payment_record",
        lambda w: _api("subsidies_payment_record", _confirmed(w).pk),
        OFFICE,
        method="POST",
        data=lambda w: {"paid_on": _today(), "reference": "支出命令 第1号"},
        content_type=JSON,
    ),
    Case(
        "api:subsidies_report",
        lambda w: _api("subsidies_report", _granted(w).pk),
        COMPANY_AND_OFFICE,
    ),
    Case(
        "api:subsidies_report_save",
        lambda w: _api("subsidies_report", _granted(w).pk),
        COMPANY_WRITE,
        method="PUT",
        data=lambda w: {
            "felt_efficiency": True,
            "felt_cost_reduction": False,
            "felt_productivity": True,
            "comment": "集計が早くなった。",
        },
        content_type=JSON,
    ),
    Case(
        "api:subsidies_actual_expense_add",
        lambda w: _api("subsidies_actual_expense_add", _granted(w).pk),
        COMPANY_ADD,
        method="POST",
        data=lambda w: {
            "category_id": _software(w),
            "description": "クラウド日報 年額",
            "vendor": "クラウド日報株式会社",
            "amount": 700_000,
            "paid_on": _today(),
        },
        content_type=JSON,
    ),
    Case(
        "api:subsidies_actual_expense_remove",
        lambda w: _api("subsidies_actual_expense_remove", _actual_expense(w).pk),
        COMPANY_REMOVE,
        method="DELETE",
    ),
    Case(
        "api:subsidies_proof_add",
        lambda w: _api(
            "subsidies_proof_add", make_report(_granted(w), proofs=False).expenses.get().pk
        ),
        COMPANY_ADD,
        method="POST",
        data=lambda w: {"kind": "receipt", "file": proof_upload()},
    ),
    Case(
        "api:subsidies_proof_remove",
        lambda w: _api("subsidies_proof_remove", _actual_expense(w).proofs.first().pk),
        COMPANY_REMOVE,
        method="DELETE",
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_nobody_else_lists_the_company_s_applications(world):
    """Another company, another ward's officer, the metro viewer and an instructor list
    nothing of the company's applications; its owner lists its own."""
    for actor in (OTHER_COMPANY, OTHER_WARD_OFFICER, METRO_VIEWER, INSTRUCTOR):
        body = world.client_for(actor).get(_api("subsidies_applications")).json()
        assert world.subsidy_application.pk not in [r["id"] for r in body["results"]], actor
    mine = world.client_for(MEMBER).get(_api("subsidies_applications")).json()
    assert [r["id"] for r in mine["results"]] == [world.subsidy_application.pk]
    sumida = world.client_for(OTHER_WARD_OFFICER)
    call = world.subsidy_application.stage.call_id
    assert sumida.get(_api("subsidies_office_calls")).json()["count"] == 0
    assert sumida.get(_api("subsidies_office_applications", call)).status_code == 404
    assert world.client_for(METRO_VIEWER).get(_api("subsidies_office_calls")).status_code == 403
