"""Permission matrix of the lab's statistics and their export: the lab staff of 大田区 and
大田区's officer read them; everyone else signed in finds no such page (404: the lab is
public, its figures are not), the metro viewer, another ward's officer, the companies,
the vendor, the bank and the platform admin included; anonymous visitors are sent to
sign in. The figures reached are pinned beside the status: a refused actor's request
never returns the lab's counts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.factories_lab import make_lab
from machikoba.core.testing.matrix import (
    ACTORS,
    ANONYMOUS,
    LAB_STAFF,
    LOGIN,
    OFFICER,
    Case,
    assert_case,
    expect,
)
from machikoba.lab.models import Lab

pytestmark = pytest.mark.django_db

LAB_NAME = "大田区 町工場DXラボ (統計の権限)"
OFFICE = expect(404, **{ANONYMOUS: LOGIN, LAB_STAFF: 200, OFFICER: 200})


def _lab(w) -> Lab:
    return Lab.objects.filter(name=LAB_NAME).first() or make_lab(name=LAB_NAME)


MATRIX = [
    Case("lab:stats", lambda w: reverse("lab:stats", args=[_lab(w).pk]), OFFICE),
    Case(
        "lab:stats",
        lambda w: reverse("lab:stats", args=[_lab(w).pk]) + "?year=1999",
        OFFICE,
        note="bad year",
    ),
    Case(
        "lab:stats_export",
        lambda w: reverse("lab:stats_export", args=[_lab(w).pk, "csv"]),
        OFFICE,
        note="csv",
    ),
    Case(
        "lab:stats_export",
        lambda w: reverse("lab:stats_export", args=[_lab(w).pk, "xlsx"]),
        OFFICE,
        note="xlsx",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_only_the_office_gets_the_counts(world):
    """The page's figures for each actor: the lab's count for the office, nothing at all
    (no page object) for anyone else."""
    lab = _lab(world)
    url = reverse("lab:stats", args=[lab.pk])
    current = fiscal_year(timezone.localdate())
    for actor in ACTORS:
        response = world.client_for(actor).get(url)
        context = response.context or {}
        if actor in (LAB_STAFF, OFFICER):
            stats = context["stats"]
            assert (stats.lab, stats.fiscal_year) == (lab, current), actor
        else:
            assert "stats" not in context, actor
            assert response.status_code in (302, 404), actor


def test_another_wards_lab_is_not_found_for_this_wards_staff(world):
    sumida_lab = make_lab("131075", name="墨田区 町工場DXラボ")
    for actor in (LAB_STAFF, OFFICER):
        response = world.client_for(actor).get(reverse("lab:stats", args=[sumida_lab.pk]))
        assert response.status_code == 404, actor
