"""Permission matrix of the applicant's pages of the DX subsidy: the company's owner and
staff apply and edit (the owner alone consents to an advisor's application); the advisor
supporting the company files for it; the ward's officers and the cleared reviewer read a
submitted application and its documents, never edit it (the reviewer only while it is in
screening; neither the reviewer nor the advisor a receipt or a payment proof); another
company, another ward's officer, the metro viewer, a floor worker, an instructor and
platform admins get nothing.

(``core/tests/test_url_coverage.py`` collects ``MATRIX`` from ``test_permissions*``
modules: a ``test_permissions.py`` of the app imports this one's.) Each actor's request runs
in a rolled-back savepoint; the URL builders set up the draft a case needs inside it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories_subsidies import make_application
from machikoba.core.testing.factories_subsidies_apply import (
    attach,
    make_ready_application,
    pdf_upload,
)
from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    BANK,
    DONE,
    FLOOR_WORKER,
    LOGIN,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    REFUSED,
    REVIEWER,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
    posted,
)
from machikoba.subsidies.choices import ApplicationStatus, DocumentKind
from machikoba.subsidies.models import Application, ApplicationDocument, ExpenseLine

# A draft of the company (stage 2): its owner and staff edit it; the office sees it (and
# may not edit it: 403); nobody else finds it.
DRAFT_EDITORS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 403})
# The application in screening (the World's): the company, the office, the cleared reviewer.
READERS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 200, REVIEWER: 200})
# The company's editors and the ward's office alone: a 実績報告's receipt, an application
# after its selection.
COMPANY_AND_OFFICE = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 200})


def _stage(w, number=2):
    return w.subsidy_application.stage.call.stages.get(number=number)


def _draft(w, **fields):
    """The draft of the case (made once per actor, inside the actor's savepoint)."""
    w.apply_draft = make_ready_application(
        _stage(w), w.company, lines=[("cloud", 1_200_000)], **fields
    )
    return w.apply_draft


def _draft_url(name, **fields):
    return lambda w: reverse(f"subsidies:{name}", args=[_draft(w, **fields).pk])


def _draft_field(name):
    return lambda w: Application.objects.filter(pk=w.apply_draft.pk).values_list(name, flat=True)


def _line_url(name):
    return lambda w: reverse(f"subsidies:{name}", args=[_draft(w).expenses.get().pk])


def _lines(w):
    return list(ExpenseLine.objects.filter(application=w.apply_draft).values_list("pk", "amount"))


def _documents(w):
    return list(ApplicationDocument.objects.filter(application=w.apply_draft).values_list("pk"))


def _quote_of_draft_url(w):
    draft = _draft(w)
    return reverse(
        "subsidies:document_remove", args=[draft.documents.filter(kind="quote").first().pk]
    )


def _screening_document_url(w):
    document = attach(
        w.subsidy_application,
        DocumentKind.QUOTE,
        expense=w.subsidy_application.expenses.first(),
        name="見積書.pdf",
    )
    return reverse("subsidies:document_download", args=[document.pk])


def _advisor_draft(w):
    return _draft(w, filed_by=w.users[ADVISOR])


def _receipt_url(w):
    """A receipt of the world's application: the company's and the office's only."""
    document = attach(w.subsidy_application, DocumentKind.RECEIPT, name="領収書.pdf")
    return reverse("subsidies:document_download", args=[document.pk])


def _selected_url(w):
    """The world's application once selected: its reviewer no longer reads it."""
    Application.objects.filter(pk=w.subsidy_application.pk).update(
        status=ApplicationStatus.SELECTED
    )
    return reverse("subsidies:application_detail", args=[w.subsidy_application.pk])


def _advisor_filed(w):
    """An application the advisor filed for the company they support, in screening."""
    return make_application(
        _stage(w), w.company, status=ApplicationStatus.SCREENING, filed_by=w.users[ADVISOR]
    )


def _advisor_filed_document_url(kind):
    def url(w):
        document = attach(_advisor_filed(w), kind, name="書類.pdf")
        return reverse("subsidies:document_download", args=[document.pk])

    return url


def _starts(w):
    return Application.objects.filter(stage=_stage(w)).count()


def _consent_requests(w):
    return AuditEvent.objects.filter(verb="subsidy_application.consent_request").count()


MATRIX = [
    Case(
        route="subsidies:calls",
        url=lambda w: reverse("subsidies:calls"),
        expect=expect(200, **{ANONYMOUS: LOGIN}),
    ),
    Case(
        route="subsidies:call_detail",
        url=lambda w: reverse("subsidies:call_detail", args=[w.subsidy_application.stage.call_id]),
        # The call is read by the ward's companies, its office, reviewers and advisors.
        expect=expect(
            404,
            **{
                ANONYMOUS: LOGIN,
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
        route="subsidies:application_start",
        method="POST",
        url=lambda w: reverse("subsidies:application_start", args=[_stage(w).pk]),
        data=lambda w: {"company": w.company.pk},
        effect=_starts,
        # Another company's owner starts its own application; a floor worker may not; the
        # advisor files for the company they support; the office and a reviewer have no
        # company to apply for; an IT vendor and a bank are not manufacturers.
        expect=posted(
            expect(404, **{ANONYMOUS: LOGIN}),
            **{
                MEMBER: DONE,
                STAFF: DONE,
                OTHER_COMPANY: DONE,
                VENDOR: REFUSED,
                BANK: REFUSED,
                ADVISOR: DONE,
                FLOOR_WORKER: REFUSED,
                OFFICER: REFUSED,
                REVIEWER: REFUSED,
            },
        ),
    ),
    Case(
        route="subsidies:my_applications",
        url=lambda w: reverse("subsidies:my_applications"),
        expect=expect(200, **{ANONYMOUS: LOGIN}),
    ),
    Case(
        route="subsidies:application_detail",
        url=lambda w: reverse("subsidies:application_detail", args=[w.subsidy_application.pk]),
        expect=READERS,
    ),
    Case(
        route="subsidies:wizard",
        url=lambda w: reverse("subsidies:wizard", args=[_draft(w).pk, 2]),
        expect=DRAFT_EDITORS,
    ),
    Case(
        route="subsidies:wizard",
        note="save",
        method="POST",
        url=lambda w: reverse("subsidies:wizard", args=[_draft(w).pk, 2]),
        data=lambda w: {"title": "勤怠のクラウド化", "action": "next"},
        effect=_draft_field("title"),
        expect=posted(DRAFT_EDITORS, **{MEMBER: DONE, STAFF: DONE}),
    ),
    Case(
        route="subsidies:breakdown_preview",
        url=lambda w: reverse("subsidies:breakdown_preview", args=[_draft(w).pk]) + "?amount=1",
        expect=DRAFT_EDITORS,
    ),
    Case(
        route="subsidies:application_submit",
        method="POST",
        url=_draft_url("application_submit"),
        effect=_draft_field("status"),
        expect=posted(DRAFT_EDITORS, **{MEMBER: DONE, STAFF: DONE}),
    ),
    Case(
        route="subsidies:application_consent",
        method="POST",
        url=lambda w: reverse("subsidies:application_consent", args=[_advisor_draft(w).pk]),
        effect=_draft_field("consent_at"),
        # Only the owner consents; the staff, the office and the advisor are told so.
        expect=posted(
            expect(404, **{ANONYMOUS: LOGIN}),
            **{MEMBER: DONE, STAFF: REFUSED, OFFICER: REFUSED, ADVISOR: REFUSED},
        ),
    ),
    Case(
        route="subsidies:consent_request",
        method="POST",
        url=lambda w: reverse("subsidies:consent_request", args=[_advisor_draft(w).pk]),
        effect=_consent_requests,
        # The advisor who filed it asks; the company's people may edit it but not ask.
        expect=posted(
            expect(404, **{ANONYMOUS: LOGIN, OFFICER: 403}),
            **{ADVISOR: DONE, MEMBER: REFUSED, STAFF: REFUSED},
        ),
    ),
    Case(
        route="subsidies:application_withdraw",
        method="POST",
        url=_draft_url("application_withdraw"),
        effect=_draft_field("status"),
        expect=posted(DRAFT_EDITORS, **{MEMBER: DONE, STAFF: DONE}),
    ),
    Case(
        route="subsidies:expense_update",
        method="POST",
        url=_line_url("expense_update"),
        data=lambda w: {
            "category": _stage(w).categories.get(code="cloud").pk,
            "description": "クラウド利用料",
            "vendor": "城南クラウド",
            "amount": "1300000",
        },
        effect=_lines,
        expect=posted(DRAFT_EDITORS, **{MEMBER: DONE, STAFF: DONE}),
    ),
    Case(
        route="subsidies:expense_remove",
        method="POST",
        url=_line_url("expense_remove"),
        effect=_lines,
        expect=posted(DRAFT_EDITORS, **{MEMBER: DONE, STAFF: DONE}),
    ),
    Case(
        route="subsidies:quote_add",
        method="POST",
        url=_line_url("quote_add"),
        data=lambda w: {"file": pdf_upload()},
        effect=_documents,
        expect=posted(DRAFT_EDITORS, **{MEMBER: DONE, STAFF: DONE}),
    ),
    Case(
        route="subsidies:document_remove",
        method="POST",
        url=_quote_of_draft_url,
        effect=_documents,
        expect=posted(DRAFT_EDITORS, **{MEMBER: DONE, STAFF: DONE}),
    ),
    Case(
        route="subsidies:document_download",
        url=_screening_document_url,
        expect=READERS,
    ),
    Case(
        route="subsidies:document_download",
        note="receipt",
        url=_receipt_url,
        expect=COMPANY_AND_OFFICE,
    ),
    Case(
        route="subsidies:application_detail",
        note="after the selection",
        url=_selected_url,
        expect=COMPANY_AND_OFFICE,
    ),
    Case(
        route="subsidies:application_detail",
        note="filed by the advisor",
        url=lambda w: reverse("subsidies:application_detail", args=[_advisor_filed(w).pk]),
        expect=expect(
            404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 200, ADVISOR: 200}
        ),
    ),
    Case(
        route="subsidies:document_download",
        note="quote of the advisor's application",
        url=_advisor_filed_document_url(DocumentKind.QUOTE),
        expect=expect(
            404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 200, ADVISOR: 200}
        ),
    ),
    Case(
        route="subsidies:document_download",
        note="payment proof of the advisor's application",
        url=_advisor_filed_document_url(DocumentKind.PAYMENT_PROOF),
        expect=COMPANY_AND_OFFICE,
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
