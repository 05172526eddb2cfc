"""The review's findings on screening and selection, each pinned by a test that failed
before its fix:

- a tie a reviewer declared holds for every application of the company (2);
- an application returned to the company (差戻し) keeps the selection from being
  confirmed, and once it is confirmed nothing enters screening and no reviewer is assigned
  or taken off (4, 5);
- a user holding an officer's grant for the ward is never a reviewer there (6);
- what a company reads of the selection names no rank and not the officer's reason for an
  edit: one standard reason (9);
- a stage's budget is never lowered below its confirmed selection (13).

The races of finding 5 run on PostgreSQL in ``test_screening_race``."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    WardRoleFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_subsidies import make_applicant, make_reviewer
from machikoba.core.testing.factories_subsidies_screening import (
    assign,
    in_screening,
    rubric,
    scored,
)
from machikoba.subsidies import services
from machikoba.subsidies.choices import ApplicationStatus, AssignmentStatus
from machikoba.subsidies.error_codes_office import CallOfficeErrorCode
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode as E
from machikoba.subsidies.models import ApplicationEvent
from machikoba.subsidies.models_screening import ReviewerAssignment, Score, Selection
from machikoba.subsidies.selectors.ranking import stage_page
from machikoba.subsidies.selectors.screening import screening_application_page
from machikoba.subsidies.tests.conftest import notices, refused, stage_update_fields

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

STANDARD_REASON = "予算の範囲で、審査の評価が高い申請から採択しました。"


def _officer_page(officer, url):
    client = Client()
    give_totp(officer)
    force_login_with_mfa(client, officer)
    response = client.get(url)
    return response.status_code, response.content.decode()


def _confirmed(stage, officer, *, total=300_000):
    """The stage's selection, confirmed (written directly) a minute ago."""
    return Selection.objects.create(
        stage=stage,
        total_amount=total,
        confirmed_by=officer,
        confirmed_at=timezone.now() - dt.timedelta(minutes=1),
    )


def _when(selection):
    return timezone.localtime(selection.confirmed_at).strftime("%Y/%m/%d %H:%M")


# --- 2: a declared tie holds for the company's other applications ---------------------------


@pytest.fixture
def declared_tie(stage1, stage2):
    """Company X's application to stage 1, on which reviewer R declared a tie, and its
    application to stage 2."""
    company = CompanyFactory(ward=stage1.call.municipality, name="糀谷精工")
    first = in_screening(stage1, company)
    reviewer = make_reviewer()
    assignment = assign(first, reviewer)
    services.conflict_declare(actor=reviewer, assignment=assignment, tied=True, note="元の上司")
    second = in_screening(stage2, company)
    return {"reviewer": reviewer, "first": first, "second": second}


def test_a_reviewer_who_declared_a_tie_is_not_assigned_to_the_companys_other_application(
    declared_tie, officer
):
    reviewer, second = declared_tie["reviewer"], declared_tie["second"]
    error = refused(
        E.REVIEWER_TIED,
        services.reviewer_assign,
        actor=officer,
        application=second,
        reviewer=reviewer,
    )
    assert "この企業の別の申請で、利害関係があると申告しています" in str(error.message)
    assert not ReviewerAssignment.objects.filter(application=second).exists()
    page = screening_application_page(officer, second)
    (candidate,) = [c for c in page.candidates if c.user == reviewer]
    assert not candidate.assignable
    # Another company's application is not affected.
    other = in_screening(second.stage)
    services.reviewer_assign(actor=officer, application=other, reviewer=reviewer)


def test_a_reviewer_who_declared_a_tie_cannot_declare_none_on_the_companys_other_application(
    declared_tie,
):
    reviewer, second = declared_tie["reviewer"], declared_tie["second"]
    assignment = assign(second, reviewer)  # assigned before the records tied them
    error = refused(
        E.REVIEWER_TIED,
        services.conflict_declare,
        actor=reviewer,
        assignment=assignment,
        tied=False,
    )
    assert "利害関係があります" in str(error.message)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED


def test_a_reviewer_who_declared_a_tie_cannot_score_the_companys_other_application(
    declared_tie,
):
    reviewer, second = declared_tie["reviewer"], declared_tie["second"]
    assignment = assign(second, reviewer, status=AssignmentStatus.CLEARED)
    criterion = rubric(second)[0]
    error = refused(
        E.REVIEWER_TIED,
        services.scores_save,
        actor=reviewer,
        assignment=assignment,
        scores={criterion.pk: (5, "")},
    )
    assert "区の職員に連絡" in str(error.message)
    refused(E.REVIEWER_TIED, services.scores_submit, actor=reviewer, assignment=assignment)
    assert not Score.objects.filter(assignment=assignment).exists()


# --- 4: 差戻し blocks the selection; after it, nothing enters screening ----------------------


@pytest.fixture
def ranked_one(stage):
    application = in_screening(stage, requested=300_000)
    scored(application, [8] * 5)
    return application


def test_a_returned_application_keeps_the_selection_from_being_confirmed(
    stage, officer, ranked_one
):
    returned = in_screening(stage, status=ApplicationStatus.RETURNED)
    error = refused(E.SELECTION_NOT_READY, services.selection_confirm, actor=officer, stage=stage)
    assert str(error.message) == (
        "差し戻した申請が 1 件あります。企業が直して提出し直し、要件を確認するまで"
        "(または企業が取り下げるまで) 採択は確定できません。"
    )
    assert not Selection.objects.exists()
    ranked_one.refresh_from_db()
    assert ranked_one.status == ApplicationStatus.SCREENING
    page = stage_page(officer, stage)
    assert page.returned == [returned]
    assert not page.may_confirm
    status, html = _officer_page(officer, reverse("subsidies:screening_stage", args=[stage.pk]))
    assert status == 200
    assert 'data-testid="returned"' in html
    assert "差し戻した申請が 1 件あります。" in html


def test_after_the_selection_an_application_does_not_enter_screening(stage, officer):
    selection = _confirmed(stage, officer)
    late = in_screening(stage, status=ApplicationStatus.SUBMITTED)
    error = refused(
        E.SELECTION_ALREADY_CONFIRMED,
        services.eligibility_pass,
        actor=officer,
        application=late,
    )
    assert str(error.message) == (
        f"このステージの採択は {_when(selection)} に確定しているため、"
        "この申請は審査へ進められません。差し戻すか、要件を満たさない申請としてください。"
    )
    late.refresh_from_db()
    assert late.status == ApplicationStatus.SUBMITTED
    assert not ApplicationEvent.objects.filter(application=late).exists()
    # The officer may still find it ineligible.
    services.eligibility_fail(actor=officer, application=late, reason="採択の確定後の申請です。")
    late.refresh_from_db()
    assert late.status == ApplicationStatus.INELIGIBLE


def test_after_the_selection_the_page_offers_no_pass_and_no_assignment(stage, officer):
    _confirmed(stage, officer)
    late = in_screening(stage, status=ApplicationStatus.SUBMITTED)
    page = screening_application_page(officer, late)
    assert page.may_check_eligibility  # 差戻し and 要件を満たさない stay
    assert not page.may_pass
    status, html = _officer_page(
        officer, reverse("subsidies:screening_application", args=[late.pk])
    )
    assert status == 200
    assert 'data-testid="eligibility-pass"' not in html
    assert 'data-testid="eligibility-after-selection"' in html
    assert 'data-testid="fail-submit"' in html


def test_after_the_selection_no_reviewer_is_assigned(stage, officer):
    selection = _confirmed(stage, officer)
    stuck = in_screening(stage)  # left in screening (written directly)
    reviewer = make_reviewer()
    error = refused(
        E.SELECTION_ALREADY_CONFIRMED,
        services.reviewer_assign,
        actor=officer,
        application=stuck,
        reviewer=reviewer,
    )
    assert str(error.message) == (
        f"このステージの採択は {_when(selection)} に確定しているため、審査員は割り当てられません。"
    )
    assert not ReviewerAssignment.objects.exists()
    assert not screening_application_page(officer, stuck).may_assign


# --- 5: after the selection no reviewer is taken off ------------------------------------------


def test_after_the_selection_no_reviewer_is_taken_off(stage, officer):
    stuck = in_screening(stage)
    assignment = assign(stuck)
    selection = _confirmed(stage, officer)
    error = refused(
        E.SELECTION_ALREADY_CONFIRMED,
        services.reviewer_unassign,
        actor=officer,
        assignment=assignment,
    )
    assert str(error.message) == (
        f"このステージの採択は {_when(selection)} に確定しているため、"
        "審査員の割り当ては変えられません。"
    )
    assert ReviewerAssignment.objects.filter(pk=assignment.pk).exists()


# --- 6: an officer of the ward is never its reviewer ----------------------------------------


def _officer_and_reviewer(municipality=None, *, valid_until=None, **user_fields):
    """A reviewer of the default ward who also holds an officer's grant."""
    user = make_reviewer(**user_fields)
    WardRoleFactory(
        user=user,
        role=WardRole.OFFICER,
        municipality=municipality or ward(),
        valid_until=valid_until,
    )
    return user


def test_an_officer_of_the_ward_is_not_assigned_as_a_reviewer(stage, officer):
    application = in_screening(stage)
    colleague = _officer_and_reviewer(name="大森 兼務")
    error = refused(
        E.REVIEWER_TIED,
        services.reviewer_assign,
        actor=officer,
        application=application,
        reviewer=colleague,
    )
    assert str(error.message) == (
        "大森 兼務 さんはこの申請の審査員にできません: "
        "この区の職員の権限があり、ほかの審査員の採点を見られます。"
    )
    assert not ReviewerAssignment.objects.exists()
    page = screening_application_page(officer, application)
    (candidate,) = [c for c in page.candidates if c.user == colleague]
    assert not candidate.assignable
    status, html = _officer_page(
        officer, reverse("subsidies:screening_application", args=[application.pk])
    )
    assert status == 200
    assert f'id="reviewer-{colleague.pk}" name="reviewer" value="{colleague.pk}" disabled' in html
    assert "この区の職員の権限があり、ほかの審査員の採点を見られます" in html


def test_an_officer_already_assigned_cannot_declare_no_conflict(stage):
    application = in_screening(stage)
    colleague = _officer_and_reviewer()
    assignment = assign(application, colleague)
    refused(
        E.REVIEWER_TIED,
        services.conflict_declare,
        actor=colleague,
        assignment=assignment,
        tied=False,
    )
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED


def test_an_officer_of_another_ward_or_a_former_officer_may_review(stage, officer):
    application = in_screening(stage)
    sumida_officer = _officer_and_reviewer(ward(SUMIDA))
    former = _officer_and_reviewer(valid_until=timezone.localdate() - dt.timedelta(days=1))
    for reviewer in (sumida_officer, former):
        services.reviewer_assign(actor=officer, application=application, reviewer=reviewer)
    assert application.assignments.count() == 2


# --- 9: no rank and no officer's reason in what a company reads ----------------------------


@pytest.fixture
def edited(stage, officer, django_capture_on_commit_callbacks):
    """Three ranked applications of a ¥1,000,000 stage; the officer drops the second
    (it fit the budget) with a reason."""
    stage.budget = 1_000_000
    stage.save()
    rows = []
    for title, requested, score in (("A", 500_000, 9), ("B", 300_000, 8), ("C", 100_000, 7)):
        application = in_screening(stage, requested=requested, title=title)
        make_applicant(application.company)
        scored(application, [score] * 5)
        rows.append(application)
    first, second, third = rows
    with django_capture_on_commit_callbacks(execute=True):
        selection = services.selection_confirm(
            actor=officer,
            stage=stage,
            selected_ids=[first.pk, third.pk],
            reason="Bは同じ機器を他の制度で購入済みのため",
        )
    for application in rows:
        application.refresh_from_db()
    return {"selection": selection, "first": first, "second": second, "third": third}


def test_a_selected_companys_history_names_no_rank(edited):
    event = ApplicationEvent.objects.get(
        application=edited["first"], to_status=ApplicationStatus.SELECTED
    )
    assert event.comment == "採択 (交付候補)"


def test_a_deselected_company_reads_the_standard_reason_only(edited, officer):
    second, selection = edited["second"], edited["selection"]
    assert second.status == ApplicationStatus.NOT_SELECTED
    assert second.decision_reason == STANDARD_REASON
    event = ApplicationEvent.objects.get(
        application=second, to_status=ApplicationStatus.NOT_SELECTED
    )
    assert event.comment == STANDARD_REASON
    (notice,) = notices("subsidy_not_selected")
    assert STANDARD_REASON in notice.body
    assert "他の制度" not in notice.body
    assert "位" not in notice.body
    # The officer's reason stays in the selection and the audit log.
    assert selection.reason == "Bは同じ機器を他の制度で購入済みのため"
    audit = AuditEvent.objects.get(verb="subsidy_selection.confirm")
    assert audit.after["reason"] == "Bは同じ機器を他の制度で購入済みのため"


def test_the_rejection_notice_pdf_names_no_rank_and_no_officers_reason(edited):
    second = edited["second"]
    owner = second.company.memberships.get().user
    client = Client()
    client.force_login(owner)
    response = client.get(reverse("subsidies:decision_notice", args=[second.pk]))
    assert response.status_code == 200
    document = pdfium.PdfDocument(response.content)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    text = text.replace("\r", "").replace("\n", "")
    assert STANDARD_REASON in text
    assert "他の制度" not in text
    assert "位" not in text


def test_the_applicants_page_names_no_rank(edited):
    second = edited["second"]
    client = Client()
    client.force_login(second.company.memberships.get().user)
    response = client.get(reverse("subsidies:application_detail", args=[second.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert STANDARD_REASON in html
    assert "他の制度" not in html
    assert " 位" not in html


def test_the_officer_is_told_what_the_companies_read(stage, officer, ranked_one):
    status, html = _officer_page(officer, reverse("subsidies:screening_stage", args=[stage.pk]))
    assert status == 200
    assert f"不採択の理由として企業に伝わるのは「{STANDARD_REASON}」だけです" in html


# --- 13: a stage's budget stays at least its confirmed selection ----------------------------


def test_a_stage_budget_is_not_lowered_below_its_confirmed_selection(stage, officer):
    _confirmed(stage, officer, total=950_000)
    error = refused(
        CallOfficeErrorCode.STAGE_BUDGET_BELOW_DECIDED,
        services.stage_update,
        actor=officer,
        stage=stage,
        **stage_update_fields(stage, budget=949_999),
    )
    assert str(error.message) == (
        "このステージの採択は、採択額の合計 950,000円 で確定しています。"
        "予算額は 950,000円 以上にしてください。"
    )
    assert error.fields == {"budget": [error.message]}
    stage.refresh_from_db()
    assert stage.budget == 15_000_000
    services.stage_update(actor=officer, stage=stage, **stage_update_fields(stage, budget=950_000))
    stage.refresh_from_db()
    assert stage.budget == 950_000
