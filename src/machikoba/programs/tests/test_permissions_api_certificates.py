"""Permission matrix of the programs API's operations that close the gap with the pages:
checking a certificate by its printed number, the office's reports as downloads, what a
session's check-in code shows the caller and the instructors an officer may choose.

- Checking a certificate is public like its page (``/verify/certificates/<code>/``):
  everyone, anonymous included, gets what the certificate states; an unknown number is
  not found for anyone.
- The reports' downloads are the officers' as on the pages (``?format=csv``): not an
  officer 403, another ward's cohort 404, anonymous 401.
- The check-in page: the participant (the company's owner attends) gets it; anyone else
  signed in is refused (403), as the page; an unknown code is not found.
- The instructor choices of a cohort: its ward's officers; another ward's officer 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from machikoba.core.testing.factories_programs import make_graduate
from machikoba.core.testing.matrix import ANONYMOUS, MEMBER, Case, assert_case, expect
from machikoba.programs.models import Graduation
from machikoba.programs.tests.test_permissions_api import (
    OFFICE_LIST,
    OFFICE_ROW,
    _cohort,
    _url,
)
from machikoba.programs.tests.test_permissions_cohorts import _session

pytestmark = pytest.mark.clock_sensitive

# A code as graduation_run prints it (four groups of four hexadecimal digits).
CODE = "C0DE-1234-ABCD-5678"
EVERYONE = expect(200)
NOBODY = expect(404)


def certified(w) -> Graduation:
    """The owner's graduation, with a certificate number as printed."""
    graduation = make_graduate(w.application)
    Graduation.objects.filter(pk=graduation.pk).update(certificate_code=CODE)
    return graduation


def _certificate_url(code: str, *, make: bool = True):
    def build(w) -> str:
        if make:
            certified(w)
        return reverse("api:programs_certificate_verify", args=[code])

    return build


def _checkin_url(code=None):
    def build(w) -> str:
        return reverse("api:programs_checkin_page") + f"?code={code or _session(w).checkin_code}"

    return build


MATRIX = [
    Case("api:programs_certificate_verify", _certificate_url(CODE), EVERYONE),
    Case(
        "api:programs_certificate_verify",
        _certificate_url("c0de 1234 abcd 5678"),
        EVERYONE,
        note="as typed",
    ),
    Case(
        "api:programs_certificate_verify",
        _certificate_url("0000-0000-0000-0000"),
        NOBODY,
        note="unknown",
    ),
    Case("api:programs_funnel_export", _url("programs_funnel_export"), OFFICE_LIST),
    Case(
        "api:programs_funnel_export",
        _url("programs_funnel_export", query="?format=xlsx&year=2024"),
        OFFICE_LIST,
        note="xlsx",
    ),
    Case(
        "api:programs_attendance_grid_export",
        _url("programs_attendance_grid_export", _cohort),
        OFFICE_ROW,
    ),
    Case(
        "api:programs_overdue_export",
        _url("programs_overdue_export", query="?format=xlsx"),
        OFFICE_LIST,
    ),
    Case(
        "api:programs_checkin_page",
        _checkin_url(),
        expect(403, **{ANONYMOUS: 401, MEMBER: 200}),
    ),
    Case(
        "api:programs_checkin_page",
        _checkin_url("not-a-code"),
        expect(404, **{ANONYMOUS: 401}),
        note="unknown code",
    ),
    Case(
        "api:programs_instructor_candidates",
        _url("programs_instructor_candidates", _cohort),
        OFFICE_ROW,
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
