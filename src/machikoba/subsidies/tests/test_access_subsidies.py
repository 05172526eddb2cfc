"""Who reads what of the DX subsidy, straight through the access layer (every page and API
starts there): the applicant's owner and staff, the ward's officers, the assigned reviewer
after declaring no conflict (and only while their grant is in force), the advisor who filed
it; nobody else: not another company, not another ward's officer, not the metro viewer, not
a floor worker, not an unassigned reviewer, not an anonymous visitor. Scores: their reviewer
and the office only."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import WardRoleAssignment
from machikoba.advisory.models import Advisor, Engagement, EngagementMember
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, DELETE, MANAGE, VIEW, forget_cached_roles
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    ward,
)
from machikoba.core.testing.factories_programs import AdvisorFactory
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_paper_call,
    make_reviewer,
)
from machikoba.core.testing.factories_subsidies_after import make_report
from machikoba.core.testing.matrix import (
    ADVISOR,
    FLOOR_WORKER,
    INSTRUCTOR,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REVIEWER,
    STAFF,
)
from machikoba.subsidies.choices import (
    ApplicationStatus,
    AssignmentStatus,
    ValueAddedKind,
)
from machikoba.subsidies.models import (
    Application,
    ApplicationEvent,
    AttachmentRequirement,
    BonusCriterion,
    Call,
    ExpenseCategory,
    ExpenseLine,
    Payment,
    ReviewerAssignment,
    RubricCriterion,
    Score,
    Selection,
    Stage,
    ValueAddedReport,
)
from machikoba.subsidies.models_after import ActualExpense, CompletionReport

OUTSIDERS = (OTHER_COMPANY, OTHER_WARD_OFFICER, METRO_VIEWER, FLOOR_WORKER, ADVISOR, INSTRUCTOR)


def _reads(user, model, **lookup) -> bool:
    return _may(user, VIEW, model, **lookup)


def _may(user, action, model, **lookup) -> bool:
    if user is not None:
        forget_cached_roles(user)
    return model.objects.for_user(user or AnonymousUser(), action).filter(**lookup).exists()


def test_an_application_is_read_by_its_company_its_office_and_its_cleared_reviewer(world):
    application = world.subsidy_application
    for actor in (MEMBER, STAFF, OFFICER, REVIEWER):
        assert _reads(world.users[actor], Application, pk=application.pk), actor
        assert _reads(world.users[actor], ExpenseLine, application=application), actor
    for actor in OUTSIDERS:
        assert not _reads(world.users[actor], Application, pk=application.pk), actor
        assert not _reads(world.users[actor], ExpenseLine, application=application), actor
    assert not _reads(None, Application, pk=application.pk)
    assert not _reads(make_reviewer(), Application, pk=application.pk)  # not assigned


def test_a_reviewer_reads_the_application_only_after_declaring_no_conflict(world):
    reviewer = make_reviewer()
    assignment = ReviewerAssignment.objects.create(
        application=world.subsidy_application, reviewer=reviewer
    )
    assert not _reads(reviewer, Application, pk=world.subsidy_application.pk)
    assert _reads(reviewer, ReviewerAssignment, pk=assignment.pk)  # the name, to declare on
    for status, opens in (
        (AssignmentStatus.CONFLICTED, False),
        (AssignmentStatus.CLEARED, True),
        (AssignmentStatus.SUBMITTED, True),
    ):
        ReviewerAssignment.objects.filter(pk=assignment.pk).update(status=status)
        assert _reads(reviewer, Application, pk=world.subsidy_application.pk) is opens, status


def test_a_reviewer_whose_grant_ended_reads_nothing(world):
    reviewer = world.users[REVIEWER]
    assert _reads(reviewer, Application, pk=world.subsidy_application.pk)
    WardRoleAssignment.objects.filter(user=reviewer).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert not _reads(reviewer, Application, pk=world.subsidy_application.pk)
    assert not _reads(reviewer, ReviewerAssignment, application=world.subsidy_application)


def test_a_reviewer_of_another_ward_reads_nothing_even_if_assigned(world):
    stranger = make_reviewer(ward(SUMIDA))
    ReviewerAssignment.objects.create(
        application=world.subsidy_application,
        reviewer=stranger,
        status=AssignmentStatus.CLEARED,
    )
    assert not _reads(stranger, Application, pk=world.subsidy_application.pk)


def test_scores_are_read_by_their_reviewer_and_the_office_only(world):
    application = world.subsidy_application
    criterion = RubricCriterion.objects.filter(call=application.stage.call).first()
    mine = ReviewerAssignment.objects.get(application=application)
    other_reviewer = make_reviewer()
    theirs = ReviewerAssignment.objects.create(
        application=application, reviewer=other_reviewer, status=AssignmentStatus.SUBMITTED
    )
    Score.objects.create(assignment=mine, criterion=criterion, score=7)
    Score.objects.create(assignment=theirs, criterion=criterion, score=9)
    reviewer = world.users[REVIEWER]
    assert _reads(reviewer, Score, assignment=mine)
    assert not _reads(reviewer, Score, assignment=theirs)  # never another reviewer's
    assert not _reads(other_reviewer, Score, assignment=mine)
    assert _reads(world.users[OFFICER], Score, assignment=theirs)
    for actor in (MEMBER, STAFF, *OUTSIDERS):
        assert not _reads(world.users[actor], Score, assignment__application=application), actor


def test_history_follows_the_application(world):
    application = world.subsidy_application
    ApplicationEvent.objects.create(
        application=application, from_status="submitted", to_status="screening"
    )
    assert _reads(world.users[MEMBER], ApplicationEvent, application=application)
    for actor in OUTSIDERS:
        assert not _reads(world.users[actor], ApplicationEvent, application=application), actor


def test_only_the_wards_officers_change_a_call_and_read_its_selection(world):
    call = world.subsidy_application.stage.call
    stage = world.subsidy_application.stage
    Selection.objects.create(stage=stage, total_amount=1, confirmed_at=timezone.now())
    officer = world.users[OFFICER]
    assert Call.objects.for_user(officer, CHANGE).filter(pk=call.pk).exists()
    assert _reads(officer, Selection, stage=stage)
    for actor in (MEMBER, REVIEWER, *OUTSIDERS):
        user = world.users[actor]
        forget_cached_roles(user)
        assert not Call.objects.for_user(user, CHANGE).filter(pk=call.pk).exists(), actor
        assert not _reads(user, Selection, stage=stage), actor


def test_members_of_the_wards_companies_read_its_calls_others_do_not(world):
    call = world.subsidy_application.stage.call
    sumida_call = make_paper_call(municipality=ward(SUMIDA))
    assert _reads(world.users[MEMBER], Call, pk=call.pk)
    assert _reads(world.users[OTHER_COMPANY], Call, pk=call.pk)  # also in 大田区
    assert not _reads(world.users[MEMBER], Call, pk=sumida_call.pk)
    assert not _reads(world.users[OTHER_WARD_OFFICER], Call, pk=call.pk)
    assert not _reads(None, Call, pk=call.pk)


def _paid(application) -> ValueAddedReport:
    """``application`` paid, and its first 事業化状況報告 asked for."""
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.PAID,
        requested_amount=300_000,
        decided_amount=300_000,
        confirmed_amount=300_000,
    )
    Payment.objects.create(application=application, amount=300_000, paid_on=timezone.localdate())
    return ValueAddedReport.objects.create(
        company=application.company,
        municipality=application.stage.call.municipality,
        kind=ValueAddedKind.BUSINESS_REPORT,
        application=application,
        year_index=1,
        fiscal_year=application.stage.call.fiscal_year,
        due_on=timezone.localdate() + dt.timedelta(days=90),
    )


def test_after_the_selection_only_the_company_and_the_office_read_and_change(world):
    application = world.subsidy_application
    report = _paid(application)
    for actor in (MEMBER, STAFF, OFFICER):
        assert _reads(world.users[actor], Payment, application=application), actor
        assert _reads(world.users[actor], ValueAddedReport, pk=report.pk), actor
    # The reviewer's part ended with the scores: the money and the figures are not theirs.
    for actor in (REVIEWER, *OUTSIDERS):
        assert not _reads(world.users[actor], Payment, application=application), actor
        assert not _reads(world.users[actor], ValueAddedReport, pk=report.pk), actor
    staff = world.users[STAFF]
    assert ValueAddedReport.objects.for_user(staff, CHANGE).filter(pk=report.pk).exists()
    officer = world.users[OFFICER]
    assert ValueAddedReport.objects.for_user(officer, MANAGE).filter(pk=report.pk).exists()
    assert not ValueAddedReport.objects.for_user(officer, CHANGE).filter(pk=report.pk).exists()


def test_an_advisor_who_filed_reads_and_edits_that_application_only(world):
    advisor = world.users[ADVISOR]
    stage = world.subsidy_application.stage.call.stages.get(number=2)
    filed = make_application(stage, world.company, filed_by=advisor)
    forget_cached_roles(advisor)
    assert Application.objects.for_user(advisor, CHANGE).filter(pk=filed.pk).exists()
    assert not _reads(advisor, Application, pk=world.subsidy_application.pk)
    assert not Application.objects.for_user(advisor, MANAGE).filter(pk=filed.pk).exists()


def _off_the_roster(world, advisor):
    Advisor.objects.filter(user=advisor).update(active=False)


def _engagement_with_another_advisor(world, advisor):
    EngagementMember.objects.filter(engagement=world.engagement).update(advisor=AdvisorFactory())


def _engagement_run_by_another_ward(world, advisor):
    # The advisor serves 大田区 only; the call is 大田区's.
    Engagement.objects.filter(pk=world.engagement.pk).update(municipality=ward(SUMIDA))


@pytest.mark.parametrize(
    "lose",
    [_off_the_roster, _engagement_with_another_advisor, _engagement_run_by_another_ward],
    ids=["advisor off the roster", "engagement of another advisor", "engagement of another ward"],
)
def test_the_filing_advisor_needs_their_own_active_engagement_in_a_ward_they_serve(world, lose):
    advisor = world.users[ADVISOR]
    stage = world.subsidy_application.stage.call.stages.get(number=2)
    filed = make_application(stage, world.company, filed_by=advisor)
    assert _reads(advisor, Application, pk=filed.pk)
    assert _may(advisor, CHANGE, Application, pk=filed.pk)
    lose(world, advisor)
    for action in (VIEW, CHANGE, DELETE):
        assert not _may(advisor, action, Application, pk=filed.pk), action
        assert not _may(advisor, action, ExpenseLine, application=filed), action


def test_a_calls_rules_are_read_by_the_wards_people_and_changed_by_its_office_only(world):
    call = world.subsidy_application.stage.call
    parts = [
        (Call, {"pk": call.pk}),
        (Stage, {"call": call}),
        (RubricCriterion, {"call": call}),
        (BonusCriterion, {"call": call}),
        (ExpenseCategory, {"stage__call": call}),
        (AttachmentRequirement, {"stage__call": call}),
    ]
    for model, lookup in parts:
        assert model.objects.filter(**lookup).exists(), model
    # The office runs the call, the reviewers score on its rubric, the ward's advisors file
    # for its companies, the companies' people apply.
    readers = (OFFICER, REVIEWER, ADVISOR, MEMBER, STAFF, FLOOR_WORKER, OTHER_COMPANY)
    others = (OTHER_WARD_OFFICER, METRO_VIEWER, INSTRUCTOR)
    for model, lookup in parts:
        for actor in readers:
            assert _reads(world.users[actor], model, **lookup), (model, actor)
        for actor in others:
            assert not _reads(world.users[actor], model, **lookup), (model, actor)
        assert not _reads(make_reviewer(ward(SUMIDA)), model, **lookup), model
        assert not _reads(None, model, **lookup), model
        for action in (CHANGE, MANAGE, DELETE):
            assert _may(world.users[OFFICER], action, model, **lookup), (model, action)
            for actor in (*readers[1:], *others):
                assert not _may(world.users[actor], action, model, **lookup), (model, actor)


def test_a_reviewer_who_also_works_for_a_company_of_another_ward_reads_both_wards_calls(world):
    reviewer = world.users[REVIEWER]
    MembershipFactory(
        user=reviewer, company=CompanyFactory(ward=ward(SUMIDA)), role=CompanyRole.STAFF
    )
    sumida_call = make_paper_call(municipality=ward(SUMIDA))
    assert _reads(reviewer, Call, pk=world.subsidy_application.stage.call.pk)  # as reviewer
    assert _reads(reviewer, Call, pk=sumida_call.pk)  # as a company's staff


def _deactivate(company, days_ago: int) -> None:
    Company.objects.filter(pk=company.pk).update(
        is_active=False, deactivated_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_a_deactivated_company_reads_its_subsidy_records_in_the_grace_period_only(world, settings):
    settings.MACHIKOBA_DEACTIVATED_READ_DAYS = 30
    application = world.subsidy_application
    report = _paid(application)
    call = application.stage.call
    readable = [
        (Application, {"pk": application.pk}),
        (Payment, {"application": application}),
        (ValueAddedReport, {"pk": report.pk}),
        (Call, {"pk": call.pk}),
    ]
    _deactivate(world.company, days_ago=1)
    for actor in (MEMBER, STAFF):
        user = world.users[actor]
        for model, lookup in readable:
            assert _reads(user, model, **lookup), (model, actor)
        # Reading only: nothing is changed for a company that closed.
        for model, lookup in readable[:3]:
            assert not _may(user, CHANGE, model, **lookup), (model, actor)
    _deactivate(world.company, days_ago=31)
    for actor in (MEMBER, STAFF):
        for model, lookup in readable:
            assert not _reads(world.users[actor], model, **lookup), (model, actor)


def test_the_office_manages_an_application_and_its_company_changes_it(world):
    application = world.subsidy_application
    officer, owner = world.users[OFFICER], world.users[MEMBER]
    assert _may(officer, MANAGE, Application, pk=application.pk)
    assert not _may(officer, CHANGE, Application, pk=application.pk)
    assert _may(owner, CHANGE, Application, pk=application.pk)
    assert not _may(owner, MANAGE, Application, pk=application.pk)
    for actor in (REVIEWER, OTHER_WARD_OFFICER, *OUTSIDERS):
        assert not _may(world.users[actor], MANAGE, Application, pk=application.pk), actor


def test_the_office_manages_the_assignments_and_each_reviewer_acts_on_their_own(world):
    application = world.subsidy_application
    officer, reviewer = world.users[OFFICER], world.users[REVIEWER]
    mine = ReviewerAssignment.objects.get(application=application, reviewer=reviewer)
    other_reviewer = make_reviewer()
    theirs = ReviewerAssignment.objects.create(application=application, reviewer=other_reviewer)
    for assignment in (mine, theirs):
        assert _reads(officer, ReviewerAssignment, pk=assignment.pk)
        assert _may(officer, MANAGE, ReviewerAssignment, pk=assignment.pk)
        assert not _may(officer, CHANGE, ReviewerAssignment, pk=assignment.pk)
        assert not _reads(world.users[OTHER_WARD_OFFICER], ReviewerAssignment, pk=assignment.pk)
    assert _may(reviewer, CHANGE, ReviewerAssignment, pk=mine.pk)
    assert not _may(reviewer, MANAGE, ReviewerAssignment, pk=mine.pk)
    # Never another reviewer's: not even that there is one.
    assert not _reads(reviewer, ReviewerAssignment, pk=theirs.pk)
    assert not _may(reviewer, CHANGE, ReviewerAssignment, pk=theirs.pk)
    assert not _reads(other_reviewer, ReviewerAssignment, pk=mine.pk)
    for actor in (MEMBER, STAFF, *OUTSIDERS):
        assert not _reads(world.users[actor], ReviewerAssignment, pk=mine.pk), actor


def test_a_reviewer_changes_their_own_scores_and_nobody_else_does(world):
    application = world.subsidy_application
    criterion = RubricCriterion.objects.filter(call=application.stage.call).first()
    mine = ReviewerAssignment.objects.get(application=application)
    theirs = ReviewerAssignment.objects.create(
        application=application, reviewer=make_reviewer(), status=AssignmentStatus.SUBMITTED
    )
    my_score = Score.objects.create(assignment=mine, criterion=criterion, score=7)
    their_score = Score.objects.create(assignment=theirs, criterion=criterion, score=9)
    reviewer = world.users[REVIEWER]
    assert _may(reviewer, CHANGE, Score, pk=my_score.pk)
    assert not _may(reviewer, CHANGE, Score, pk=their_score.pk)
    for actor in (OFFICER, MEMBER, STAFF, *OUTSIDERS):
        assert not _may(world.users[actor], CHANGE, Score, pk=my_score.pk), actor


def test_a_reviewer_whose_grant_for_the_ward_ended_reads_nothing_there_while_serving_another(
    world,
):
    application = world.subsidy_application
    reviewer = world.users[REVIEWER]
    assignment = ReviewerAssignment.objects.get(application=application, reviewer=reviewer)
    criterion = RubricCriterion.objects.filter(call=application.stage.call).first()
    score = Score.objects.create(assignment=assignment, criterion=criterion, score=7)
    WardRoleFactory(user=reviewer, role=WardRole.REVIEWER, municipality=ward(SUMIDA))
    WardRoleAssignment.objects.filter(user=reviewer, municipality=ward()).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert not _reads(reviewer, Application, pk=application.pk)
    assert not _reads(reviewer, ReviewerAssignment, pk=assignment.pk)
    assert not _reads(reviewer, Score, pk=score.pk)
    assert not _may(reviewer, CHANGE, Score, pk=score.pk)


def test_the_completion_report_is_the_companys_to_write_and_the_offices_to_inspect(world):
    application = world.subsidy_application
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.GRANTED)
    report = make_report(application, proofs=False)
    officer, owner = world.users[OFFICER], world.users[MEMBER]
    for model, lookup in (
        (CompletionReport, {"pk": report.pk}),
        (ActualExpense, {"report": report}),
    ):
        for actor in (MEMBER, STAFF, OFFICER):
            assert _reads(world.users[actor], model, **lookup), (model, actor)
        assert _may(owner, CHANGE, model, **lookup), model
        assert not _may(owner, MANAGE, model, **lookup), model
        assert _may(officer, MANAGE, model, **lookup), model
        assert not _may(officer, CHANGE, model, **lookup), model
        for actor in (REVIEWER, *OUTSIDERS):
            assert not _reads(world.users[actor], model, **lookup), (model, actor)
