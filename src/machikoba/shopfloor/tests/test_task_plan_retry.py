"""A plan whose worker died mid-solve is solved again and stored once."""

import pytest

from machikoba.core.task_recovery import running_task
from machikoba.core.testing.matrix import MEMBER
from machikoba.shopfloor import services
from machikoba.shopfloor.models import PlannedOperation, ScheduleRun
from machikoba.shopfloor.tasks import plan_schedule
from machikoba.shopfloor.tests.test_services import _shop_with_work

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def test_a_plan_left_running_by_a_dead_worker_is_recomputed_once(world):
    _shop_with_work(world, jobs=2)
    run = services.plan_request(actor=world.users[MEMBER], company=world.company, time_limit=10)
    # The first worker claimed it (queued → running) and was killed before storing.
    ScheduleRun.objects.filter(pk=run.pk).update(status="running")
    with running_task("plan-1", 1):  # a duplicate delivery while it runs: left alone
        assert plan_schedule.call(run.pk) == "skipped"
    with running_task("plan-1", 2):  # the run after the dead worker
        assert plan_schedule.call(run.pk) == "done"
    run.refresh_from_db()
    assert run.status == "done"
    stored = PlannedOperation.objects.filter(run=run).count()
    assert stored == run.operation_count > 0
    with running_task("plan-1", 3):  # delivered once more: nothing recomputed
        assert plan_schedule.call(run.pk) == "skipped"
    assert PlannedOperation.objects.filter(run=run).count() == stored
