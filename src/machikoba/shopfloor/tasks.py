"""Background work of the shop floor: planning runs on its own queue."""

from django_tasks import task

from machikoba.core.task_recovery import is_retry
from machikoba.shopfloor.choices import RunStatus
from machikoba.shopfloor.models import ScheduleRun
from machikoba.shopfloor.services import plan_execute


@task(queue_name="planning")
def plan_schedule(run_id: int) -> str:
    """Solve a queued plan (a press of "plan"), writing progress as it goes.

    Run again after its worker died (``task_recovery``), a plan caught running is solved
    again from the start: the planned operations and the DONE status commit together, so
    the cut-short run stored none and the plan is stored once. A finished plan is
    skipped (``plan_execute`` only takes a queued run)."""
    if is_retry():
        ScheduleRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            status=RunStatus.QUEUED, started_at=None
        )
    return plan_execute(run_id=run_id)
