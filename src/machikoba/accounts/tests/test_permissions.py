"""Permission matrix for account pages that need a signed-in user, and /api/accounts."""

import pytest
from django.urls import reverse

from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    INSTRUCTOR,
    LOGIN,
    METRO_VIEWER,
    OTHER_WARD_OFFICER,
    Case,
    assert_case,
    expect,
)

# allauth's own pages for a signed-in person: each person manages only themself.
SELF_SERVICE = [
    "account_email",
    "account_change_password",
    "mfa_index",
]

MATRIX = [
    *[
        Case(name, lambda w, name=name: reverse(name), expect(200, **{ANONYMOUS: LOGIN}))
        for name in SELF_SERVICE
    ],
    Case(
        "mfa_view_recovery_codes",
        lambda w: reverse("mfa_view_recovery_codes"),
        expect(404, **{ANONYMOUS: LOGIN}),
        note="(none generated yet)",
    ),
    Case(
        "account_logout",
        lambda w: reverse("account_logout"),
        # Signing out always lands on the sign-in page.
        expect(LOGIN),
        method="POST",
    ),
    Case(
        "account_reauthenticate",
        lambda w: reverse("account_reauthenticate"),
        expect(200, **{ANONYMOUS: LOGIN}),
    ),
    Case(
        "account_set_password",
        lambda w: reverse("account_set_password"),
        # Everyone here already has a password, so allauth sends them to "change".
        expect("redirect", **{ANONYMOUS: LOGIN}),
    ),
    Case(
        "mfa_activate_totp",
        lambda w: reverse("mfa_activate_totp"),
        # Changing a second factor needs a fresh password entry (allauth's reauthenticate)
        # and people who already use TOTP go back to the overview: a redirect for all.
        expect("redirect", **{ANONYMOUS: LOGIN}),
    ),
    Case(
        "mfa_deactivate_totp",
        lambda w: reverse("mfa_deactivate_totp"),
        # Only those with TOTP can deactivate it, after reauthenticating: officers of any
        # ward and admins (who must use it); a metro viewer, an advisor or an instructor
        # need not, and has none here.
        expect(
            404,
            **{
                ANONYMOUS: LOGIN,
                "officer": "redirect",
                OTHER_WARD_OFFICER: "redirect",
                METRO_VIEWER: 404,
                ADVISOR: 404,
                INSTRUCTOR: 404,
                "admin": "redirect",
            },
        ),
    ),
    Case(
        "mfa_reauthenticate",
        lambda w: reverse("mfa_reauthenticate"),
        # Asking for a code makes sense only to those who have an authenticator (not the
        # metro viewer, advisor or instructor here: TOTP is required of officers and admins
        # only).
        expect(
            "redirect",
            **{
                ANONYMOUS: LOGIN,
                "officer": 200,
                OTHER_WARD_OFFICER: 200,
                METRO_VIEWER: "redirect",
                ADVISOR: "redirect",
                INSTRUCTOR: "redirect",
                "admin": 200,
            },
        ),
    ),
    Case(
        "mfa_generate_recovery_codes",
        lambda w: reverse("mfa_generate_recovery_codes"),
        expect("redirect", **{ANONYMOUS: LOGIN}),
    ),
    Case(
        "mfa_download_recovery_codes",
        lambda w: reverse("mfa_download_recovery_codes"),
        expect(404, **{ANONYMOUS: LOGIN}),
        note="(none generated yet)",
    ),
    Case(
        "api:me",
        lambda w: reverse("api:me"),
        expect(200, **{ANONYMOUS: 401}),
    ),
    Case(
        "api:api-root",
        lambda w: reverse("api:api-root"),
        expect(404),
        note="(the root lists nothing)",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
