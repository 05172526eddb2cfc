"""Two presses of "plan" at the same moment (two people, or a double click) queue one
plan; the other gets the clear refusal. PostgreSQL only, like the other race tests."""

import pytest
from django.db import connection

from machikoba.core.testing.matrix import MEMBER, STAFF
from machikoba.network.tests.test_concurrency import _one_winner, race
from machikoba.shopfloor import services
from machikoba.shopfloor.models import ScheduleRun, StepWork
from machikoba.shopfloor.tests.factories import in_house_job, machines

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
    ),
]


def test_two_plans_at_once_queue_one(world):
    machines(world.company)
    _job, (step,) = in_house_job(world.users[MEMBER], world.company)
    StepWork.objects.create(company=world.company, step=step, minutes=60)

    def plan(actor):
        return lambda: services.plan_request(actor=world.users[actor], company=world.company)

    _one_winner(race(plan(MEMBER), plan(STAFF)), "plan_running")
    assert ScheduleRun.objects.count() == 1
