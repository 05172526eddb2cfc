from django_tasks import task

from machikoba.shopfloor.services import plan_execute


@task(queue_name="planning")
def plan_schedule(run_id: int) -> str:
    """Solve a queued plan (a press of "plan"), writing progress as it goes."""
    return plan_execute(run_id=run_id)
