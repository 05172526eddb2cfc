"""Permission matrix for the ward's companies: an officer works on the companies of the
wards it serves; another ward's officer finds none of them ("not found"), the metro viewer
and company people have no such page."""

import pytest
from django.urls import reverse

from machikoba.companies.models import Company
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LOGIN,
    OFFICER,
    OTHER_WARD_OFFICER,
    Case,
    assert_case,
    expect,
)


def _ward_of_company(w):
    return list(Company.objects.filter(pk=w.company.pk).values_list("ward_id", "ward_confirmed_at"))


MATRIX = [
    Case(
        "companies:ward_companies",
        lambda w: reverse("companies:ward_companies"),
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200}),
    ),
    Case(
        "companies:company_ward",
        lambda w: reverse("companies:company_ward", args=[w.company.pk]),
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 404}),
    ),
    Case(
        "companies:company_ward",
        lambda w: reverse("companies:company_ward", args=[w.company.pk]),
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: DONE, OTHER_WARD_OFFICER: 404}),
        method="POST",
        data=lambda w: {"ward": str(w.company.ward_id), "note": "現地で確認"},
        effect=_ward_of_company,
        note="confirm",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
