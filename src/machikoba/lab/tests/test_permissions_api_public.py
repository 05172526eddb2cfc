"""Permission matrix of the lab API's public catalogue: its reads answer like the pages
(``test_permissions_catalogue``), anonymous callers included: the labs, a lab, its items
(filtered by kind), an item and its photos are everyone's; a withdrawn item and its photos
are its lab's staff's, its ward's officers' and its vendor's only (anyone else: not found,
never a 401 that would say it exists); a lab that does not run is its office's only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from machikoba.core.testing.factories_lab import make_item, make_item_photo, make_lab
from machikoba.core.testing.matrix import LAB_STAFF, OFFICER, VENDOR, Case, assert_case, expect
from machikoba.lab.tests import test_permissions_catalogue as catalogue

pytestmark = pytest.mark.clock_sensitive

PUBLIC = expect(200)
WITHDRAWN = expect(404, **{LAB_STAFF: 200, OFFICER: 200, VENDOR: 200})
# A lab of 大田区 that does not run (yet): its staff and the ward's officers.
NOT_RUNNING = expect(404, **{LAB_STAFF: 200, OFFICER: 200})


def _idle_lab(w):
    lab = make_lab(name="準備中のラボ", active=False)
    make_item_photo(make_item(lab, name="準備中の機器"))
    return lab


MATRIX = [
    Case("api:lab_labs", lambda w: reverse("api:lab_labs") + "?per_page=5", PUBLIC, note="page"),
    Case(
        "api:lab_items",
        lambda w: reverse("api:lab_items", args=[catalogue._lab(w).pk]) + "?kind=software",
        PUBLIC,
        note="kind",
    ),
    Case(
        "api:lab_item_photo",
        lambda w: reverse("api:lab_item_photo", args=[catalogue._photo(w, active=False).pk]),
        WITHDRAWN,
        note="withdrawn",
    ),
    Case(
        "api:lab_lab",
        lambda w: reverse("api:lab_lab", args=[_idle_lab(w).pk]),
        NOT_RUNNING,
        note="not running",
    ),
    Case(
        "api:lab_items",
        lambda w: reverse("api:lab_items", args=[_idle_lab(w).pk]),
        NOT_RUNNING,
        note="not running",
    ),
    Case(
        "api:lab_item_photo",
        lambda w: reverse("api:lab_item_photo", args=[_idle_lab(w).items.get().photos.get().pk]),
        # An active item of a lab that does not run: not public either.
        expect(404, **{LAB_STAFF: 200, OFFICER: 200}),
        note="lab not running",
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
