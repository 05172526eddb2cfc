"""The screening services up to the scores: eligibility (with the dojo bonus verified
from the records), 差戻し, reviewers and their conflict-of-interest declarations, and
their scores. Every refusal has its code and a Japanese message and leaves nothing
written; the companies and reviewers are told."""

from __future__ import annotations

import pytest

from machikoba.companies.choices import CompanyRole
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    ward,
)
from machikoba.core.testing.factories_programs import AdvisorFactory, make_engagement
from machikoba.core.testing.factories_subsidies import (
    make_applicant,
    make_officer,
    make_reviewer,
)
from machikoba.core.testing.factories_subsidies_screening import (
    assign,
    dojo_graduate,
    ended_reviewer,
    in_screening,
    rubric,
    scored,
)
from machikoba.subsidies import services
from machikoba.subsidies.choices import (
    ApplicationStatus,
    AssignmentStatus,
    BonusClaimStatus,
    BonusKind,
)
from machikoba.subsidies.error_codes import SubsidyErrorCode
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode as E
from machikoba.subsidies.models import ApplicationEvent
from machikoba.subsidies.models_screening import BonusClaim, ReviewerAssignment, Score
from machikoba.subsidies.tests.conftest import notices, refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


# --- eligibility and 差戻し ------------------------------------------------------------------


def test_passing_eligibility_opens_screening_and_verifies_a_graduates_dojo_bonus(stage, officer):
    company = CompanyFactory(ward=stage.call.municipality)
    make_applicant(company)
    dojo_graduate(company)
    application = in_screening(stage, company, status=ApplicationStatus.SUBMITTED)
    services.eligibility_pass(
        actor=officer, application=application, comment="書類はそろっています"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SCREENING
    claim = BonusClaim.objects.get(application=application)
    assert claim.criterion.kind == BonusKind.DOJO_GRADUATE
    assert claim.status == BonusClaimStatus.VERIFIED
    assert claim.automatic is True
    assert ApplicationEvent.objects.filter(
        application=application, to_status=ApplicationStatus.SCREENING
    ).exists()
    assert AuditEvent.objects.filter(verb="subsidy_bonus.auto_verify").count() == 1


def test_no_dojo_bonus_without_a_graduation(stage, officer):
    application = in_screening(stage, status=ApplicationStatus.SUBMITTED)
    services.eligibility_pass(actor=officer, application=application)
    assert not BonusClaim.objects.filter(application=application).exists()


def test_only_the_wards_officers_check_eligibility(stage):
    application = in_screening(stage, status=ApplicationStatus.SUBMITTED)
    for someone in (make_officer(ward(SUMIDA)), make_applicant(application.company)):
        refused(
            E.NOT_OFFICER,
            lambda someone=someone: services.eligibility_pass(
                actor=someone, application=application
            ),
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_eligibility_is_checked_once(stage, officer):
    application = in_screening(stage)  # already in screening
    error = refused(
        SubsidyErrorCode.TRANSITION_NOT_ALLOWED,
        lambda: services.eligibility_pass(actor=officer, application=application),
    )
    assert "審査中" in str(error.message)


def test_failing_eligibility_needs_a_reason_and_tells_the_company(
    stage, officer, django_capture_on_commit_callbacks
):
    application = in_screening(stage, status=ApplicationStatus.SUBMITTED)
    owner = make_applicant(application.company)
    error = refused(
        E.REASON_REQUIRED,
        lambda: services.eligibility_fail(actor=officer, application=application, reason="  "),
    )
    assert "reason" in error.fields
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        services.eligibility_fail(
            actor=officer, application=application, reason="区外の事業所での事業です。"
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INELIGIBLE
    assert application.decision_reason == "区外の事業所での事業です。"
    (notice,) = notices("subsidy_ineligible")
    assert notice.user == owner
    assert "区外の事業所での事業です。" in notice.body


def test_returning_an_application_needs_comments_and_tells_the_company(
    stage, officer, django_capture_on_commit_callbacks
):
    application = in_screening(stage, status=ApplicationStatus.SUBMITTED)
    make_applicant(application.company)
    refused(
        E.REASON_REQUIRED,
        lambda: services.application_return(actor=officer, application=application, comments=""),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return(
            actor=officer, application=application, comments="見積書を2通にしてください。"
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RETURNED
    event = ApplicationEvent.objects.get(
        application=application, to_status=ApplicationStatus.RETURNED
    )
    assert event.comment == "見積書を2通にしてください。"
    (notice,) = notices("subsidy_returned")
    assert "見積書を2通にしてください。" in notice.body


# --- reviewers ------------------------------------------------------------------------------


def test_assigning_a_reviewer_tells_them(stage, officer, django_capture_on_commit_callbacks):
    application = in_screening(stage)
    reviewer = make_reviewer()
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.reviewer_assign(
            actor=officer, application=application, reviewer=reviewer
        )
    assert assignment.status == AssignmentStatus.ASSIGNED
    assert assignment.assigned_by == officer
    (notice,) = notices("subsidy_review_assigned")
    assert notice.user == reviewer
    assert notice.url == f"/subsidies/review/{assignment.pk}/"


@pytest.mark.parametrize("role", [CompanyRole.OWNER, CompanyRole.STAFF, CompanyRole.FLOOR_WORKER])
def test_a_reviewer_who_works_for_the_company_is_refused(stage, officer, role):
    application = in_screening(stage)
    reviewer = make_reviewer()
    MembershipFactory(user=reviewer, company=application.company, role=role)
    error = refused(
        E.REVIEWER_TIED,
        lambda: services.reviewer_assign(actor=officer, application=application, reviewer=reviewer),
    )
    assert "申請企業に所属しています" in str(error.message)
    assert not ReviewerAssignment.objects.exists()


def test_a_reviewer_who_advised_the_company_is_refused(stage, officer):
    application = in_screening(stage)
    reviewer = make_reviewer()
    make_engagement(application.company, [AdvisorFactory(user=reviewer)])
    error = refused(
        E.REVIEWER_TIED,
        lambda: services.reviewer_assign(actor=officer, application=application, reviewer=reviewer),
    )
    assert "アドバイザー" in str(error.message)


def test_a_reviewer_who_filed_the_application_is_refused(stage, officer):
    reviewer = make_reviewer()
    application = in_screening(stage, filed_by=reviewer)
    refused(
        E.REVIEWER_TIED,
        lambda: services.reviewer_assign(actor=officer, application=application, reviewer=reviewer),
    )


def test_only_a_reviewer_of_the_calls_ward_with_a_grant_in_force_is_assigned(stage, officer):
    application = in_screening(stage)
    for someone in (ended_reviewer(), make_reviewer(ward(SUMIDA)), UserFactory()):
        refused(
            E.REVIEWER_NOT_GRANTED,
            lambda someone=someone: services.reviewer_assign(
                actor=officer, application=application, reviewer=someone
            ),
        )
    assert not ReviewerAssignment.objects.exists()


def test_reviewers_are_assigned_once_and_only_in_screening(stage, officer):
    application = in_screening(stage)
    reviewer = make_reviewer()
    services.reviewer_assign(actor=officer, application=application, reviewer=reviewer)
    refused(
        E.REVIEWER_ALREADY_ASSIGNED,
        lambda: services.reviewer_assign(actor=officer, application=application, reviewer=reviewer),
    )
    submitted = in_screening(stage, status=ApplicationStatus.SUBMITTED)
    refused(
        E.APPLICATION_NOT_IN_SCREENING,
        lambda: services.reviewer_assign(
            actor=officer, application=submitted, reviewer=make_reviewer()
        ),
    )


def test_unassigning_removes_draft_scores_but_never_submitted_ones(stage, officer):
    application = in_screening(stage)
    draft = scored(application, [5, 5], submit=False)
    services.reviewer_unassign(actor=officer, assignment=draft)
    assert not ReviewerAssignment.objects.filter(pk=draft.pk).exists()
    assert not Score.objects.filter(assignment_id=draft.pk).exists()
    done = scored(application, [5, 5, 5, 5, 5])
    refused(
        E.ASSIGNMENT_NOT_REMOVABLE,
        lambda: services.reviewer_unassign(actor=officer, assignment=done),
    )
    assert Score.objects.filter(assignment=done).count() == 5


# --- conflicts of interest ------------------------------------------------------------------


def test_declaring_no_conflict_opens_the_application(stage):
    assignment = assign(in_screening(stage))
    services.conflict_declare(actor=assignment.reviewer, assignment=assignment, tied=False)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CLEARED
    assert assignment.declared_at is not None


def test_declaring_a_tie_needs_a_note_and_closes_it(stage):
    assignment = assign(in_screening(stage))
    refused(
        E.REASON_REQUIRED,
        lambda: services.conflict_declare(
            actor=assignment.reviewer, assignment=assignment, tied=True, note=""
        ),
    )
    services.conflict_declare(
        actor=assignment.reviewer, assignment=assignment, tied=True, note="元の勤務先です"
    )
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICTED
    assert assignment.conflict_note == "元の勤務先です"
    refused(
        E.CONFLICT_ALREADY_DECLARED,
        lambda: services.conflict_declare(
            actor=assignment.reviewer, assignment=assignment, tied=False
        ),
    )


def test_a_reviewer_tied_by_the_records_cannot_declare_no_conflict(stage):
    application = in_screening(stage)
    assignment = assign(application)
    # Tied after the assignment: the reviewer joined the company.
    MembershipFactory(user=assignment.reviewer, company=application.company)
    error = refused(
        E.REVIEWER_TIED,
        lambda: services.conflict_declare(
            actor=assignment.reviewer, assignment=assignment, tied=False
        ),
    )
    assert "利害関係があります" in str(error.message)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED


def test_only_the_assigned_reviewer_declares(stage, officer):
    assignment = assign(in_screening(stage))
    for someone in (make_reviewer(), officer, ended_reviewer()):
        refused(
            E.NOT_REVIEWER,
            lambda someone=someone: services.conflict_declare(
                actor=someone, assignment=assignment, tied=False
            ),
        )
    gone = assign(in_screening(stage), ended_reviewer())
    refused(
        E.NOT_REVIEWER,
        lambda: services.conflict_declare(actor=gone.reviewer, assignment=gone, tied=False),
    )


# --- scores ---------------------------------------------------------------------------------


def _scores(application, values):
    return {c.pk: (v, "") for c, v in zip(rubric(application), values, strict=False)}


def test_scoring_before_declaring_is_refused(stage):
    application = in_screening(stage)
    assignment = assign(application)
    error = refused(
        E.CONFLICT_NOT_CLEARED,
        lambda: services.scores_save(
            actor=assignment.reviewer, assignment=assignment, scores=_scores(application, [5])
        ),
    )
    assert "利害関係の有無を申告" in str(error.message)
    assert not Score.objects.exists()


def test_scoring_after_declaring_a_tie_is_refused(stage):
    application = in_screening(stage)
    assignment = assign(application, status=AssignmentStatus.CONFLICTED, note="親族")
    error = refused(
        E.CONFLICT_NOT_CLEARED,
        lambda: services.scores_submit(
            actor=assignment.reviewer,
            assignment=assignment,
            scores=_scores(application, [5, 5, 5, 5, 5]),
        ),
    )
    assert "利害関係があると申告した" in str(error.message)
    assert not Score.objects.exists()


def test_a_score_out_of_range_is_refused_and_nothing_is_saved(stage):
    application = in_screening(stage)
    assignment = assign(application, status=AssignmentStatus.CLEARED)
    criteria = rubric(application)
    for bad in (11, -1):
        error = refused(
            E.SCORES_INVALID,
            lambda bad=bad: services.scores_save(
                actor=assignment.reviewer,
                assignment=assignment,
                scores={criteria[0].pk: (7, "よい"), criteria[1].pk: (bad, "")},
            ),
        )
        assert f"score_{criteria[1].pk}" in error.fields
        assert "0 から 10 まで" in str(error.message)
    assert not Score.objects.exists()


def test_drafts_are_saved_and_changed_until_submitted_then_frozen(stage):
    application = in_screening(stage)
    assignment = assign(application, status=AssignmentStatus.CLEARED)
    reviewer = assignment.reviewer
    services.scores_save(
        actor=reviewer, assignment=assignment, scores=_scores(application, [5, 6]), comment="途中"
    )
    assert sorted(Score.objects.values_list("score", flat=True)) == [5, 6]
    error = refused(
        E.SCORES_INCOMPLETE,
        lambda: services.scores_submit(actor=reviewer, assignment=assignment),
    )
    assert "手段の妥当性" not in str(error.message)  # scored already
    assert "効果の具体性" in str(error.message)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CLEARED
    # A submission that saves and submits in one tap: both or neither.
    refused(
        E.SCORES_INCOMPLETE,
        lambda: services.scores_submit(
            actor=reviewer, assignment=assignment, scores=_scores(application, [9, 9, 9])
        ),
    )
    assert sorted(Score.objects.values_list("score", flat=True)) == [5, 6]
    services.scores_submit(
        actor=reviewer,
        assignment=assignment,
        scores=_scores(application, [7, 8, 9, 6, 5]),
        comment="実現性が高い",
    )
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    assert assignment.comment == "実現性が高い"
    assert sum(Score.objects.values_list("score", flat=True)) == 35
    refused(
        E.CONFLICT_NOT_CLEARED,
        lambda: services.scores_save(
            actor=reviewer, assignment=assignment, scores=_scores(application, [0])
        ),
    )
    assert sum(Score.objects.values_list("score", flat=True)) == 35


def test_another_reviewer_cannot_score_an_assignment(stage):
    application = in_screening(stage)
    assignment = assign(application, status=AssignmentStatus.CLEARED)
    refused(
        E.NOT_REVIEWER,
        lambda: services.scores_save(
            actor=make_reviewer(), assignment=assignment, scores=_scores(application, [5])
        ),
    )
