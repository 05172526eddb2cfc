"""Permission matrix of the ネットワーク計画 (issue 7, point 8): a plan is private to the
job's owning company. Its members read it, its owners and staff send it; a partner of the
job (who sees the job itself) is refused; everybody else gets "not found"."""

import pytest
from django.urls import reverse

from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    FLOOR_WORKER,
    INSTRUCTOR,
    LOGIN,
    MEMBER,
    OTHER_COMPANY,
    REFUSED,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.network.tests.factories import deadline, make_job
from machikoba.network.tests.test_permissions import _order

READS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})
# Nothing to send in these plans (no rows): the owner's editors get the refusal flashed.
SENDS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: REFUSED, STAFF: REFUSED, FLOOR_WORKER: 403})


def _job_url(name):
    return lambda w: reverse(f"network:{name}", args=[make_job(w.users[MEMBER], w.company).pk])


def _partner_job_url(name):
    """A job where the other company performs a step (it was awarded the order)."""
    return lambda w: reverse(f"network:{name}", args=[_order(w).job_id])


def _send_data(w):
    return {"deadline": f"{deadline():%Y-%m-%dT%H:%M}", "row": []}


MATRIX = [
    Case("network:job_plan", _job_url("job_plan"), READS),
    Case(
        "network:job_plan",
        _partner_job_url("job_plan"),
        {**READS, OTHER_COMPANY: 403},
        note="partner",
    ),
    # Nothing to send here (no rows): the owner's editors are sent back with a message.
    Case("network:job_plan_send", _job_url("job_plan_send"), SENDS, "POST", _send_data),
    Case(
        "network:job_plan_send",
        _partner_job_url("job_plan_send"),
        {**SENDS, OTHER_COMPANY: 403},
        "POST",
        _send_data,
        note="partner",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert_case(case, world)


def test_nobody_but_the_owner_sees_a_plans_content(world):
    """The pages above answer 200 for the owner's people only; a partner's refusal does
    not leak the candidates or prices (the page is never rendered for it)."""
    job_id = _order(world).job_id
    url = reverse("network:job_plan", args=[job_id])
    for actor in (OTHER_COMPANY, "officer", ADVISOR, INSTRUCTOR, REVIEWER, "admin"):
        response = world.client_for(actor).get(url)
        assert response.status_code in (403, 404), actor
        assert "ネットワーク計画" not in response.content.decode(), actor
