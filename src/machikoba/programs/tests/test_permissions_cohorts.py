"""Permission matrix of the participant's side of the programmes.

The world: the company's owner (MEMBER) holds an accepted seat in a 大田区 dojo cohort
taught by the INSTRUCTOR, whose second session is running now. Members of 大田区
companies read the cohort and apply for their own company; the application is its
company's (owner, staff), its ward's officers' and its instructors'; only the
participant checks in; the session screen (QR code, roll) is the instructors' and the
officers'. Nobody else anything: another ward's officer, the metro viewer, an advisor
and a platform admin get 404.
"""

import pytest
from django.urls import reverse

from machikoba.core.testing.factories_programs import ApplicationFactory, CohortFactory
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    BANK,
    DONE,
    FLOOR_WORKER,
    INSTRUCTOR,
    LOGIN,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    REFUSED,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
)
from machikoba.programs.models import Application, Attendance, Session

SIGNED_IN = expect(200, **{ANONYMOUS: LOGIN})
NOT_FOUND = expect(404, **{ANONYMOUS: LOGIN})
# Who reads a 大田区 cohort: the people of 大田区 companies, its officers, its instructor.
COHORT_READERS = expect(
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
        INSTRUCTOR: 200,
    },
)
APPLICATION_READERS = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 200, INSTRUCTOR: 200}
)
# The session screen: the instructors and officers run it; the company that attends
# sees the session exists (403); everyone else 404.
SESSION_STAFF = {MEMBER: 403, STAFF: 403}


def _session(w):
    """The cohort's second session, running now."""
    return Session.objects.get(cohort=w.application.cohort, number=2)


def _fresh_cohort(w):
    w.fresh_cohort = CohortFactory()
    return reverse("programs:apply", args=[w.fresh_cohort.pk])


def _applications_of(cohort_of):
    return lambda w: Application.objects.filter(cohort=cohort_of(w)).count()


def _status(w):
    return Application.objects.get(pk=w.application.pk).status


def _attendance(w):
    return list(Attendance.objects.filter(session=_session(w)).values_list("status", flat=True))


def _code(w):
    return Session.objects.get(pk=_session(w).pk).checkin_code


def _checkin_url(w):
    return reverse("programs:checkin", args=[_session(w).checkin_code])


def _foreign_application(w):
    """An accepted seat of another 大田区 cohort: the officer may manage it, but it is
    not this session's."""
    return ApplicationFactory(cohort=CohortFactory()).pk


MATRIX = [
    Case("programs:list", lambda w: reverse("programs:list"), SIGNED_IN),
    Case("programs:mine", lambda w: reverse("programs:mine"), SIGNED_IN),
    Case(
        "programs:cohort",
        lambda w: reverse("programs:cohort", args=[w.application.cohort_id]),
        COHORT_READERS,
    ),
    Case(
        "programs:cohort",
        lambda w: reverse("programs:cohort", args=[987_654]),
        NOT_FOUND,
        note="unknown id",
    ),
    Case(
        "programs:apply",
        _fresh_cohort,
        # People without a company (officers, instructors, admins …) have none to apply for.
        expect(
            403,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: DONE,
                OTHER_COMPANY: DONE,
                VENDOR: DONE,
                BANK: DONE,
                STAFF: REFUSED,  # the dojo is the owner's
                FLOOR_WORKER: REFUSED,
            },
        ),
        method="POST",
        data=lambda w: {"motivation": "見積を早くしたい"},
        effect=_applications_of(lambda w: w.fresh_cohort),
    ),
    Case(
        "programs:apply",
        lambda w: reverse("programs:apply", args=[w.application.cohort_id]),
        expect(
            403,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: REFUSED,  # already holds a seat
                OTHER_COMPANY: DONE,
                VENDOR: DONE,
                BANK: DONE,
                STAFF: REFUSED,
                FLOOR_WORKER: REFUSED,
            },
        ),
        method="POST",
        data=lambda w: {"motivation": ""},
        effect=_applications_of(lambda w: w.application.cohort),
        note="applying twice",
    ),
    Case(
        "programs:application",
        lambda w: reverse("programs:application", args=[w.application.pk]),
        APPLICATION_READERS,
    ),
    Case(
        "programs:withdraw",
        lambda w: reverse("programs:withdraw", args=[w.application.pk]),
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: DONE,
                STAFF: DONE,
                OFFICER: REFUSED,  # the office declines instead
                INSTRUCTOR: 403,
            },
        ),
        method="POST",
        effect=_status,
    ),
    Case(
        "programs:decline",
        lambda w: reverse("programs:decline", args=[w.application.pk]),
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                MEMBER: 403,
                STAFF: 403,
                OFFICER: DONE,
                INSTRUCTOR: REFUSED,  # teaches, does not decide seats
            },
        ),
        method="POST",
        data=lambda w: {"reason": "対象の業種ではないため"},
        effect=_status,
    ),
    Case(
        "programs:decline",
        lambda w: reverse("programs:decline", args=[w.application.pk]),
        expect(
            404,
            **{ANONYMOUS: LOGIN, MEMBER: 403, STAFF: 403, OFFICER: REFUSED, INSTRUCTOR: REFUSED},
        ),
        method="POST",
        data=lambda w: {"reason": ""},
        effect=_status,
        note="no reason",
    ),
    Case(
        "programs:checkin",
        _checkin_url,
        expect(403, **{ANONYMOUS: LOGIN, MEMBER: 200}),
    ),
    Case(
        "programs:checkin",
        _checkin_url,
        expect(REFUSED, **{ANONYMOUS: LOGIN, MEMBER: DONE}),
        method="POST",
        effect=_attendance,
    ),
    Case(
        "programs:checkin",
        lambda w: reverse("programs:checkin", args=["not-a-code"]),
        NOT_FOUND,
        note="unknown code",
    ),
    Case(
        "programs:session",
        lambda w: reverse("programs:session", args=[_session(w).pk]),
        expect(404, **{ANONYMOUS: LOGIN, OFFICER: 200, INSTRUCTOR: 200, **SESSION_STAFF}),
    ),
    Case(
        "programs:roll_call",
        lambda w: reverse("programs:roll_call", args=[_session(w).pk]),
        expect(404, **{ANONYMOUS: LOGIN, OFFICER: DONE, INSTRUCTOR: DONE, **SESSION_STAFF}),
        method="POST",
        data=lambda w: {"application": str(w.application.pk), "status": "late", "note": ""},
        effect=_attendance,
    ),
    Case(
        "programs:roll_call",
        lambda w: reverse("programs:roll_call", args=[_session(w).pk]),
        # The officer manages the other cohort's seat, so it is refused by the rule;
        # the instructor does not see it at all.
        expect(404, **{ANONYMOUS: LOGIN, OFFICER: REFUSED, **SESSION_STAFF}),
        method="POST",
        data=lambda w: {"application": str(_foreign_application(w)), "status": "present"},
        effect=lambda w: Attendance.objects.count(),
        note="another cohort's participant",
    ),
    Case(
        "programs:rotate_code",
        lambda w: reverse("programs:rotate_code", args=[_session(w).pk]),
        expect(404, **{ANONYMOUS: LOGIN, OFFICER: DONE, INSTRUCTOR: DONE, **SESSION_STAFF}),
        method="POST",
        effect=_code,
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
