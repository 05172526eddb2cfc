"""Who reads a cohort's participants and homework, straight through the access layer:
its instructors while their grant is in force, the ward's officers, the company itself;
nobody else (another cohort's instructor, another ward's officer, the metro viewer, the
company's advisor)."""

import datetime as dt

from django.utils import timezone

from machikoba.accounts.models import WardRoleAssignment
from machikoba.core.access import VIEW, forget_cached_roles
from machikoba.core.testing.factories_programs import (
    make_cohort_with_sessions,
    make_instructor,
    make_plan,
)
from machikoba.core.testing.matrix import (
    ADVISOR,
    INSTRUCTOR,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
)
from machikoba.programs.models import Application, DxPlan


def _sees(user, application) -> tuple[bool, bool]:
    forget_cached_roles(user)
    return (
        Application.objects.for_user(user, VIEW).filter(pk=application.pk).exists(),
        DxPlan.objects.for_user(user, VIEW).filter(application=application).exists(),
    )


def test_the_cohorts_people_read_its_applications_and_homework_and_nobody_else(world):
    make_plan(world.application)
    for actor in (INSTRUCTOR, OFFICER, MEMBER):
        assert _sees(world.users[actor], world.application) == (True, True), actor
    for actor in (OTHER_COMPANY, OTHER_WARD_OFFICER, METRO_VIEWER, ADVISOR):
        assert _sees(world.users[actor], world.application) == (False, False), actor
    another_cohorts_instructor = make_instructor(make_cohort_with_sessions(sessions=1))
    assert _sees(another_cohorts_instructor, world.application) == (False, False)


def test_an_instructor_whose_grant_ended_reads_nothing_of_the_cohort(world):
    make_plan(world.application)
    instructor = world.users[INSTRUCTOR]
    assert _sees(instructor, world.application) == (True, True)
    WardRoleAssignment.objects.filter(user=instructor).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert _sees(instructor, world.application) == (False, False)
