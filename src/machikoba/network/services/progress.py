"""Step progress: start, finish, ship, receive, an early start the owner allows, and the
scheduled check for late steps."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.access import has_role
from machikoba.core.audit import audit_record
from machikoba.core.dates import format_date
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.notifications import EVERYONE, notify_company
from machikoba.network.choices import (
    JobStatus,
    StepStatus,
)
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.models import (
    Claim,
    Step,
)
from machikoba.network.selectors import (
    receiver_of,
    step_conditions,
    step_next,
    step_previous,
    step_receiver_id,
)
from machikoba.network.services._guards import (
    _require_job_editor,
    _require_open,
)
from machikoba.network.transitions import (
    ALLOW_EARLY_START,
    FINISH,
    HAS_RECEIVER,
    OWNER_EDITOR,
    PERFORMER,
    PREVIOUS_RECEIVED,
    RECEIVE,
    RECEIVER,
    ROLES_OF,
    SHIP,
    START,
    STEP_TRANSITIONS,
)

if TYPE_CHECKING:
    from machikoba.accounts.models import User


def _lock_step(step: Step) -> Step:
    return (
        Step.objects.select_for_update(of=("self",))
        .select_related("job", "performer")  # pragma: no mutate (saves queries only)
        .get(pk=step.pk)
    )


def _require_action(actor: User, step: Step, action: str) -> None:
    """Refuse unless ``actor`` may take ``action`` on the (locked) step now, as the one table
    ``transitions.STEP_TRANSITIONS`` says: the job open, the step in a source state of the
    action, and the actor the kind of party the action is for."""
    transition = STEP_TRANSITIONS[action]
    if transition.who == OWNER_EDITOR:
        _require_job_editor(actor, step.job)
    _require_open(step.job)
    _require_state(step, *sorted(transition.sources_for(step)))
    if transition.who == PERFORMER:
        if step.performer is None or not has_role(actor, step.performer, ROLES_OF[PERFORMER]):
            raise PermissionRefused(
                NetworkErrorCode.NOT_STEP_PERFORMER,
                _("この工程を進められるのは、担当企業の人だけです。"),
            )
    elif transition.who == RECEIVER:
        receiver = receiver_of(step)
        if receiver is None or not has_role(actor, receiver, ROLES_OF[RECEIVER]):
            raise PermissionRefused(
                NetworkErrorCode.NOT_RECEIVER,
                _("受け入れを記録できるのは、次の工程の担当企業の人だけです。"),
            )
    if transition.requires:
        _require_conditions(step, transition.requires)


def _require_conditions(step: Step, required: frozenset[str]) -> None:
    """Refuse, saying why, when a condition the table requires does not hold."""
    previous = step_previous(step)
    held = step_conditions(
        step,
        receiver_id=step_receiver_id(step),
        previous_status=previous.status if previous is not None else None,
    )
    missing = required - held
    if PREVIOUS_RECEIVED in missing and previous is not None:
        raise ApplicationError(
            NetworkErrorCode.PREVIOUS_NOT_RECEIVED,
            _("前の工程 (%(step)s) の品物をまだ受け入れていません。") % {"step": previous.process},
        )
    if HAS_RECEIVER in missing:
        raise ApplicationError(
            NetworkErrorCode.NO_RECEIVER,
            _(
                "次の工程の担当企業がまだ決まっていないため、出荷できません。"
                "発注元 (%(owner)s) が担当を決めると出荷できます。"
            )
            % {"owner": step.job.company.name},
        )


def _require_state(step: Step, *allowed: str) -> None:
    if step.status not in allowed:
        raise ApplicationError(
            NetworkErrorCode.STEP_WRONG_STATE,
            _("この工程は「%(state)s」のため、この操作はできません。画面を更新してください。")
            % {"state": step.get_status_display()},
        )


def _transition(actor: User, step: Step, verb: str, **changes: object) -> Step:
    before = step.status
    for name, value in changes.items():
        setattr(step, name, value)
    full_clean_or_raise(step, code=NetworkErrorCode.STEP_INVALID)
    step.save()
    audit_record(
        actor=actor,
        verb=verb,
        target=step,
        company=step.job.company,
        before={"status": before},
        after={"status": step.status},
    )
    return step


@transaction.atomic
def step_allow_early_start(*, actor: User, step: Step, reason: str) -> Step:
    """The owner lets a step start before the previous step's parts arrived (material
    supplied separately, a rush): recorded with its reason."""
    step = _lock_step(step)
    _require_action(actor, step, ALLOW_EARLY_START)
    if not reason.strip():
        raise invalid_input(NetworkErrorCode.OVERRIDE_INVALID, reason=_("理由を入力してください。"))
    step.start_override_reason = reason.strip()[:300]
    step.save(update_fields=["start_override_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="step.allow_early_start",
        target=step,
        company=step.job.company,
        # The reason stays on the step, for the parties; the trail says one was given.
        after={"start_override_reason": step.start_override_reason},
    )
    return step


@transaction.atomic
def step_start(*, actor: User, step: Step) -> Step:
    """Start work. The previous step's parts must have been received first, unless the
    job's owner allowed an early start (``transitions.PREVIOUS_RECEIVED``)."""
    step = _lock_step(step)
    _require_action(actor, step, START)
    return _transition(
        actor, step, "step.start", status=StepStatus.IN_PROGRESS, started_at=timezone.now()
    )


@transaction.atomic
def step_finish(*, actor: User, step: Step) -> Step:
    """Work done. When nobody performs the next step yet, the parts cannot be shipped:
    the owner is told to choose who does (the performer's page says the same)."""
    step = _lock_step(step)
    _require_action(actor, step, FINISH)
    _transition(actor, step, "step.finish", status=StepStatus.DONE, finished_at=timezone.now())
    following = step_next(step)
    if following is not None and following.performer_id is None:
        notify_company(
            company=step.job.company,
            kind="step_no_receiver",
            params={
                "part": step.job.part_name,
                "step": f"{step.position}. {step.process.name_ja}",
                "next": f"{following.position}. {following.process.name_ja}",
            },
            path=reverse("network:job_detail", args=[step.job_id]),
        )
    return step


@transaction.atomic
def step_ship(*, actor: User, step: Step, quantity: int | None) -> Step:
    step = _lock_step(step)
    _require_action(actor, step, SHIP)
    if quantity is None or quantity < 1:
        raise invalid_input(
            NetworkErrorCode.SHIP_INVALID, quantity=_("出荷数は 1 以上で入力してください。")
        )
    _transition(
        actor,
        step,
        "step.ship",
        status=StepStatus.SHIPPED,
        shipped_at=timezone.now(),
        shipped_quantity=quantity,
    )
    receiver = receiver_of(step)
    sender = step.performer  # a shipped step has one (_require_action)
    if receiver is not None and sender is not None and receiver.pk != sender.pk:
        notify_company(
            company=receiver,
            kind="step_shipped",
            params={
                "sender": sender.name,
                "part": step.job.part_name,
                "quantity": step.job.count(quantity),
                "step": f"{step.position}. {step.process.name_ja}",
            },
            path=reverse("network:handoff", args=[step.pk]),
            roles=EVERYONE,
        )
    return step


@transaction.atomic
def step_receive(
    *,
    actor: User,
    step: Step,
    good_quantity: int | None,
    defect_quantity: int | None = 0,
    note: str = "",
) -> Step:
    """The next party (or the owner after the last step) counts what arrived. A shortfall
    against what was shipped, or any defect, opens a claim record."""
    step = _lock_step(step)
    _require_action(actor, step, RECEIVE)
    if good_quantity is None or good_quantity < 0 or defect_quantity is None or defect_quantity < 0:
        raise invalid_input(
            NetworkErrorCode.RECEIVE_INVALID, good_quantity=_("数量は 0 以上で入力してください。")
        )
    shipped = step.shipped_quantity or 0  # set by step_ship, the one way into SHIPPED
    if good_quantity + defect_quantity > shipped:
        raise invalid_input(
            NetworkErrorCode.RECEIVE_INVALID,
            good_quantity=_("良品と不良の合計が出荷数 (%(n)d) を超えています。")
            % {"n": step.shipped_quantity},
        )
    _transition(
        actor,
        step,
        "step.receive",
        status=StepStatus.RECEIVED,
        received_at=timezone.now(),
        good_quantity=good_quantity,
        defect_quantity=defect_quantity,
    )
    if defect_quantity or good_quantity + defect_quantity < step.job.quantity:
        claim = Claim.objects.create(
            step=step,
            expected_quantity=step.job.quantity,
            good_quantity=good_quantity,
            defect_quantity=defect_quantity,
            note=note.strip()[:1000],
            opened_by=actor,
        )
        audit_record(actor=actor, verb="claim.open", target=claim, company=step.job.company)
    return step


LATE_STATES = (StepStatus.ORDERED, StepStatus.IN_PROGRESS, StepStatus.DONE)


def steps_notify_late(*, today: dt.date | None = None) -> int:
    """Tell the owner and the performer, once, about each step past its planned finish
    (the scheduled check). Returns how many steps were reported."""
    today = today or timezone.localdate()
    late = (
        Step.objects.filter(
            job__status=JobStatus.OPEN,
            planned_end__lt=today,
            # no mutate: a step reported already is skipped below too (the claim), so this
            # filter and the joins only save work
            late_notified_at__isnull=True,  # pragma: no mutate
        )
        .filter(Q(status__in=LATE_STATES) | Q(in_house=True, status=StepStatus.PLANNED))
        .select_related("job__company", "performer", "process")  # pragma: no mutate
    )
    count = 0
    for step in late:
        with transaction.atomic():
            claimed = Step.objects.filter(pk=step.pk, late_notified_at__isnull=True).update(
                late_notified_at=timezone.now()
            )
            if not claimed:
                continue  # another run reported it
            params = {
                "part": step.job.part_name,
                "step": f"{step.position}. {step.process.name_ja}",
                "performer": step.performer.name if step.performer else "—",
                "date": format_date(step.planned_end),
            }
            path = reverse("network:job_detail", args=[step.job_id])
            notify_company(company=step.job.company, kind="step_late", params=params, path=path)
            if step.performer is not None and step.performer_id != step.job.company_id:
                notify_company(company=step.performer, kind="step_late", params=params, path=path)
        count += 1
    return count
