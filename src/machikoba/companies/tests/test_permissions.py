"""Permission matrix for /api/companies."""

import pytest
from django.urls import reverse

from machikoba.core.testing.matrix import ANONYMOUS, Case, assert_case, expect

MATRIX = [
    Case(
        "api:company_detail",
        lambda w: reverse("api:company_detail", kwargs={"company_id": w.company.pk}),
        # Profiles are the network's shop window: every signed-in user reads them.
        expect(200, **{ANONYMOUS: 401}),
    ),
    Case(
        "api:company_detail",
        lambda w: reverse("api:company_detail", kwargs={"company_id": 999_999}),
        expect(404, **{ANONYMOUS: 401}),
        note="unknown id",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
