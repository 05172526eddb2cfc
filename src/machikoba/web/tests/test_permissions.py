"""Permission matrix for the page frame, home pages and the Django admin."""

import pytest
from django.urls import reverse

from machikoba.core.models import Notification
from machikoba.core.testing.matrix import (
    ADMIN,
    ADVISOR,
    ANONYMOUS,
    BANK,
    DONE,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REDIRECT,
    REVIEWER,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
)


def _notice_for_member(w):
    notice = Notification.objects.create(
        user=w.users[MEMBER], kind="rfq_received", title="t", body="b", url="/jobs/"
    )
    return reverse("web:notification_open", args=[notice.pk])


MATRIX = [
    Case(
        "web:notifications",
        lambda w: reverse("web:notifications"),
        expect(200, **{ANONYMOUS: LOGIN}),
    ),
    Case(
        "web:notification_settings",
        lambda w: reverse("web:notification_settings"),
        expect(200, **{ANONYMOUS: LOGIN}),
    ),
    Case(
        "web:notification_open",
        _notice_for_member,
        # Each person's notices are their own: everybody else gets "not found".
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE}),
        method="POST",
        effect=lambda w: Notification.objects.values_list("read_at", flat=True),
    ),
    Case(
        "web:home",
        lambda w: reverse("web:home"),
        # An officer with no company is sent on to the officer home, a metro viewer to
        # the wards' figures, an advisor to their engagements, an instructor to their
        # cohorts, a reviewer to the applications to review, lab staff to the lab's office,
        # a vendor to its exhibits and a bank to its referrals; an admin with no company
        # sees the "no company yet" page.
        expect(
            200,
            **{ANONYMOUS: LOGIN, OFFICER: REDIRECT, OTHER_WARD_OFFICER: REDIRECT},
            **{METRO_VIEWER: REDIRECT, ADVISOR: REDIRECT, INSTRUCTOR: REDIRECT},
            **{REVIEWER: REDIRECT, LAB_STAFF: REDIRECT, VENDOR: REDIRECT, BANK: REDIRECT},
        ),
    ),
    Case(
        "web:help_traveler",
        lambda w: reverse("web:help_traveler"),
        # Help pages: every signed-in person reads them.
        expect(200, **{ANONYMOUS: LOGIN}),
    ),
    Case(
        "web:help_rfq",
        lambda w: reverse("web:help_rfq"),
        expect(200, **{ANONYMOUS: LOGIN}),
    ),
    Case(
        "web:audit_log",
        lambda w: reverse("web:audit_log"),
        # The active company's trail, for its owners only (each owner sees their own).
        expect(403, **{ANONYMOUS: LOGIN, MEMBER: 200, OTHER_COMPANY: 200, VENDOR: 200, BANK: 200}),
    ),
    Case(
        "web:officer_home",
        lambda w: reverse("web:officer_home"),
        # Each officer sees the figures of the wards they serve.
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200}),
    ),
    Case(
        "web:metro_home",
        lambda w: reverse("web:metro_home"),
        # Cross-ward aggregates: the metro viewer only (an officer has its ward's home).
        expect(403, **{ANONYMOUS: LOGIN, METRO_VIEWER: 200}),
    ),
    Case(
        "web:company_switch",
        lambda w: reverse("web:company_switch"),
        # Only a member of the target company may make it active.
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: DONE}),
        method="POST",
        data=lambda w: {"company": w.company.pk},
        note="to the owning company",
    ),
    Case(
        "web:company_switch",
        lambda w: reverse("web:company_switch"),
        expect(404, **{ANONYMOUS: LOGIN, OTHER_COMPANY: DONE}),
        method="POST",
        data=lambda w: {"company": w.other_company.pk},
        note="to the other company",
    ),
    Case(
        "admin:login",
        lambda w: reverse("admin:login"),
        # The admin's own password form is replaced by the platform sign-in (with TOTP);
        # signed-in people who are not admins are refused.
        # (An admin who is signed in is sent on to the admin index.)
        expect(403, **{ANONYMOUS: LOGIN, ADMIN: REDIRECT}),
    ),
    Case(
        "admin:index",
        lambda w: reverse("admin:index"),
        expect(REDIRECT, **{ADMIN: 200}),
    ),
    Case(
        "admin:companies_company_changelist",
        lambda w: reverse("admin:companies_company_changelist"),
        expect(REDIRECT, **{ADMIN: 200}),
    ),
    Case(
        "admin:core_auditevent_changelist",
        lambda w: reverse("admin:core_auditevent_changelist"),
        expect(REDIRECT, **{ADMIN: 200}),
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
