"""Checks shared by the network's write modules: who may change a job, whether it is
open, and the row locks that make two concurrent answers end with exactly one winner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.core.access import EDITOR_ROLES, has_role
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
)
from machikoba.network.choices import (
    JobStatus,
    RecipientStatus,
    RfqStatus,
)
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.models import (
    Job,
    RfqRecipient,
)

if TYPE_CHECKING:
    from machikoba.accounts.models import User


def _require_job_editor(actor: User, job: Job) -> None:
    if not has_role(actor, job.company, EDITOR_ROLES):
        raise PermissionRefused(
            NetworkErrorCode.NOT_JOB_EDITOR,
            _("案件を変更できるのは、発注元企業の経営者とスタッフだけです。"),
        )


def _require_open(job: Job) -> None:
    if job.status != JobStatus.OPEN:
        raise ApplicationError(
            NetworkErrorCode.JOB_NOT_OPEN,
            _("この案件は完了または中止しているため、変更できません。"),
        )


def _lock_answerable(recipient: RfqRecipient) -> RfqRecipient:
    """The recipient row, locked, if its RFQ still takes an answer from it."""
    locked = (
        RfqRecipient.objects.select_for_update()
        .select_related("rfq__job__company", "company")
        .get(pk=recipient.pk)
    )
    if locked.rfq.status != RfqStatus.OPEN:
        raise ApplicationError(
            NetworkErrorCode.RFQ_CLOSED, _("この見積依頼はすでに締め切られています。")
        )
    if locked.rfq.deadline <= timezone.now():
        raise ApplicationError(
            NetworkErrorCode.RFQ_DEADLINE_PASSED, _("回答期限を過ぎたため、回答できません。")
        )
    if locked.status != RecipientStatus.INVITED:
        raise ApplicationError(
            NetworkErrorCode.RFQ_ALREADY_ANSWERED, _("この見積依頼には、すでに回答しています。")
        )
    return locked
