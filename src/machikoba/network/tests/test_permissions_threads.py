"""Permission matrix for the way from a job to its thread with one partner: the owner's
people name a partner, a partner's people name the owner; anyone else gets "not found"."""

import pytest
from django.urls import reverse

from machikoba.core.testing.factories import CompanyFactory
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    FLOOR_WORKER,
    LOGIN,
    MEMBER,
    OTHER_COMPANY,
    REDIRECT,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.network.models import Step
from machikoba.network.tests.factories import make_job

OWN_OPENS = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: REDIRECT, STAFF: REDIRECT, FLOOR_WORKER: REDIRECT}
)
PARTNER_OPENS = expect(404, **{ANONYMOUS: LOGIN, OTHER_COMPANY: REDIRECT})


def _job(w, performer):
    job = make_job(w.users[MEMBER], w.company)
    Step.objects.filter(job=job, position=2).update(performer=performer)
    return job


def _owner_side(w):
    partner = CompanyFactory()
    return reverse("network:job_thread", args=[_job(w, partner).pk, partner.pk])


def _owner_names_a_stranger(w):
    job = _job(w, CompanyFactory())
    return reverse("network:job_thread", args=[job.pk, CompanyFactory().pk])


def _partner_side(w):
    return reverse("network:job_thread", args=[_job(w, w.other_company).pk, w.company.pk])


MATRIX = [
    Case("network:job_thread", _owner_side, OWN_OPENS, note="owner side"),
    Case("network:job_thread", _partner_side, PARTNER_OPENS, note="partner side"),
    Case(
        "network:job_thread",
        _owner_names_a_stranger,
        expect(404, **{ANONYMOUS: LOGIN}),
        note="not a party",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert_case(case, world)
