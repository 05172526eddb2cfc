"""Permission matrix for the API tokens pages: everyone signed in manages their own
tokens; a token is revoked only by its maker or an owner of the company it acts for."""

import pytest
from django.urls import reverse

from machikoba.apitokens.models import ApiToken
from machikoba.apitokens.services import token_create
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LOGIN,
    MEMBER,
    STAFF,
    Case,
    assert_case,
    expect,
)


def _staff_token(world):
    token, _ = token_create(
        actor=world.users[STAFF],
        name="連携",
        scopes=["network:read"],
        lifetime_days=5,
        company=world.company,
    )
    return token


def _revoked(world):
    return list(ApiToken.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True))


MATRIX = [
    Case(
        "apitokens:tokens", lambda w: reverse("apitokens:tokens"), expect(200, **{ANONYMOUS: LOGIN})
    ),
    Case(
        "apitokens:revoke",
        lambda w: reverse("apitokens:revoke", args=[_staff_token(w).pk]),
        # Its maker (staff) and the company's owner; nobody else even finds it.
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE}),
        method="POST",
        effect=_revoked,
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
