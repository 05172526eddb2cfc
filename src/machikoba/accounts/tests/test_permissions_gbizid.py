"""Permission matrix for the GビズID pages (allauth.socialaccount and its OpenID Connect
URLs). The matrix runs with GビズID not configured, as a fresh install is: its sign-in
URLs are a 404 for everyone. The configured flow is tested in test_gbizid.py."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from machikoba.accounts.gbizid import GBIZID_PROVIDER_ID
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LOGIN,
    MEMBER,
    REDIRECT,
    Case,
    assert_case,
    expect,
)

MATRIX_UID = "matrix-gbiz-0001"


def _member_with_gbizid(w):
    """The member's connected GビズID (made inside each actor's savepoint)."""
    SocialAccount.objects.get_or_create(
        user=w.users[MEMBER], provider=GBIZID_PROVIDER_ID, uid=MATRIX_UID
    )
    return reverse("socialaccount_connections")


def _member_gbizid_pk(w):
    return {"account": SocialAccount.objects.get(uid=MATRIX_UID).pk}


def _member_gbizid_exists(w):
    return SocialAccount.objects.filter(uid=MATRIX_UID).exists()


MATRIX = [
    *[
        Case(
            route,
            lambda w, route=route: reverse(route, kwargs={"provider_id": GBIZID_PROVIDER_ID}),
            expect(404),
            method=method,
            note="(GビズID not configured)",
        )
        for route in ("openid_connect_login", "openid_connect_callback")
        for method in ("GET", "POST")
    ],
    Case(
        "socialaccount_connections",
        lambda w: reverse("socialaccount_connections"),
        # Each person sees only their own connections.
        expect(200, **{ANONYMOUS: LOGIN}),
    ),
    Case(
        "socialaccount_connections",
        _member_with_gbizid,
        # Only its owner can disconnect a GビズID: to anyone else the account is not among
        # the choices (the form answers again, 200, and nothing changes).
        expect(200, **{ANONYMOUS: LOGIN, MEMBER: DONE}),
        method="POST",
        data=_member_gbizid_pk,
        effect=_member_gbizid_exists,
        note="(disconnect the member's GビズID)",
    ),
    Case(
        "socialaccount_login_cancelled",
        lambda w: reverse("socialaccount_login_cancelled"),
        expect(200),
        note="(says the sign-in at GビズID was cancelled)",
    ),
    Case(
        "socialaccount_login_error",
        lambda w: reverse("socialaccount_login_error"),
        expect(401),
        note="(says the answer of GビズID was refused)",
    ),
    Case(
        "socialaccount_signup",
        lambda w: reverse("socialaccount_signup"),
        # A GビズID never creates an account: with no pending sign-in there is nothing here.
        expect(LOGIN),
    ),
    # allauth's former addresses, permanent redirects to the ones above.
    *[
        Case(
            f"<unnamed social/{path}>",
            lambda w, path=path: f"/accounts/social/{path}",
            expect(REDIRECT),
        )
        for path in ("connections/", "login/cancelled/", "login/error/", "signup/")
    ],
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
