"""Reads about one step: who receives its parts, what goes on to the next party, what an
order for it says, and which progress actions a person may take on it now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Max

from machikoba.core.access import company_ids_for
from machikoba.network.choices import JobStatus, StepStatus
from machikoba.network.models import Job, Order, Step
from machikoba.network.transitions import (
    HAS_RECEIVER,
    OWNER_EDITOR,
    PERFORMER,
    PREVIOUS_RECEIVED,
    RECEIVER,
    ROLES_OF,
    actions_for,
)

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company

# A step in one of these states has begun: its work can no longer be withdrawn.
STARTED_STATES = (
    StepStatus.IN_PROGRESS,
    StepStatus.DONE,
    StepStatus.SHIPPED,
    StepStatus.RECEIVED,
    StepStatus.CLOSED,
)


def job_work_started(job: Job) -> bool:
    """Whether any step of ``job`` has started (work that can no longer be withdrawn)."""
    return job.steps.filter(status__in=STARTED_STATES).exists()


def order_work_started(order: Order) -> bool:
    """Whether any step ``order`` covers has started."""
    return order.steps.filter(status__in=STARTED_STATES).exists()


def ship_quantity_default(step: Step) -> int:
    """What goes on to the next party: the good parts received from the previous step,
    else the job's quantity (a quantity only: the previous step may be another shop's)."""
    previous = (
        Step.objects.filter(job=step.job, position=step.position - 1)
        .values_list("good_quantity", flat=True)
        .first()
    )
    return previous if previous is not None else step.job.quantity


def receiver_of(step: Step) -> Company | None:
    """Who receives a step's parts: the next step's performer, or the owner after the last."""
    following = step_next(step)
    if following is None:
        return step.job.company
    return following.performer


def step_next(step: Step) -> Step | None:
    return (
        Step.objects.filter(job=step.job, position__gt=step.position).order_by("position").first()
    )


def step_previous(step: Step) -> Step | None:
    return (
        Step.objects.filter(job=step.job, position__lt=step.position).order_by("-position").first()
    )


# The previous step's parts are in hand once they were received (or the job was closed).
PARTS_ARRIVED_STATES = (StepStatus.RECEIVED, StepStatus.CLOSED)


def route_of(job: Job) -> tuple[dict[int, int | None], dict[int, str]]:
    """{position: performer id} and {position: status} for the whole route, in one query.
    Ids and states only: who receives a step's parts is the next step's performer, and
    whether a step may start depends on the previous step, both of which a partner must
    know (to ship, to be offered the receipt, to start) without seeing those steps."""
    performers: dict[int, int | None] = {}
    statuses: dict[int, str] = {}
    for position, performer_id, status in Step.objects.filter(job=job).values_list(
        "position", "performer_id", "status"
    ):
        performers[position] = performer_id
        statuses[position] = status
    return performers, statuses


def step_conditions(
    step: Step, *, receiver_id: int | None, previous_status: str | None
) -> frozenset[str]:
    """Which of the table's extra conditions (``Transition.requires``) hold for ``step``:
    the previous parts arrived (or the owner allowed an early start; a first step has
    nothing to wait for), and somebody receives what it ships."""
    conditions = set()
    if (
        previous_status is None
        or previous_status in PARTS_ARRIVED_STATES
        or step.start_override_reason
    ):
        conditions.add(PREVIOUS_RECEIVED)
    if receiver_id is not None:
        conditions.add(HAS_RECEIVER)
    return frozenset(conditions)


def _previous_status(step: Step, statuses: dict[int, str] | None) -> str | None:
    if statuses is None:
        previous = step_previous(step)
        return previous.status if previous is not None else None
    earlier = [position for position in statuses if position < step.position]
    return statuses[max(earlier)] if earlier else None


def next_position(job: Job) -> int:
    return (job.steps.aggregate(n=Max("position"))["n"] or 0) + 1


def work_content_of(job: Job, steps: list[Step]) -> str:
    """The 給付の内容 of an order for ``steps``: the part, then one line per step."""
    lines = [f"{job.drawing_number} {job.part_name}".strip()]
    for step in steps:
        line = f"・{step.process.name_ja}"
        if step.spec:
            line += f": {step.spec}"
        lines.append(line)
    return "\n".join(lines)


def receiver_id_in_route(step: Step, route: dict[int, int | None]) -> int | None:
    """The receiver's id from ``route`` ({position: performer id}, ``route_of``)."""
    if step.position == max(route, default=0):
        return step.job.company_id
    return route.get(step.position + 1)


def step_actor_kinds(user: User, step: Step, *, receiver_id: int | None) -> frozenset[str]:
    """What ``user`` is to the step: performer, receiver, the owner's editor (or several)."""
    companies = {
        PERFORMER: step.performer_id,
        RECEIVER: receiver_id,
        OWNER_EDITOR: step.job.company_id,
    }
    return frozenset(
        kind
        for kind, company_id in companies.items()
        if company_id is not None and company_id in company_ids_for(user, ROLES_OF[kind])
    )


def step_receiver_id(step: Step, route: dict[int, int | None] | None = None) -> int | None:
    if route is None:
        receiver = receiver_of(step)
        return receiver.pk if receiver is not None else None
    return receiver_id_in_route(step, route)


def step_actions(
    user: User,
    step: Step,
    *,
    route: dict[int, int | None] | None = None,
    statuses: dict[int, str] | None = None,
) -> frozenset[str]:
    """The progress actions ``user`` may take on ``step`` now (``transitions.STEP_TRANSITIONS``):
    the buttons a page shows, and exactly what the progress services accept as to state,
    person and conditions. ``route`` and ``statuses`` (``route_of``) save queries per step
    on a list."""
    receiver_id = step_receiver_id(step, route)
    kinds = step_actor_kinds(user, step, receiver_id=receiver_id)
    conditions = step_conditions(
        step, receiver_id=receiver_id, previous_status=_previous_status(step, statuses)
    )
    return actions_for(
        step, kinds=kinds, job_open=step.job.status == JobStatus.OPEN, conditions=conditions
    )
