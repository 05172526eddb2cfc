"""Permission matrix of the lab's doors: マイラボ for anyone signed in; ラボの運営 for the
support office only (lab staff run their ward's lab; officers see its figures and the
consortium, another ward's officer its own consortium); nobody else."""

import pytest
from django.urls import reverse

from machikoba.core.testing.factories_lab import make_lab
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    LAB_STAFF,
    LOGIN,
    OFFICER,
    OTHER_WARD_OFFICER,
    Case,
    assert_case,
    expect,
)


def _with_lab(name):
    def url(w):
        make_lab()
        return reverse(name)

    return url


MATRIX = [
    Case("lab:me", _with_lab("lab:me"), expect(200, **{ANONYMOUS: LOGIN})),
    Case(
        "lab:office",
        _with_lab("lab:office"),
        expect(403, **{ANONYMOUS: LOGIN, LAB_STAFF: 200, OFFICER: 200, OTHER_WARD_OFFICER: 200}),
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
