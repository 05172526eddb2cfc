"""Who reads what of the DX subsidy, straight through the access layer (every page and API
starts there): the applicant's owner and staff, the ward's officers, the assigned reviewer
after declaring no conflict (and only while their grant is in force), the advisor who filed
it; nobody else: not another company, not another ward's officer, not the metro viewer, not
a floor worker, not an unassigned reviewer, not an anonymous visitor. Scores: their reviewer
and the office only."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from machikoba.accounts.models import WardRoleAssignment
from machikoba.core.access import CHANGE, MANAGE, VIEW, forget_cached_roles
from machikoba.core.testing.factories import SUMIDA, ward
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_paper_call,
    make_reviewer,
)
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
    Call,
    ExpenseLine,
    Payment,
    ReviewerAssignment,
    RubricCriterion,
    Score,
    Selection,
    ValueAddedReport,
)

OUTSIDERS = (OTHER_COMPANY, OTHER_WARD_OFFICER, METRO_VIEWER, FLOOR_WORKER, ADVISOR, INSTRUCTOR)


def _reads(user, model, **lookup) -> bool:
    if user is not None:
        forget_cached_roles(user)
    return model.objects.for_user(user or AnonymousUser(), VIEW).filter(**lookup).exists()


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


def test_after_the_selection_only_the_company_and_the_office_read_and_change(world):
    application = world.subsidy_application
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.PAID,
        requested_amount=300_000,
        decided_amount=300_000,
        confirmed_amount=300_000,
    )
    Payment.objects.create(application=application, amount=300_000, paid_on=timezone.localdate())
    report = ValueAddedReport.objects.create(
        company=application.company,
        municipality=application.stage.call.municipality,
        kind=ValueAddedKind.BUSINESS_REPORT,
        application=application,
        year_index=1,
        fiscal_year=application.stage.call.fiscal_year,
        due_on=timezone.localdate() + dt.timedelta(days=90),
    )
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
