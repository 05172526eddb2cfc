"""The screening services that decide: bonus points claimed with evidence and verified
or rejected by the officer, and the confirmation of a stage's selection within its
budget. Every refusal has its code and a Japanese message and leaves nothing written;
the companies are told."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, ward
from machikoba.core.testing.factories_subsidies import make_applicant, make_officer
from machikoba.core.testing.factories_subsidies_screening import assign, bonus, in_screening, scored
from machikoba.drawings.tests.samples import pdf_bytes
from machikoba.subsidies import services
from machikoba.subsidies.choices import (
    ApplicationStatus,
    AssignmentStatus,
    BonusClaimStatus,
    BonusKind,
    DocumentKind,
)
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode as E
from machikoba.subsidies.models import ApplicationDocument, BonusCriterion
from machikoba.subsidies.models_screening import BonusClaim, Selection
from machikoba.subsidies.tests.conftest import notices, refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


# --- bonus claims ---------------------------------------------------------------------------


def _claimed_criterion(call):
    return BonusCriterion.objects.filter(call=call, kind=BonusKind.CLAIMED).first()


def test_the_applicant_claims_a_bonus_with_evidence(call, stage):
    application = in_screening(stage, status=ApplicationStatus.DRAFT)
    owner = make_applicant(application.company)
    criterion = _claimed_criterion(call)
    claim = services.bonus_claim_add(
        actor=owner,
        application=application,
        criterion=criterion,
        upload=SimpleUploadedFile("wage.pdf", pdf_bytes(1)),
        note="賃上げ計画を表明しました",
    )
    assert claim.status == BonusClaimStatus.CLAIMED
    assert claim.evidence.kind == DocumentKind.BONUS_EVIDENCE
    assert claim.evidence.original_name == "wage.pdf"
    assert claim.evidence.file.name


def test_a_bad_bonus_claim_stores_nothing(call, stage, media):
    application = in_screening(stage, status=ApplicationStatus.SUBMITTED)
    owner = make_applicant(application.company)
    criterion = _claimed_criterion(call)
    dojo = BonusCriterion.objects.get(call=call, kind=BonusKind.DOJO_GRADUATE)
    with pytest.raises(ApplicationError):  # not a PDF or an image (sniffed from content)
        services.bonus_claim_add(
            actor=owner,
            application=application,
            criterion=criterion,
            upload=SimpleUploadedFile("note.pdf", b"hello"),
        )
    refused(
        E.BONUS_INVALID,
        lambda: services.bonus_claim_add(
            actor=owner,
            application=application,
            criterion=dojo,
            upload=SimpleUploadedFile("c.pdf", pdf_bytes(1)),
        ),
    )
    refused(
        E.BONUS_INVALID,
        lambda: services.bonus_claim_add(
            actor=owner, application=application, criterion=criterion, upload=None
        ),
    )
    assert not BonusClaim.objects.exists()
    assert not ApplicationDocument.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_bonus_claims_only_by_the_company_while_open(call, stage):
    application = in_screening(stage)
    owner = make_applicant(application.company)
    criterion = _claimed_criterion(call)
    upload = SimpleUploadedFile("c.pdf", pdf_bytes(1))
    refused(
        E.BONUS_NOT_ALLOWED,
        lambda: services.bonus_claim_add(
            actor=owner, application=application, criterion=criterion, upload=upload
        ),
    )
    other = make_applicant(CompanyFactory())
    draft = in_screening(stage, status=ApplicationStatus.DRAFT)
    refused(
        E.BONUS_NOT_ALLOWED,
        lambda: services.bonus_claim_add(
            actor=other, application=draft, criterion=criterion, upload=upload
        ),
    )


def test_the_officer_verifies_or_rejects_a_claim_with_a_note(stage, officer):
    application = in_screening(stage)
    claim = bonus(application, status=BonusClaimStatus.CLAIMED)
    refused(
        E.REASON_REQUIRED,
        lambda: services.bonus_claim_reject(actor=officer, claim=claim, note=""),
    )
    services.bonus_claim_reject(actor=officer, claim=claim, note="表明書の日付が公募の後です")
    claim.refresh_from_db()
    assert claim.status == BonusClaimStatus.REJECTED
    services.bonus_claim_verify(actor=officer, claim=claim, note="再確認し、認めます")
    claim.refresh_from_db()
    assert claim.status == BonusClaimStatus.VERIFIED
    assert claim.verified_by == officer
    refused(
        E.NOT_OFFICER,
        lambda: services.bonus_claim_verify(actor=make_officer(ward(SUMIDA)), claim=claim),
    )
    dojo = bonus(application, BonusKind.DOJO_GRADUATE)
    refused(
        E.BONUS_ALREADY_DECIDED,
        lambda: services.bonus_claim_reject(actor=officer, claim=dojo, note="x"),
    )


# --- the selection --------------------------------------------------------------------------


@pytest.fixture
def ranked(stage):
    """Three ranked applications of stage 1 (budget ¥1,000,000): first (¥500,000, total
    45), second (¥450,000, 40), third (¥100,000, 35). The proposal takes the first two
    and skips the third (¥50,000 left)."""
    stage.budget = 1_000_000
    stage.save()
    rows = {}
    for name, requested, score in (
        ("first", 500_000, 9),
        ("second", 450_000, 8),
        ("third", 100_000, 7),
    ):
        application = in_screening(stage, requested=requested, title=name)
        make_applicant(application.company)
        scored(application, [score] * 5)
        rows[name] = application
    return rows


def test_confirming_the_proposal_selects_and_tells_everyone(
    stage, officer, ranked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        selection = services.selection_confirm(actor=officer, stage=stage)
    assert selection.edited is False
    assert selection.total_amount == 950_000
    assert selection.selected_ids == [ranked["first"].pk, ranked["second"].pk]
    for name in ("first", "second", "third"):
        ranked[name].refresh_from_db()
    assert ranked["first"].status == ApplicationStatus.SELECTED
    assert ranked["second"].status == ApplicationStatus.SELECTED
    third = ranked["third"]
    assert third.status == ApplicationStatus.NOT_SELECTED
    # The standard reason: no rank, no score (the applicant never reads them).
    assert third.decision_reason == "予算の範囲で、審査の評価が高い申請から採択しました。"
    assert len(notices("subsidy_selected")) == 2
    (notice,) = notices("subsidy_not_selected")
    assert "予算の範囲で、審査の評価が高い申請から採択しました。" in notice.body
    assert "位" not in notice.body


def test_an_edit_needs_a_reason(stage, officer, ranked):
    edited = [ranked["first"].pk, ranked["third"].pk]
    error = refused(
        E.REASON_REQUIRED,
        lambda: services.selection_confirm(actor=officer, stage=stage, selected_ids=edited),
    )
    assert "理由" in str(error.message)
    assert not Selection.objects.exists()
    selection = services.selection_confirm(
        actor=officer,
        stage=stage,
        selected_ids=edited,
        reason="2位の申請は同じ機器の補助を他の制度で受けているため",
    )
    assert selection.edited is True
    assert selection.total_amount == 600_000
    ranked["second"].refresh_from_db()
    assert ranked["second"].status == ApplicationStatus.NOT_SELECTED
    # The officer's reason stays with the selection; the company reads the standard one.
    assert "他の制度で受けている" in selection.reason
    assert "他の制度で受けている" not in ranked["second"].decision_reason


def test_a_selection_above_the_budget_is_refused_precisely(stage, officer, ranked):
    everything = [a.pk for a in ranked.values()]
    error = refused(
        E.SELECTION_OVER_BUDGET,
        lambda: services.selection_confirm(
            actor=officer, stage=stage, selected_ids=everything, reason="全部"
        ),
    )
    assert str(error.message) == (
        "採択額の合計 1,050,000円 が、このステージの予算 1,000,000円 を 50,000円 超えています。"
    )
    assert not Selection.objects.exists()
    for application in ranked.values():
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SCREENING


def test_the_calls_remaining_budget_caps_the_selection(call, stage, officer, ranked):
    call.budget = 1_500_000
    call.save()
    Selection.objects.create(
        stage=call.stages.get(number=2),
        total_amount=600_000,
        confirmed_by=officer,
        confirmed_at=call.opens_at,
    )
    error = refused(
        E.SELECTION_OVER_BUDGET,
        lambda: services.selection_confirm(
            actor=officer,
            stage=stage,
            selected_ids=[ranked["first"].pk, ranked["second"].pk],
            reason="提案どおり",
        ),
    )
    assert "公募全体の残りは 900,000円" in str(error.message)


def test_a_second_confirmation_is_refused(stage, officer, ranked):
    services.selection_confirm(actor=officer, stage=stage)
    error = refused(
        E.SELECTION_ALREADY_CONFIRMED,
        lambda: services.selection_confirm(actor=make_officer(), stage=stage),
    )
    assert "すでに確定しています" in str(error.message)
    assert Selection.objects.count() == 1


def test_no_selection_while_scores_or_eligibility_checks_are_missing(stage, officer, ranked):
    late = in_screening(stage, title="late")
    assign(late, status=AssignmentStatus.CLEARED)
    error = refused(
        E.SELECTION_NOT_READY, lambda: services.selection_confirm(actor=officer, stage=stage)
    )
    assert "採点が揃っていない申請が 1 件" in str(error.message)
    scored(late, [5] * 5)
    late.assignments.filter(status=AssignmentStatus.CLEARED).delete()
    in_screening(stage, status=ApplicationStatus.SUBMITTED)
    error = refused(
        E.SELECTION_NOT_READY, lambda: services.selection_confirm(actor=officer, stage=stage)
    )
    assert "要件の確認が終わっていない申請が 1 件" in str(error.message)


def test_only_ranked_applications_of_the_stage_are_selected(call, stage, officer, ranked):
    elsewhere = in_screening(call.stages.get(number=2), requested=1_000_000)
    refused(
        E.SELECTION_INVALID,
        lambda: services.selection_confirm(
            actor=officer, stage=stage, selected_ids=[elsewhere.pk], reason="x"
        ),
    )
    refused(
        E.NOT_OFFICER,
        lambda: services.selection_confirm(actor=make_officer(ward(SUMIDA)), stage=stage),
    )
    assert not Selection.objects.exists()
