"""The page a traveler tag's QR code opens: the one thing this person can record now, on
this step or on the previous one whose parts it waits for, or why there is nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from machikoba.network.choices import OrderStatus, StepStatus
from machikoba.network.models import Order, Step
from machikoba.network.selectors.steps import (
    PARTS_ARRIVED_STATES,
    receiver_of,
    ship_quantity_default,
    step_actions,
    step_actor_kinds,
    step_previous,
)
from machikoba.network.transitions import (
    FINISH,
    PERFORMER,
    RECEIVE,
    SHIP,
    START,
    STEP_TRANSITIONS,
)

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company

# The order in which a tag's page offers actions (it never offers an early start).
HANDOFF_ACTIONS = (START, FINISH, SHIP, RECEIVE)
RECEIVE_PREVIOUS = "receive_previous"


@dataclass(frozen=True)
class HandoffPage:
    """``action`` is taken on ``target``: the step itself, or for ``RECEIVE_PREVIOUS`` the
    previous step, whose parts must be received before this one starts. ``waiting`` says
    why there is nothing to record, when the reason is not simply "not yours"."""

    step: Step
    action: str | None
    target: Step
    quantity: int | None
    receiver: Company | None
    waiting: str | None
    unaccepted_order: Order | None


def unaccepted_order(step: Step) -> Order | None:
    """The order covering ``step`` that its supplier has not accepted (no 請書) yet."""
    return (
        Order.objects.filter(steps=step, status=OrderStatus.ISSUED)
        .order_by("-version", "-pk")
        .first()
    )


def handoff_page(user: User, step: Step) -> HandoffPage:
    actions = step_actions(user, step)
    action = next((a for a in HANDOFF_ACTIONS if a in actions), None)
    target = step
    waiting = None
    receiver = receiver_of(step)
    kinds = step_actor_kinds(user, step, receiver_id=receiver.pk if receiver else None)
    if action is None and PERFORMER in kinds:
        if step.status in STEP_TRANSITIONS[START].sources_for(step):
            previous = step_previous(step)
            if previous is not None and RECEIVE in step_actions(user, previous):
                action, target = RECEIVE_PREVIOUS, previous
            elif previous is not None and previous.status not in PARTS_ARRIVED_STATES:
                waiting = _(
                    "前の工程 (%(step)s) の品物がまだ届いていません。"
                    "届いたら、受け入れを記録してから開始できます。"
                ) % {"step": f"{previous.position}. {previous.process}"}
        elif step.status == StepStatus.DONE and receiver is None:
            waiting = _(
                "次の工程の担当企業がまだ決まっていないため、出荷できません。"
                "発注元 (%(owner)s) に知らせてあります。担当が決まると出荷できます。"
            ) % {"owner": step.job.company.name}
    quantity = None
    if action == SHIP:
        quantity = ship_quantity_default(step)
    elif action in (RECEIVE, RECEIVE_PREVIOUS):
        quantity = target.shipped_quantity
    order = unaccepted_order(step) if action in (START, SHIP) else None
    return HandoffPage(
        step=step,
        action=action,
        target=target,
        quantity=quantity,
        receiver=receiver,
        waiting=waiting,
        unaccepted_order=order,
    )
