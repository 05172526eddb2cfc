"""Writes for a job's route: add, edit, move and remove steps while they are planned."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.core.audit import audit_record
from machikoba.core.errors import (
    ApplicationError,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.models import (
    Job,
    Step,
)
from machikoba.network.services._guards import (
    _require_job_editor,
    _require_open,
)

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import ProcessCategory


def _positions(job: Job) -> list[Step]:
    return list(Step.objects.select_for_update().filter(job=job).order_by("position"))


def _renumber(steps: list[Step]) -> None:
    """Write positions 1..n in the list's order (the unique constraint is deferred)."""
    for index, step in enumerate(steps, start=1):
        if step.position != index:
            step.position = index
            step.save(update_fields=["position", "updated_at"])


@transaction.atomic
def step_add(
    *,
    actor: User,
    job: Job,
    process: ProcessCategory,
    spec: str = "",
    spec_fields: dict[str, Any] | None = None,
    in_house: bool = False,
    position: int | None = None,
    planned_start: dt.date | None = None,
    planned_end: dt.date | None = None,
) -> Step:
    """Add a step at the end of the route, or insert it at ``position`` (1-based)."""
    _require_job_editor(actor, job)
    _require_open(job)
    steps = _positions(job)
    if position is not None and not 1 <= position <= len(steps) + 1:
        raise invalid_input(
            NetworkErrorCode.STEP_INVALID,
            position=_("順番は 1 から %(n)d の間で指定してください。") % {"n": len(steps) + 1},
        )
    step = Step(
        job=job,
        position=len(steps) + 1,
        process=process,
        spec=spec.strip(),
        spec_fields=spec_fields or {},
        in_house=in_house,
        performer=job.company if in_house else None,
        planned_start=planned_start,
        planned_end=planned_end,
    )
    full_clean_or_raise(step, code=NetworkErrorCode.STEP_INVALID)
    step.save()
    if position is not None:
        _check_movable(steps[position - 1 :])
        steps.insert(position - 1, step)
        _renumber(steps)
    audit_record(actor=actor, verb="step.add", target=step, company=job.company)
    return step


def _check_movable(steps: list[Step]) -> None:
    fixed = [s for s in steps if not s.is_editable]
    if fixed:
        raise ApplicationError(
            NetworkErrorCode.STEP_FIXED,
            _("見積依頼・発注・着手した工程 (%(step)s) の順番は変えられません。")
            % {"step": fixed[0].process},
        )


@transaction.atomic
def step_update(
    *,
    actor: User,
    step: Step,
    spec: str,
    spec_fields: dict[str, Any] | None = None,
    in_house: bool | None = None,
    planned_start: dt.date | None = None,
    planned_end: dt.date | None = None,
) -> Step:
    _require_job_editor(actor, step.job)
    _require_open(step.job)
    step = Step.objects.select_for_update().get(pk=step.pk)
    if not step.is_editable and in_house is not None and in_house != step.in_house:
        raise ApplicationError(
            NetworkErrorCode.STEP_FIXED, _("見積依頼・発注した工程の担当は変えられません。")
        )
    step.spec = spec.strip()
    if spec_fields is not None:
        step.spec_fields = spec_fields
    if in_house is not None and step.is_editable:
        step.in_house = in_house
        step.performer = step.job.company if in_house else None
    step.planned_start, step.planned_end = planned_start, planned_end
    full_clean_or_raise(step, code=NetworkErrorCode.STEP_INVALID)
    step.save()
    audit_record(actor=actor, verb="step.update", target=step, company=step.job.company)
    return step


@transaction.atomic
def step_move(*, actor: User, step: Step, to_position: int) -> Step:
    _require_job_editor(actor, step.job)
    _require_open(step.job)
    steps = _positions(step.job)
    current = next(s for s in steps if s.pk == step.pk)
    if not 1 <= to_position <= len(steps):
        raise invalid_input(
            NetworkErrorCode.STEP_INVALID,
            position=_("順番は 1 から %(n)d の間で指定してください。") % {"n": len(steps)},
        )
    low, high = sorted((current.position, to_position))
    _check_movable(steps[low - 1 : high])
    steps.remove(current)
    steps.insert(to_position - 1, current)
    _renumber(steps)
    audit_record(actor=actor, verb="step.move", target=current, company=step.job.company)
    return current


@transaction.atomic
def step_remove(*, actor: User, step: Step) -> None:
    _require_job_editor(actor, step.job)
    _require_open(step.job)
    steps = _positions(step.job)
    current = next(s for s in steps if s.pk == step.pk)
    _check_movable(steps[current.position - 1 :])
    audit_record(actor=actor, verb="step.remove", target=current, company=step.job.company)
    steps.remove(current)
    current.delete()
    _renumber(steps)
