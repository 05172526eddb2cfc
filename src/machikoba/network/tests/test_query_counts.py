"""The job page and the my-work page cost a fixed number of queries, however long the
route or the work list (no query per step, RFQ or order)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.network import services
from machikoba.network.tests.factories import deadline, make_job, process
from machikoba.network.tests.test_permissions import _order


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _count(client, url) -> int:
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _grow(world, job, extra_steps: int):
    owner = world.users[MEMBER]
    for _ in range(extra_steps):
        services.step_add(actor=owner, job=job, process=process("grinding.surface"))
    steps = list(job.steps.filter(status="planned", in_house=False))
    services.rfq_send(
        actor=owner, job=job, steps=steps[:2], recipients=[world.other_company], deadline=deadline()
    )


def test_the_job_page_does_not_grow_with_the_route(world):
    order = _order(world)
    client = world.client_for(MEMBER)
    url = reverse("network:job_detail", args=[order.job_id])
    small = _count(client, url)
    _grow(world, order.job, extra_steps=6)
    assert _count(client, url) == small
    # session, user, ward roles, memberships, active company, job, steps, route ids,
    # RFQs (+ their steps), orders (+ the steps of those awaiting acceptance), claims,
    # history, documents, unread notices … fixed whatever the route's length.
    assert small == 17


def test_the_my_work_page_does_not_grow_with_the_work(world):
    _order(world)
    partner = world.client_for(OTHER_COMPANY)
    url = reverse("network:my_work")
    small = _count(partner, url)
    for _ in range(3):
        job = make_job(world.users[MEMBER], world.company)
        services.rfq_send(
            actor=world.users[MEMBER],
            job=job,
            steps=[job.steps.get(position=2)],
            recipients=[world.other_company],
            deadline=deadline(),
        )
    assert _count(partner, url) == small
    # + the board's and the team's work and the unread messages (web.todo.work_sections).
    assert small == 16
