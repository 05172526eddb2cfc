"""The office's reports from hand-built data: the funnel's definition step by step, the
attendance grid, what is overdue, and another ward's rows never counted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.factories import SUMIDA, UserFactory, WardRoleFactory, ward
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    CohortFactory,
    ProgramFactory,
    make_cohort_with_sessions,
    make_graduate,
    record_attendance,
)
from machikoba.programs.choices import ApplicationStatus
from machikoba.programs.selectors import office

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def officer():
    return WardRoleFactory(role=WardRole.OFFICER).user


@pytest.fixture
def sumida_officer():
    return WardRoleFactory(role=WardRole.OFFICER, municipality=ward(SUMIDA)).user


def _counts(row):
    return {step.key: step.count for step in row.steps}


def _percents(row):
    return {step.key: step.percent for step in row.steps}


def _funnel_world(*, program=None, year=None):
    """5 applied, 4 accepted (one of them withdrew after the first session), 3 attended,
    2 graduated, 1 invested within a year and 1 a year too late."""
    year = year if year is not None else fiscal_year(timezone.localdate())
    cohort = make_cohort_with_sessions(
        sessions=2, program=program or ProgramFactory(), fiscal_year=year
    )
    first, second = cohort.sessions.order_by("number")
    in_time, too_late, withdrew, absent = ApplicationFactory.create_batch(4, cohort=cohort)
    record_attendance(in_time, first, "present")
    record_attendance(too_late, first, "late")
    record_attendance(withdrew, first, "present")
    record_attendance(absent, first, "excused")  # excused: not attended
    record_attendance(absent, second, "absent")
    withdrew.status = ApplicationStatus.WITHDRAWN
    withdrew.save()
    # Waitlisted, then withdrawn: applied, never accepted.
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.WITHDRAWN)
    now = timezone.now()
    graduated = make_graduate(in_time, graduated_days_ago=500)
    make_graduate(
        too_late,
        graduated_days_ago=500,
        follow_up={
            "answered_at": now,
            "invested": True,
            "invested_on": graduated.graduated_on + dt.timedelta(days=366),
        },
    )
    graduated.follow_up.answered_at = now
    graduated.follow_up.invested = True
    graduated.follow_up.invested_on = graduated.graduated_on + dt.timedelta(days=365)
    graduated.follow_up.save()
    return cohort


def test_the_funnel_counts_each_step_by_its_definition(officer):
    cohort = _funnel_world()
    result = office.funnel(user=officer)
    assert result.fiscal_year == fiscal_year(timezone.localdate())
    (row,) = result.rows
    assert row.program == cohort.program
    assert _counts(row) == {
        "applied": 5,
        "accepted": 4,
        "attended": 3,
        "graduated": 2,
        "invested": 1,
    }
    assert _percents(row) == {
        "applied": None,
        "accepted": 80,
        "attended": 75,
        "graduated": 67,
        "invested": 50,
    }
    assert _counts(result.total) == _counts(row)


def test_declined_waitlisted_and_unanswered_count_only_as_applied(officer):
    cohort = CohortFactory()
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.DECLINED)
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.WAITLISTED, decided_at=None)
    graduate = ApplicationFactory(cohort=cohort)
    make_graduate(graduate)  # follow-up not answered yet
    no = ApplicationFactory(cohort=cohort)
    make_graduate(no, follow_up={"answered_at": timezone.now(), "invested": False})
    (row,) = office.funnel(user=officer).rows
    assert _counts(row) == {
        "applied": 4,
        "accepted": 2,
        "attended": 0,
        "graduated": 2,
        "invested": 0,
    }
    # After a step of zero there is no percentage to show.
    assert _percents(row)["graduated"] is None


def test_the_funnel_is_per_fiscal_year_and_per_ward(officer, sumida_officer):
    this_year = fiscal_year(timezone.localdate())
    _funnel_world(year=this_year - 1)
    sumida = ProgramFactory(municipality=ward(SUMIDA), name="墨田区 DX道場")
    _funnel_world(program=sumida)
    ours = ProgramFactory(name="大田区 DX道場")
    CohortFactory(program=ours)
    current = office.funnel(user=officer)
    # Every programme of the ward has a row; only this year's cohorts count.
    assert ours in [r.program for r in current.rows]
    assert sumida not in [r.program for r in current.rows]
    assert _counts(current.total)["applied"] == 0
    assert this_year - 1 in current.years
    last = office.funnel(user=officer, fiscal_year=this_year - 1)
    assert _counts(last.total)["applied"] == 5
    # 墨田区's officer counts only 墨田区's programme, never 大田区's.
    theirs = office.funnel(user=sumida_officer)
    assert [r.program for r in theirs.rows] == [sumida]
    assert _counts(theirs.total)["applied"] == 5
    assert office.funnel(user=sumida_officer, fiscal_year=this_year - 1).total.steps[0].count == 0


def test_a_joint_programme_counts_for_both_wards(officer, sumida_officer):
    program = ProgramFactory()
    program.partner_wards.add(ward(SUMIDA))
    _funnel_world(program=program)
    assert _counts(office.funnel(user=sumida_officer).total)["applied"] == 5
    assert _counts(office.funnel(user=officer).total)["applied"] == 5


def test_nobody_but_an_officer_gets_a_funnel_row():
    _funnel_world()
    for user in (UserFactory(), WardRoleFactory(role=WardRole.METRO_VIEWER).user):
        result = office.funnel(user=user)
        assert result.rows == []
        assert _counts(result.total)["applied"] == 0


def test_the_attendance_grid_marks_each_cell_and_the_threshold(officer):
    program = ProgramFactory(min_sessions_attended=2)
    cohort = make_cohort_with_sessions(sessions=3, program=program)
    s1, s2, s3 = cohort.sessions.order_by("number")
    steady = ApplicationFactory(cohort=cohort, participant=UserFactory(name="安定 一郎"))
    record_attendance(steady, s1, "present")
    record_attendance(steady, s2, "late")
    record_attendance(steady, s3, "absent")
    patchy = ApplicationFactory(cohort=cohort, participant=UserFactory(name="途中 二郎"))
    record_attendance(patchy, s1, "excused")
    record_attendance(patchy, s3, "present")
    left = ApplicationFactory(cohort=cohort, status=ApplicationStatus.WITHDRAWN)
    record_attendance(left, s1, "present")
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.WITHDRAWN)  # never came
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.WAITLISTED, decided_at=None)
    grid = office.attendance_grid(user=officer, cohort=cohort)
    assert [s.number for s in grid.sessions] == [1, 2, 3]
    assert grid.threshold == 2
    rows = {r.application.pk: r for r in grid.rows}
    assert set(rows) == {steady.pk, patchy.pk, left.pk}
    assert [c.mark for c in rows[steady.pk].cells] == ["出", "遅", "欠"]
    assert [c.mark for c in rows[patchy.pk].cells] == ["欠(届)", "—", "出"]
    assert (rows[steady.pk].attended, rows[steady.pk].meets_threshold) == (2, True)
    assert (rows[patchy.pk].attended, rows[patchy.pk].meets_threshold) == (1, False)
    assert [c.label for c in rows[patchy.pk].cells] == ["欠席 (届出あり)", "記録なし", "出席"]
    header, lines = office.attendance_grid_table(grid)
    assert header[-2:] == ["出席回数", "修了の出席要件"]
    assert len(lines) == 3


def test_overdue_lists_late_follow_ups_and_incomplete_rolls_of_the_ward_only(
    officer, sumida_officer
):
    today = timezone.localdate()
    cohort = make_cohort_with_sessions(sessions=3, first_in_days=-14)  # 2 ended, 1 ahead
    s1, s2, _s3 = cohort.sessions.order_by("number")
    one, two = ApplicationFactory.create_batch(2, cohort=cohort)
    for application in (one, two):
        record_attendance(application, s1)
    record_attendance(one, s2)
    late = make_graduate(one, graduated_days_ago=400)  # due 35 days ago
    late.follow_up.reminders_sent = 2
    late.follow_up.save()
    make_graduate(two, graduated_days_ago=100)  # due in the future
    answered = make_graduate(
        ApplicationFactory(cohort=cohort, status=ApplicationStatus.WITHDRAWN),
        graduated_days_ago=400,
        follow_up={"answered_at": timezone.now(), "invested": False},
    )
    # 墨田区: an overdue follow-up and a session without a roll, never on 大田区's list.
    sumida_cohort = make_cohort_with_sessions(
        sessions=1, program=ProgramFactory(municipality=ward(SUMIDA))
    )
    make_graduate(ApplicationFactory(cohort=sumida_cohort), graduated_days_ago=400)

    result = office.overdue(user=officer)
    assert [item.follow_up for item in result.follow_ups] == [late.follow_up]
    assert result.follow_ups[0].days_overdue == (today - late.follow_up.due_on).days > 0
    assert answered.follow_up not in [item.follow_up for item in result.follow_ups]
    assert [(m.session, m.recorded, m.participants) for m in result.sessions] == [(s2, 1, 2)]
    header, rows = office.overdue_table(result)
    assert header[0] == "種類"
    assert [r[0] for r in rows] == ["修了後のフォローアップ (未回答)", "出欠の記録漏れ"]
    assert rows[0][7] == 2

    theirs = office.overdue(user=sumida_officer)
    assert len(theirs.follow_ups) == 1
    assert theirs.follow_ups[0].follow_up.graduation.application.cohort == sumida_cohort
    assert [m.session.cohort for m in theirs.sessions] == [sumida_cohort]


def test_the_office_home_lists_the_wards_programmes_with_seats(officer, sumida_officer):
    year = fiscal_year(timezone.localdate())
    program = ProgramFactory(name="大田区 DX道場")
    cohort = CohortFactory(program=program, capacity=2, fiscal_year=year)
    CohortFactory(program=program, fiscal_year=year - 1)
    ApplicationFactory.create_batch(2, cohort=cohort)
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.WAITLISTED, decided_at=None)
    ApplicationFactory(cohort=cohort, status=ApplicationStatus.DECLINED)
    ProgramFactory(municipality=ward(SUMIDA), name="墨田区 DX道場")
    (row,) = office.office_home(user=officer)
    assert row.program == program
    assert [y.fiscal_year for y in row.years] == [year, year - 1]
    shown = row.years[0].cohorts[0]
    assert (shown.accepted_count, shown.waitlisted_count, shown.capacity) == (2, 1, 2)
    assert [r.program.name for r in office.office_home(user=sumida_officer)] == ["墨田区 DX道場"]


def test_the_cohort_page_orders_seats_then_the_waitlist_in_order(officer):
    cohort = CohortFactory(capacity=1)
    now = timezone.now()
    seated = ApplicationFactory(cohort=cohort, applied_at=now - dt.timedelta(hours=3))
    second = ApplicationFactory(
        cohort=cohort,
        status=ApplicationStatus.WAITLISTED,
        decided_at=None,
        applied_at=now - dt.timedelta(hours=1),
    )
    first = ApplicationFactory(
        cohort=cohort,
        status=ApplicationStatus.WAITLISTED,
        decided_at=None,
        applied_at=now - dt.timedelta(hours=2),
    )
    declined = ApplicationFactory(cohort=cohort, status=ApplicationStatus.DECLINED)
    page = office.cohort_office_page(user=officer, cohort=cohort)
    assert [(r.application, r.waitlist_position) for r in page.applications] == [
        (seated, None),
        (first, 1),
        (second, 2),
        (declined, None),
    ]
    assert (page.accepted, page.waitlisted) == (1, 2)


def test_instructor_candidates_hold_the_role_in_the_programmes_wards(officer):
    program = ProgramFactory()
    ours = WardRoleFactory(role=WardRole.INSTRUCTOR).user
    WardRoleFactory(role=WardRole.INSTRUCTOR, municipality=ward(SUMIDA))
    expired = WardRoleFactory(
        role=WardRole.INSTRUCTOR, valid_until=timezone.localdate() - dt.timedelta(days=1)
    ).user
    assert office.instructor_candidates(user=officer, program=program) == [ours]
    assert expired not in office.instructor_candidates(user=officer, program=program)
