"""Admission: a shop accepts the board's NDA and asks to see a request's details; the
poster admits it (shops the poster chose are admitted as soon as they accept)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.board.choices import BOARD_NDA_VERSION, AdmissionStatus
from machikoba.board.error_codes import BoardErrorCode
from machikoba.board.models import Admission, Request
from machikoba.board.services._documents import _share_documents
from machikoba.board.services._guards import (
    _require_open,
    _require_poster,
    _require_shop,
    _require_visible,
    _save_once,
)
from machikoba.core.access import EDITOR_ROLES, has_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, invalid_input
from machikoba.core.notifications import notify_company

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


def _admit(actor: User, admission: Admission) -> Admission:
    admission.status = AdmissionStatus.ADMITTED
    admission.decided_at, admission.decided_by = timezone.now(), actor
    admission.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    admission.grants.set(_share_documents(actor, admission.request, admission.company))
    audit_record(
        actor=actor, verb="admission.admit", target=admission, company=admission.request.company
    )
    notify_company(
        company=admission.company,
        kind="board_admitted",
        params={"part": admission.request.part_name},
        path=reverse("board:request_detail", args=[admission.request_id]),
    )
    return admission


@transaction.atomic
def admission_request(
    *,
    actor: User,
    company: Company,
    request: Request,
    nda_accepted: bool,
    ip_address: str | None = None,
) -> Admission:
    """A shop accepts the board's NDA and asks to see the details. Shops the poster chose
    are admitted at once (the poster's choice is its consent)."""
    _require_shop(actor, company)
    _require_visible(actor, request)
    _require_open(request)
    if request.company_id == company.pk:
        raise ApplicationError(BoardErrorCode.OWN_REQUEST, _("自社の引き合いです。"))
    if not nda_accepted:
        raise invalid_input(
            BoardErrorCode.NDA_NOT_ACCEPTED,
            nda=_("詳細を見るには、秘密保持の条項への同意が必要です。"),
        )
    twice = _("この引き合いの詳細は、すでに申請しています。")
    if Admission.objects.filter(request=request, company=company).exists():
        raise ApplicationError(BoardErrorCode.ADMISSION_EXISTS, twice)
    admission = Admission(
        request=request,
        company=company,
        nda_version=BOARD_NDA_VERSION,
        nda_accepted_at=timezone.now(),
        nda_accepted_by=actor,
        ip_address=ip_address,
    )
    _save_once(admission, code="admission_exists", message=twice)
    audit_record(actor=actor, verb="admission.request", target=admission, company=company)
    poster = request.created_by
    if (
        request.invited.filter(pk=company.pk).exists()
        and poster is not None
        and has_role(poster, request.company, EDITOR_ROLES)
    ):
        return _admit(poster, admission)
    notify_company(
        company=request.company,
        kind="board_admission",
        params={"company": company.name, "part": request.part_name},
        path=reverse("board:request_detail", args=[request.pk]),
    )
    return admission


@transaction.atomic
def admission_decide(*, actor: User, admission: Admission, admit: bool) -> Admission:
    _require_poster(actor, admission.request)
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    if admission.status != AdmissionStatus.REQUESTED:
        raise ApplicationError(
            BoardErrorCode.ADMISSION_DECIDED,
            _("この申請はすでに判断しています。画面を更新してください。"),
        )
    _require_open(admission.request)
    if admit:
        return _admit(actor, admission)
    admission.status = AdmissionStatus.REFUSED
    admission.decided_at, admission.decided_by = timezone.now(), actor
    admission.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit_record(
        actor=actor, verb="admission.refuse", target=admission, company=admission.request.company
    )
    return admission
