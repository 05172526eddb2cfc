"""Requests for an advisor: a company asks (OPEN), or an officer proposes it to a company
of the ward, e.g. after the dojo (PROPOSED), and the owner accepts (OPEN) or declines;
the office declines a request with a reason; the company withdraws its own. A company has
at most one pending request (PROPOSED or OPEN) at a time."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.advisory.choices import EngagementStatus, RequestOrigin, RequestStatus
from machikoba.advisory.error_codes import AdvisoryErrorCode
from machikoba.advisory.models import Engagement, SupportRequest
from machikoba.advisory.services._common import company_path, require_officer_of
from machikoba.companies.models import Company
from machikoba.core.access import EDITOR_ROLES, OWNER_ROLES, require_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input
from machikoba.core.notifications import notify_company
from machikoba.programs.models import Graduation

PENDING = (RequestStatus.PROPOSED, RequestStatus.OPEN)


def _lock_company(company: Company) -> Company:
    # The company row serialises two requests of one company (two owners tapping at once).
    return Company.objects.select_for_update().get(pk=company.pk)


def _refuse_pending(company: Company) -> None:
    pending = SupportRequest.objects.filter(company=company, status__in=PENDING).first()
    if pending is not None:
        raise ApplicationError(
            AdvisoryErrorCode.REQUEST_PENDING,
            _(
                "%(company)s にはすでに回答待ちの派遣の申込 (%(status)s) があります。"
                "そちらの結果をお待ちください。"
            )
            % {"company": company.name, "status": pending.get_status_display()},
        )
    if Engagement.objects.filter(company=company, status=EngagementStatus.ACTIVE).exists():
        raise ApplicationError(
            AdvisoryErrorCode.REQUEST_PENDING,
            _("%(company)s はいま伴走支援を受けています。終わってから申し込んでください。")
            % {"company": company.name},
        )


def _check_text(topics: str, description: str) -> tuple[str, str]:
    topics, description = topics.strip(), description.strip()
    errors = {}
    if not topics:
        errors["topics"] = _("相談したい分野を書いてください。")
    if not description:
        errors["description"] = _("相談の内容を書いてください。")
    if errors:
        raise invalid_input(AdvisoryErrorCode.REQUEST_INVALID, **errors)
    return topics, description


def _save_new(request: SupportRequest, company: Company) -> None:
    full_clean_or_raise(request, code=AdvisoryErrorCode.REQUEST_INVALID)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # a pending one arrived between the check and the save
        _refuse_pending(company)
        raise


def _require_ward(company: Company) -> int:
    if company.ward_id is None:
        raise ApplicationError(
            AdvisoryErrorCode.REQUEST_INVALID,
            _(
                "%(company)s の所管の区がまだ決まっていないため、申し込めません。"
                "区の窓口にお問い合わせください。"
            )
            % {"company": company.name},
        )
    return company.ward_id


@transaction.atomic
def support_request_create(
    *, actor: User, company: Company, topics: str, description: str
) -> SupportRequest:
    """The company's owner or staff asks the ward for an advisor."""
    require_role(
        actor,
        company,
        EDITOR_ROLES,
        AdvisoryErrorCode.NOT_COMPANY_EDITOR,
        _("派遣を申し込めるのは、この企業の経営者と事務・技術スタッフだけです。"),
    )
    topics, description = _check_text(topics, description)
    company = _lock_company(company)
    ward_id = _require_ward(company)
    _refuse_pending(company)
    request = SupportRequest(
        municipality_id=ward_id,
        company=company,
        origin=RequestOrigin.COMPANY,
        status=RequestStatus.OPEN,
        topics=topics,
        description=description,
        requested_by=actor,
    )
    _save_new(request, company)
    audit_record(
        actor=actor,
        verb="support_request.create",
        target=request,
        company=company,
        after={"topics": topics, "status": request.status},
    )
    return request


@transaction.atomic
def support_request_propose(
    *,
    actor: User,
    company: Company,
    topics: str,
    description: str,
    graduation: Graduation | None = None,
) -> SupportRequest:
    """An officer of the company's ward proposes an advisor (optionally after the
    company's dojo graduation); the company's owners are told and answer."""
    company = _lock_company(company)
    require_officer_of(actor, company.ward_id)
    ward_id = _require_ward(company)
    topics, description = _check_text(topics, description)
    if graduation is not None and graduation.company_id != company.pk:
        raise invalid_input(
            AdvisoryErrorCode.REQUEST_INVALID,
            graduation=_("この企業のDX道場の修了から選んでください。"),
        )
    _refuse_pending(company)
    request = SupportRequest(
        municipality_id=ward_id,
        company=company,
        origin=RequestOrigin.OFFICER,
        status=RequestStatus.PROPOSED,
        topics=topics,
        description=description,
        requested_by=actor,
        graduation=graduation,
    )
    _save_new(request, company)
    audit_record(
        actor=actor,
        verb="support_request.propose",
        target=request,
        company=company,
        after={"topics": topics, "graduation": graduation.pk if graduation else None},
    )
    notify_company(
        company=company,
        kind="support_proposed",
        params={"ward": request.municipality.name},
        path=company_path(),
        roles=OWNER_ROLES,
    )
    return request


def _lock_request(request: SupportRequest) -> SupportRequest:
    return (
        SupportRequest.objects.select_for_update()
        .select_related("company", "municipality")
        .get(pk=request.pk)
    )


def _require_status(request: SupportRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise ApplicationError(
            AdvisoryErrorCode.REQUEST_STATE,
            _("この申込はいま「%(status)s」なので、この操作はできません。")
            % {"status": request.get_status_display()},
        )


def _decide(request: SupportRequest, actor: User, status: str, note: str = "") -> str:
    before = request.status
    request.status = status
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.decision_note = note
    # requested_by may have been emptied (the person's account deleted): not this change's.
    full_clean_or_raise(request, code=AdvisoryErrorCode.REQUEST_INVALID, exclude=["requested_by"])
    request.save()
    return before


def _require_owner(actor: User, request: SupportRequest) -> None:
    require_role(
        actor,
        request.company,
        OWNER_ROLES,
        AdvisoryErrorCode.NOT_COMPANY_OWNER,
        _("区からの提案に回答できるのは、この企業の経営者だけです。"),
    )


@transaction.atomic
def support_proposal_accept(*, actor: User, request: SupportRequest) -> SupportRequest:
    """The owner accepts the ward's proposal: it waits for the office to assign a team."""
    request = _lock_request(request)
    _require_owner(actor, request)
    _require_status(request, RequestStatus.PROPOSED)
    before = _decide(request, actor, RequestStatus.OPEN)
    audit_record(
        actor=actor,
        verb="support_request.accept",
        target=request,
        company=request.company,
        before={"status": before},
        after={"status": request.status},
    )
    return request


@transaction.atomic
def support_proposal_decline(*, actor: User, request: SupportRequest) -> SupportRequest:
    """The owner declines the ward's proposal."""
    request = _lock_request(request)
    _require_owner(actor, request)
    _require_status(request, RequestStatus.PROPOSED)
    before = _decide(request, actor, RequestStatus.DECLINED, _("企業が提案を辞退"))
    audit_record(
        actor=actor,
        verb="support_request.decline_proposal",
        target=request,
        company=request.company,
        before={"status": before},
        after={"status": request.status},
    )
    return request


@transaction.atomic
def support_request_decline(*, actor: User, request: SupportRequest, reason: str) -> SupportRequest:
    """The office declines an open request (or takes back its own proposal), with the
    reason the company reads."""
    request = _lock_request(request)
    require_officer_of(actor, request.municipality_id)
    _require_status(request, *PENDING)
    reason = reason.strip()
    if not reason:
        raise invalid_input(
            AdvisoryErrorCode.REASON_REQUIRED, reason=_("お断りする理由を書いてください。")
        )
    if len(reason) > 300:
        raise invalid_input(
            AdvisoryErrorCode.REASON_REQUIRED, reason=_("理由は300文字以内で書いてください。")
        )
    before = _decide(request, actor, RequestStatus.DECLINED, reason)
    audit_record(
        actor=actor,
        verb="support_request.decline",
        target=request,
        company=request.company,
        before={"status": before},
        after={"status": request.status, "reason": reason},
    )
    notify_company(
        company=request.company,
        kind="support_declined",
        params={"reason": reason},
        path=company_path(),
    )
    return request


@transaction.atomic
def support_request_withdraw(*, actor: User, request: SupportRequest) -> SupportRequest:
    """The company's owner or staff withdraws its open request."""
    request = _lock_request(request)
    require_role(
        actor,
        request.company,
        EDITOR_ROLES,
        AdvisoryErrorCode.NOT_COMPANY_EDITOR,
        _("申込を取り下げられるのは、この企業の経営者と事務・技術スタッフだけです。"),
    )
    _require_status(request, RequestStatus.OPEN)
    before = _decide(request, actor, RequestStatus.WITHDRAWN)
    audit_record(
        actor=actor,
        verb="support_request.withdraw",
        target=request,
        company=request.company,
        before={"status": before},
        after={"status": request.status},
    )
    return request
