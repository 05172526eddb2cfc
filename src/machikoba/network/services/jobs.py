"""Writes for jobs: register, edit, copy as a repeat order, close."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.access import EDITOR_ROLES, has_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.network.choices import (
    JobStatus,
    QuantityUnit,
    StepStatus,
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
    from collections.abc import Iterable

    from machikoba.accounts.models import User
    from machikoba.companies.models import Company, Material
    from machikoba.drawings.models import Document


@transaction.atomic
def job_create(
    *,
    actor: User,
    company: Company,
    part_name: str,
    quantity: int,
    due_date: dt.date,
    unit: str = QuantityUnit.PIECE,
    size_mm: int | None = None,
    drawing_number: str = "",
    material: Material | None = None,
    material_note: str = "",
    notes: str = "",
    documents: Iterable[Document] = (),
) -> Job:
    if not has_role(actor, company, EDITOR_ROLES):
        raise PermissionRefused(
            NetworkErrorCode.NOT_JOB_EDITOR,
            _("案件を登録できるのは、企業の経営者とスタッフだけです。"),
        )
    if due_date < timezone.localdate():
        raise invalid_input(
            NetworkErrorCode.JOB_INVALID, due_date=_("納期には今日以降の日付を指定してください。")
        )
    job = Job(
        company=company,
        part_name=part_name.strip(),
        drawing_number=drawing_number.strip(),
        material=material,
        material_note=material_note.strip(),
        quantity=quantity,
        unit=unit,
        size_mm=size_mm,
        due_date=due_date,
        notes=notes.strip(),
        created_by=actor,
    )
    full_clean_or_raise(job, code=NetworkErrorCode.JOB_INVALID)
    job.save()
    _attach_documents(job, documents)
    audit_record(actor=actor, verb="job.create", target=job, company=company)
    return job


def _attach_documents(job: Job, documents: Iterable[Document]) -> None:
    foreign = [d for d in documents if d.company_id != job.company_id]
    if foreign:
        raise invalid_input(
            NetworkErrorCode.JOB_INVALID, documents=_("自社の図面だけを添付できます。")
        )
    job.documents.set(documents)


@transaction.atomic
def job_update(
    *, actor: User, job: Job, documents: Iterable[Document] | None = None, **fields: Any
) -> Job:
    _require_job_editor(actor, job)
    _require_open(job)
    allowed = {
        "part_name",
        "drawing_number",
        "material",
        "material_note",
        "quantity",
        "unit",
        "due_date",
        "notes",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if (
        "due_date" in fields
        and fields["due_date"] != job.due_date
        and fields["due_date"] < timezone.localdate()
    ):
        raise invalid_input(
            NetworkErrorCode.JOB_INVALID, due_date=_("納期には今日以降の日付を指定してください。")
        )
    for name, value in fields.items():
        setattr(job, name, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(job, code=NetworkErrorCode.JOB_INVALID)
    job.save()
    if documents is not None:
        _attach_documents(job, documents)
    audit_record(actor=actor, verb="job.update", target=job, company=job.company)
    return job


@transaction.atomic
def job_copy(*, actor: User, job: Job, due_date: dt.date, quantity: int | None = None) -> Job:
    """A repeat order (リピート品): the part, drawings and route again, nothing of the
    progress, orders or partners' answers."""
    copy = job_create(
        actor=actor,
        company=job.company,
        part_name=job.part_name,
        drawing_number=job.drawing_number,
        material=job.material,
        material_note=job.material_note,
        quantity=quantity or job.quantity,
        unit=job.unit,
        size_mm=job.size_mm,
        due_date=due_date,
        notes=job.notes,
        documents=list(job.documents.all()),
    )
    copy.copied_from = job
    copy.save(update_fields=["copied_from"])
    for step in job.steps.order_by("position"):
        Step.objects.create(
            job=copy,
            position=step.position,
            process=step.process,
            spec=step.spec,
            spec_fields=step.spec_fields,
            in_house=step.in_house,
            # An in-house step stays in-house; partners are asked again.
            performer=copy.company if step.in_house else None,
        )
    return copy


@transaction.atomic
def job_close(*, actor: User, job: Job) -> Job:
    """Close a finished job: every step received; their steps close with it."""
    _require_job_editor(actor, job)
    job = Job.objects.select_for_update().get(pk=job.pk)
    _require_open(job)
    steps = list(job.steps.order_by("position"))
    if not steps:
        raise ApplicationError(NetworkErrorCode.JOB_EMPTY, _("工程のない案件は完了にできません。"))
    unfinished = [s for s in steps if s.status not in (StepStatus.RECEIVED, StepStatus.CLOSED)]
    if unfinished:
        raise ApplicationError(
            NetworkErrorCode.JOB_UNFINISHED,
            _("まだ受け入れていない工程があります (%(step)s)。") % {"step": unfinished[0].process},
        )
    now = timezone.now()
    job.steps.update(status=StepStatus.CLOSED, updated_at=now)
    job.status, job.closed_at = JobStatus.CLOSED, now
    job.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, verb="job.close", target=job, company=job.company)
    return job
