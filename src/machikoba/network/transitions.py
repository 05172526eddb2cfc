"""The step state machine as one table: which states each progress action starts from and
who may take it. The page's buttons (``selectors.step_actions``) and the progress services
(``services.progress._require_action``) both read it, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from machikoba.core.access import EDITOR_ROLES, MEMBER_ROLES
from machikoba.network.choices import StepStatus

if TYPE_CHECKING:
    from machikoba.network.models import Step

# Who takes an action on a step.
PERFORMER = "performer"  # any member of the company performing the step
RECEIVER = "receiver"  # any member of the company receiving its parts
OWNER_EDITOR = "owner_editor"  # an owner or staff member of the job's company

ROLES_OF: dict[str, tuple[str, ...]] = {
    PERFORMER: MEMBER_ROLES,
    RECEIVER: MEMBER_ROLES,
    OWNER_EDITOR: EDITOR_ROLES,
}


# Conditions beyond the step's own state that an action needs (``Transition.requires``).
PREVIOUS_RECEIVED = "previous_received"  # the previous step's parts were received (or an
# early start was allowed): a step cannot start on parts it does not have
HAS_RECEIVER = "has_receiver"  # someone receives the parts: the next step has a performer


@dataclass(frozen=True)
class Transition:
    """``sources``: the states the action starts from; an in-house step may have its own
    (it is never asked for nor ordered). ``target``: the state after, if it changes.
    ``requires``: the conditions (``PREVIOUS_RECEIVED``, ``HAS_RECEIVER``) that must hold
    too, so that no button is offered that the service would refuse."""

    sources: frozenset[str]
    who: str
    target: str | None = None
    in_house_sources: frozenset[str] | None = None
    requires: frozenset[str] = frozenset()

    def sources_for(self, step: Step) -> frozenset[str]:
        if step.in_house and self.in_house_sources is not None:
            return self.in_house_sources
        return self.sources


_STARTABLE = frozenset({StepStatus.ORDERED})
_STARTABLE_IN_HOUSE = frozenset({StepStatus.PLANNED, StepStatus.ORDERED})

START, FINISH, SHIP, RECEIVE, ALLOW_EARLY_START = (
    "start",
    "finish",
    "ship",
    "receive",
    "allow_early_start",
)

STEP_TRANSITIONS: dict[str, Transition] = {
    START: Transition(
        _STARTABLE,
        PERFORMER,
        StepStatus.IN_PROGRESS,
        in_house_sources=_STARTABLE_IN_HOUSE,
        requires=frozenset({PREVIOUS_RECEIVED}),
    ),
    FINISH: Transition(frozenset({StepStatus.IN_PROGRESS}), PERFORMER, StepStatus.DONE),
    SHIP: Transition(
        frozenset({StepStatus.DONE}),
        PERFORMER,
        StepStatus.SHIPPED,
        requires=frozenset({HAS_RECEIVER}),
    ),
    RECEIVE: Transition(frozenset({StepStatus.SHIPPED}), RECEIVER, StepStatus.RECEIVED),
    # The owner lets a step start before the previous parts arrived: only once someone
    # could start it (ordered, or in-house).
    ALLOW_EARLY_START: Transition(_STARTABLE, OWNER_EDITOR, in_house_sources=_STARTABLE_IN_HOUSE),
}


def actions_for(
    step: Step, *, kinds: Collection[str], job_open: bool, conditions: Collection[str]
) -> frozenset[str]:
    """The actions the table allows on ``step`` to someone who is each of ``kinds``, when
    ``conditions`` (``PREVIOUS_RECEIVED``, ``HAS_RECEIVER``) hold."""
    if not job_open:
        return frozenset()
    return frozenset(
        action
        for action, transition in STEP_TRANSITIONS.items()
        if transition.who in kinds
        and step.status in transition.sources_for(step)
        and transition.requires <= set(conditions)
    )
