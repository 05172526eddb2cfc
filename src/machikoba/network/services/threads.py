"""The message thread between a job's owner and one partner: the network decides who the
parties of a job are, messaging keeps the thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.companies.models import Company
from machikoba.core.access import MEMBER_ROLES, VIEW, company_ids_for
from machikoba.core.errors import PermissionRefused
from machikoba.messaging.internal import thread_open
from machikoba.network.error_codes import NetworkErrorCode
from machikoba.network.models import Job, Step

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company
    from machikoba.messaging.models import Thread


def job_thread_for(
    *, actor: User, job: Job, partner: Company, company: Company | None = None
) -> Thread:
    """The thread between a job's owner and one partner (a company performing one of its
    steps), opened on first use. ``partner`` is the other side as seen by ``actor``: a
    performer when the actor works for the owner, the owner when the actor works for a
    performer. ``company`` is the actor's side when they belong to several companies
    (default: the one that fits).

    Checked through the network access layer: the actor must see the job, and the partner
    must perform a step the actor can see — so a partner cannot learn who else works on it."""
    if not Job.objects.for_user(actor, VIEW).filter(pk=job.pk).exists():
        raise PermissionRefused(NetworkErrorCode.JOB_NOT_VISIBLE, _("この案件は見られません。"))
    mine = set(company_ids_for(actor, MEMBER_ROLES))
    if company is not None:
        if company.pk not in mine:
            raise _not_a_party()
        mine = {company.pk}
    performers = set(
        Step.objects.for_user(actor, VIEW)
        .filter(job=job, performer__isnull=False)
        .values_list("performer_id", flat=True)
    ) - {job.company_id}
    if job.company_id in mine and partner.pk in performers:
        partner_company = partner
    elif partner.pk == job.company_id and len(mine & performers) == 1:
        partner_company = Company.objects.get(pk=(mine & performers).pop())
    else:
        raise _not_a_party()
    return thread_open(
        key=f"job:{job.pk}:partner:{partner_company.pk}",
        title=str(job),
        companies=[job.company, partner_company],
        subject_path=reverse("network:job_detail", args=[job.pk]),
        job=job,
    )


def _not_a_party() -> PermissionRefused:
    return PermissionRefused(
        NetworkErrorCode.NOT_A_JOB_PARTY,
        _("メッセージをやりとりできるのは、案件の発注元と工程の担当企業の間だけです。"),
    )
