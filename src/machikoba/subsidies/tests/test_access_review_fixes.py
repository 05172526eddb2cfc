"""Fixes of the review of the subsidies app (issue 20), findings 1, 3, 14 and 15:

- a reviewer reads an application only while it is in screening, and never the 実績報告's
  receipts or payment proofs; the filing advisor reads the application's own documents,
  never those either (finding 1);
- the advisor who filed an application reads and changes it only while their engagement
  with the company is active (finding 3);
- the yearly survey of companies that received nothing skips companies selected for a
  grant or waiting for its decision (finding 14);
- claiming a bonus again replaces its evidence: one document, no orphan file (finding 15).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.advisory.choices import EngagementStatus
from machikoba.advisory.models import Engagement
from machikoba.companies.choices import CompanyKind
from machikoba.core.access import CHANGE, DELETE, VIEW
from machikoba.core.errors import ApplicationError
from machikoba.core.fiscal import fiscal_year
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    CompanyFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_programs import make_engagement
from machikoba.core.testing.factories_subsidies import (
    make_applicant,
    make_application,
    make_officer,
)
from machikoba.core.testing.factories_subsidies_apply import attach, make_company_advisor
from machikoba.core.testing.factories_subsidies_screening import assign
from machikoba.drawings.tests.samples import pdf_bytes
from machikoba.subsidies import services
from machikoba.subsidies.choices import (
    ApplicationStatus,
    AssignmentStatus,
    BonusClaimStatus,
    BonusKind,
    DocumentKind,
)
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import Application, ApplicationDocument, BonusCriterion
from machikoba.subsidies.models_screening import BonusClaim
from machikoba.subsidies.services.value_added import survey_recipients
from machikoba.subsidies.tests.conftest import refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

PROOF_KINDS = (DocumentKind.RECEIPT, DocumentKind.PAYMENT_PROOF)
OWN_KINDS = (
    DocumentKind.QUOTE,
    DocumentKind.ATTACHMENT,
    DocumentKind.EXPERT_EVALUATION,
    DocumentKind.BONUS_EVIDENCE,
)


def _client(user, *, mfa: bool = False) -> Client:
    client = Client()
    if mfa:
        give_totp(user)
        force_login_with_mfa(client, user)
    else:
        client.force_login(user)
    return client


def _download(client: Client, document: ApplicationDocument) -> int:
    return client.get(reverse("subsidies:document_download", args=[document.pk])).status_code


def _detail(client: Client, application: Application) -> int:
    return client.get(reverse("subsidies:application_detail", args=[application.pk])).status_code


def _documents(application: Application) -> dict[str, ApplicationDocument]:
    """One document of every kind on ``application``."""
    return {kind: attach(application, kind, name=f"{kind}.pdf") for kind in DocumentKind}


# --- finding 1: reviewers read during screening; proofs are the company's and the office's ---


@pytest.fixture
def reviewed(stage, company):
    """The company's application in screening, a reviewer cleared of conflicts on it, and
    one document of every kind."""
    application = make_application(stage, company, status=ApplicationStatus.SCREENING)
    reviewer = assign(application, status=AssignmentStatus.CLEARED).reviewer
    return application, reviewer, _documents(application)


def test_a_reviewer_in_screening_reads_the_application_but_no_receipt_or_payment_proof(
    reviewed, owner, officer
):
    application, reviewer, documents = reviewed
    client = _client(reviewer)
    assert _detail(client, application) == 200
    for kind in OWN_KINDS:
        assert _download(client, documents[kind]) == 200, kind
    for kind in PROOF_KINDS:
        assert _download(client, documents[kind]) == 404, kind
    # The company's editors and the ward's office still read them.
    for reader in (_client(owner), _client(officer, mfa=True)):
        for kind in PROOF_KINDS:
            assert _download(reader, documents[kind]) == 200, kind


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.SELECTED,
        ApplicationStatus.NOT_SELECTED,
        ApplicationStatus.GRANT_REQUESTED,
        ApplicationStatus.GRANTED,
        ApplicationStatus.REPORTED,
        ApplicationStatus.PAID,
        ApplicationStatus.WITHDRAWN,
    ],
)
def test_the_selection_ends_the_reviewers_access(reviewed, owner, status):
    application, reviewer, documents = reviewed
    client = _client(reviewer)
    assert _detail(client, application) == 200
    Application.objects.filter(pk=application.pk).update(status=status)
    assert _detail(client, application) == 404
    for kind in DocumentKind:
        assert _download(client, documents[kind]) == 404, kind
    assert not Application.objects.for_user(reviewer, VIEW).filter(pk=application.pk).exists()
    assert not ApplicationDocument.objects.for_user(reviewer, VIEW).exists()
    # The company is unaffected.
    assert _detail(_client(owner), application) == 200


def test_a_submitted_score_sheet_does_not_keep_the_application_open(reviewed):
    application, reviewer, _ = reviewed
    application.assignments.update(status=AssignmentStatus.SUBMITTED)
    assert Application.objects.for_user(reviewer, VIEW).filter(pk=application.pk).exists()
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SELECTED)
    assert not Application.objects.for_user(reviewer, VIEW).filter(pk=application.pk).exists()


def test_the_filing_advisor_reads_the_applications_documents_but_no_proof(stage, company, owner):
    advisor = make_company_advisor(company)
    application = make_application(
        stage, company, status=ApplicationStatus.REPORTED, filed_by=advisor
    )
    documents = _documents(application)
    client = _client(advisor)
    assert _detail(client, application) == 200
    for kind in OWN_KINDS:
        assert _download(client, documents[kind]) == 200, kind
    for kind in PROOF_KINDS:
        assert _download(client, documents[kind]) == 404, kind
        assert _download(_client(owner), documents[kind]) == 200, kind
    for action in (CHANGE, DELETE):
        kinds = set(
            ApplicationDocument.objects.for_user(advisor, action).values_list("kind", flat=True)
        )
        assert kinds == set(OWN_KINDS), action


# --- finding 3: the filing advisor, only while their engagement is active -------------------


@pytest.fixture
def advised_draft(stage, company):
    advisor = make_company_advisor(company)
    draft = make_application(stage, company, filed_by=advisor)
    return draft, advisor


def _save_title(advisor, draft, title):
    return services.application_save_step(
        actor=advisor, application=draft, step=2, data={"title": title}, advance=False
    )


@pytest.mark.parametrize("ended", [EngagementStatus.CLOSED, EngagementStatus.CANCELLED])
def test_an_ended_engagement_ends_the_filing_advisors_access(advised_draft, ended):
    draft, advisor = advised_draft
    client = _client(advisor)
    assert _detail(client, draft) == 200
    assert client.get(reverse("subsidies:wizard", args=[draft.pk, 2])).status_code == 200
    _save_title(advisor, draft, "在庫管理のクラウド化")
    quote = attach(draft, DocumentKind.QUOTE, expense=draft.expenses.first())
    assert _download(client, quote) == 200

    Engagement.objects.filter(company=draft.company).update(status=ended, closed_at=timezone.now())
    for action in (VIEW, CHANGE, DELETE):
        assert not Application.objects.for_user(advisor, action).filter(pk=draft.pk).exists()
    assert not ApplicationDocument.objects.for_user(advisor, VIEW).exists()
    assert _detail(client, draft) == 404
    assert client.get(reverse("subsidies:wizard", args=[draft.pk, 2])).status_code == 404
    assert _download(client, quote) == 404
    refused(ApplyErrorCode.NOT_ALLOWED, _save_title, advisor, draft, "別の題名")
    draft.refresh_from_db()
    assert draft.title == "在庫管理のクラウド化"


def test_an_engagement_with_another_company_does_not_count(stage, company):
    advisor = make_company_advisor(CompanyFactory(ward=company.ward))
    draft = make_application(stage, company, filed_by=advisor)
    assert not Application.objects.for_user(advisor, VIEW).filter(pk=draft.pk).exists()
    assert _detail(_client(advisor), draft) == 404
    refused(ApplyErrorCode.NOT_ALLOWED, _save_title, advisor, draft, "別の題名")


def test_an_advisor_on_the_team_of_an_active_engagement_keeps_access(advised_draft):
    """Closing an older engagement of the same company does not matter while another
    engagement naming the advisor is active."""
    draft, advisor = advised_draft
    current = Engagement.objects.get(company=draft.company)
    make_engagement(draft.company, [advisor.advisor_profile])
    Engagement.objects.filter(pk=current.pk).update(status=EngagementStatus.CLOSED)
    assert Application.objects.for_user(advisor, CHANGE).filter(pk=draft.pk).exists()


# --- finding 14: the survey skips companies selected or waiting for the grant ---------------

RECIPIENT = {
    ApplicationStatus.SELECTED,
    ApplicationStatus.GRANT_REQUESTED,
    ApplicationStatus.GRANTED,
    ApplicationStatus.REPORTED,
    ApplicationStatus.CONFIRMED,
    ApplicationStatus.PAID,
}


def test_the_survey_skips_companies_selected_or_granted(stage):
    home = ward()
    shops = {
        status: CompanyFactory(ward=home, kind=CompanyKind.SHOP) for status in ApplicationStatus
    }
    for status, shop in shops.items():
        make_application(stage, shop, status=status)
    year = fiscal_year(timezone.localdate()) - 1
    surveyed = set(survey_recipients(make_officer(), home, year))
    for status, shop in shops.items():
        assert (shop in surveyed) == (status not in RECIPIENT), status


def test_one_selected_application_is_enough_to_skip_the_company(call, stage):
    home = ward()
    shop = CompanyFactory(ward=home, kind=CompanyKind.SHOP)
    make_application(stage, shop, status=ApplicationStatus.NOT_SELECTED)
    make_application(call.stages.get(number=2), shop, status=ApplicationStatus.SELECTED)
    year = fiscal_year(timezone.localdate()) - 1
    assert shop not in survey_recipients(make_officer(), home, year)


# --- finding 15: a new claim replaces its evidence -----------------------------------------


@pytest.fixture
def claimable(call, stage, company, owner):
    application = make_application(stage, company, status=ApplicationStatus.SUBMITTED)
    criterion = BonusCriterion.objects.filter(call=call, kind=BonusKind.CLAIMED).first()
    return application, criterion, owner


def _claim(owner, application, criterion, name, content=None):
    return services.bonus_claim_add(
        actor=owner,
        application=application,
        criterion=criterion,
        upload=SimpleUploadedFile(name, pdf_bytes(1) if content is None else content),
        note="賃上げを表明しました",
    )


def _stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file())


def test_claiming_again_replaces_the_evidence_and_its_file(
    claimable, media, django_capture_on_commit_callbacks
):
    application, criterion, owner = claimable
    with django_capture_on_commit_callbacks(execute=True):
        first = _claim(owner, application, criterion, "first.pdf").evidence
    old_path = media / first.file.name
    assert old_path.is_file()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        claim = _claim(owner, application, criterion, "second.pdf")
    # Until the claim is committed, the old file stays (a rollback would keep it).
    assert old_path.is_file()
    for callback in callbacks:
        callback()
    evidence = ApplicationDocument.objects.get(
        application=application, kind=DocumentKind.BONUS_EVIDENCE
    )
    assert claim.evidence == evidence
    assert evidence.original_name == "second.pdf"
    assert not ApplicationDocument.objects.filter(pk=first.pk).exists()
    assert _stored_files(media) == [media / evidence.file.name]
    event = AuditEvent.objects.filter(verb="subsidy_bonus.claim").order_by("-pk").first()
    assert event.before["name"] == "first.pdf"
    assert event.after["name"] == "second.pdf"


def test_a_rejected_claim_made_again_keeps_one_evidence(
    claimable, media, officer, django_capture_on_commit_callbacks
):
    application, criterion, owner = claimable
    with django_capture_on_commit_callbacks(execute=True):
        claim = _claim(owner, application, criterion, "first.pdf")
        services.bonus_claim_reject(actor=officer, claim=claim, note="日付が公募の後です")
        claim = _claim(owner, application, criterion, "second.pdf")
    assert claim.status == BonusClaimStatus.CLAIMED
    assert BonusClaim.objects.count() == 1
    documents = ApplicationDocument.objects.filter(application=application)
    assert [d.original_name for d in documents] == ["second.pdf"]
    assert _stored_files(media) == [media / documents.get().file.name]


def test_a_refused_new_evidence_keeps_the_old_one(
    claimable, media, django_capture_on_commit_callbacks
):
    application, criterion, owner = claimable
    with django_capture_on_commit_callbacks(execute=True):
        first = _claim(owner, application, criterion, "first.pdf").evidence
    # Not a PDF or an image (sniffed from its content).
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        _claim(owner, application, criterion, "note.pdf", b"not a pdf")
    claim = BonusClaim.objects.get()
    assert claim.evidence_id == first.pk
    assert _stored_files(media) == [media / first.file.name]


def test_another_applicants_claims_keep_their_evidence(
    claimable, stage, media, django_capture_on_commit_callbacks
):
    """Replacing one claim's evidence touches no other claim's."""
    application, criterion, owner = claimable
    other = make_application(stage, status=ApplicationStatus.SUBMITTED)
    other_owner = make_applicant(other.company)
    with django_capture_on_commit_callbacks(execute=True):
        kept = _claim(other_owner, other, criterion, "other.pdf").evidence
        _claim(owner, application, criterion, "first.pdf")
        _claim(owner, application, criterion, "second.pdf")
    assert ApplicationDocument.objects.filter(pk=kept.pk).exists()
    assert (media / kept.file.name).is_file()
    assert ApplicationDocument.objects.count() == 2


def test_after_the_selection_the_reviewer_keeps_their_scores_page_but_not_the_application(
    world,
):
    """The reviewer's 「提出した採点を見る」 still opens after the selection: their scores stay,
    the application's content does not (it was theirs to read during the screening only)."""
    application = world.subsidy_application
    reviewer = world.users["reviewer"]
    assignment = application.assignments.get(reviewer=reviewer)
    url = reverse("subsidies:review_assignment", args=[assignment.pk])
    client = _client(reviewer)
    during = client.get(url)
    assert during.status_code == 200
    assert during.context["body"] is not None
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SELECTED)
    after = client.get(url)
    assert after.status_code == 200
    assert after.context["body"] is None
    assert 'data-testid="screening-over"' in after.content.decode()
