"""Reads of the calls for the applicant: the calls a company may apply to, one call's page,
and whether (and why not) a company may start an application to a stage now.

Who may start an application is decided here once (``start_refusal``): the pages show its
answer and ``services.applications.application_start`` raises it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.advisory.choices import EngagementStatus
from machikoba.advisory.models import Engagement
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, EDITOR_ROLES, VIEW, get_for_user_or_404, has_role
from machikoba.core.dates import format_datetime
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.programs.choices import ProgramKind
from machikoba.programs.selectors.graduates import graduations_of
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.error_codes_apply import ApplyErrorCode
from machikoba.subsidies.models import (
    Application,
    AttachmentRequirement,
    BonusCriterion,
    Call,
    ExpenseCategory,
    RubricCriterion,
    Stage,
)
from machikoba.subsidies.selectors.breakdown import rate_label

# --- who may start an application -------------------------------------------------------


def _to_the_second(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=0)


def is_past_deadline(call: Call, now: dt.datetime) -> bool:
    """Whether ``now`` is after ``closes_at``, to the second: the whole second the call
    closes at still counts (17:00:00.4 is on time when it closes at 17:00:00)."""
    return _to_the_second(now) > _to_the_second(call.closes_at)


def call_is_open(call: Call, now: dt.datetime | None = None) -> bool:
    """Applications are accepted from ``opens_at`` until ``closes_at`` itself (to the
    second)."""
    now = now or timezone.now()
    return call.opens_at <= now and not is_past_deadline(call, now)


def window_refusal(call: Call, now: dt.datetime | None = None) -> ApplicationError | None:
    """Why the call takes no application at ``now`` (not yet open, or past its deadline to
    the second), or None."""
    now = now or timezone.now()
    if now < call.opens_at:
        return ApplicationError(
            ApplyErrorCode.CALL_NOT_OPEN,
            _("この公募の受付は %(opens)s からです。") % {"opens": format_datetime(call.opens_at)},
        )
    if is_past_deadline(call, now):
        return ApplicationError(
            ApplyErrorCode.DEADLINE_PASSED,
            _("受付は %(closes)s に締め切りました。締切を過ぎた申請は受け付けられません。")
            % {"closes": closes_label(call)},
        )
    return None


def closes_label(call: Call) -> str:
    return f"{timezone.localtime(call.closes_at):%Y/%m/%d %H:%M:%S}"


def advised_company_ids(user: User) -> list[int]:
    """The companies ``user`` supports now as an advisor (an active engagement names them,
    their advisor grant for its ward in force)."""
    return sorted(
        set(
            Engagement.objects.for_user(user, CHANGE)
            .filter(
                status=EngagementStatus.ACTIVE,
                members__advisor__user=user,
                members__advisor__active=True,
            )
            .values_list("company_id", flat=True)
        )
    )


def advised_companies(user: User, call: Call | None = None) -> list[Company]:
    """The companies ``user`` advises (in ``call``'s ward when given), for the advisor's
    company choice."""
    companies = Company.objects.filter(pk__in=advised_company_ids(user), is_active=True)
    if call is not None:
        companies = companies.filter(ward_id=call.municipality_id)
    return list(companies.order_by("name", "pk"))


def is_company_editor(user: User, company: Company) -> bool:
    return has_role(user, company, EDITOR_ROLES)


def may_file_for(user: User, company: Company) -> bool:
    """The company's owner and staff, and an advisor supporting it now."""
    return is_company_editor(user, company) or company.pk in advised_company_ids(user)


def live_application(stage: Stage, company: Company) -> Application | None:
    """The company's application to ``stage`` that is not withdrawn (at most one)."""
    return (
        Application.objects.filter(stage=stage, company=company)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .first()
    )


def start_refusal(
    actor: User, stage: Stage, company: Company, now: dt.datetime | None = None
) -> ApplicationError | None:
    """Why ``actor`` may not start an application of ``company`` to ``stage`` now, or
    None. The pages show it; ``services.applications.application_start`` raises it."""
    call = stage.call
    if not may_file_for(actor, company) or not (
        Call.objects.for_user(actor, VIEW).filter(pk=call.pk).exists()
    ):
        return PermissionRefused(
            ApplyErrorCode.NOT_ALLOWED,
            _(
                "申請を作れるのは、その会社の経営者・スタッフと、"
                "その会社を支援中のアドバイザーだけです。"
            ),
        )
    if company.kind != CompanyKind.SHOP:
        # The subsidy is for the ward's manufacturers: a buyer, an IT vendor or a bank on
        # the platform is not one, even in the ward.
        return ApplicationError(
            ApplyErrorCode.NOT_MANUFACTURER,
            _("この補助金の対象は、区内の製造業 (町工場) です。この会社は申請できません。"),
        )
    if company.ward_id != call.municipality_id:
        return ApplicationError(
            ApplyErrorCode.WRONG_WARD,
            _("この公募は%(ward)sの企業が対象です。") % {"ward": call.municipality.name},
        )
    refusal = window_refusal(call, now)
    if refusal is not None:
        return refusal
    if live_application(stage, company) is not None:
        return ApplicationError(
            ApplyErrorCode.ALREADY_APPLIED,
            _(
                "この会社は、このステージにすでに申請しています (下書きを含みます)。"
                "「わたしの申請」から続きを入力できます。"
            ),
        )
    return None


# --- calls --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageCard:
    stage: Stage
    rate_label: str
    categories: list[ExpenseCategory]
    attachments: list[AttachmentRequirement]
    refusal: str | None  # why the company may not apply; None: it may
    existing: Application | None  # the company's live application to this stage

    @property
    def may_apply(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class CallCard:
    call: Call
    open: bool
    closes_label: str
    stages: list[StageCard]


def _stage_card(
    user: User, stage: Stage, company: Company | None, existing: dict[int, Application]
) -> StageCard:
    found = existing.get(stage.pk)
    if company is None:
        refusal: str | None = _("申請する会社を選んでください。")
    elif found is not None:
        refusal = _("このステージには申請済みです。")
    else:
        error = start_refusal(user, stage, company)
        refusal = str(error.message) if error is not None else None
    return StageCard(
        stage=stage,
        rate_label=rate_label(stage),
        categories=list(stage.categories.all()),
        attachments=list(stage.attachment_requirements.all()),
        refusal=refusal,
        existing=found,
    )


def _calls(user: User) -> Any:
    return (
        Call.objects.for_user(user, VIEW)
        .select_related("municipality")
        .prefetch_related("stages__categories", "stages__attachment_requirements")
    )


def _existing(company: Company | None, calls: list[Call]) -> dict[int, Application]:
    if company is None:
        return {}
    rows = (
        Application.objects.filter(company=company, stage__call__in=calls)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .only("pk", "stage_id", "status", "company_id")
    )
    return {row.stage_id: row for row in rows}


def _call_card(
    user: User, call: Call, company: Company | None, existing: dict[int, Application]
) -> CallCard:
    return CallCard(
        call=call,
        open=call_is_open(call),
        closes_label=closes_label(call),
        stages=[_stage_card(user, stage, company, existing) for stage in call.stages.all()],
    )


def open_calls(user: User, company: Company | None) -> list[CallCard]:
    """The calls ``user`` may read that have not closed yet (open ones first), for the
    company's ward (an advisor without a company: the wards of the companies they
    support), each stage with whether the company may apply and why not."""
    calls = _calls(user).filter(closes_at__gte=timezone.now())
    if company is not None:
        calls = calls.filter(municipality_id=company.ward_id)
    else:
        wards = Company.objects.filter(pk__in=advised_company_ids(user)).values("ward")
        calls = calls.filter(municipality__in=wards)
    rows = sorted(calls, key=lambda c: (c.opens_at > timezone.now(), c.closes_at, c.pk))
    existing = _existing(company, rows)
    return [_call_card(user, call, company, existing) for call in rows]


@dataclass(frozen=True)
class CallPage:
    card: CallCard
    company: Company | None
    companies: list[Company]  # an advisor's choice of company
    dojo_graduate: bool
    rubric: list[RubricCriterion]
    bonus: list[BonusCriterion]


def call_page(user: User, call: Call, company: Company | None) -> CallPage:
    call = get_for_user_or_404(_calls(user), user, VIEW, pk=call.pk)
    companies = [] if company is not None else advised_companies(user, call)
    graduate = is_dojo_graduate(company)
    return CallPage(
        card=_call_card(user, call, company, _existing(company, [call])),
        company=company,
        companies=companies,
        dojo_graduate=graduate,
        rubric=list(RubricCriterion.objects.for_user(user, VIEW).filter(call=call)),
        bonus=list(BonusCriterion.objects.for_user(user, VIEW).filter(call=call)),
    )


def is_dojo_graduate(company: Company | None) -> bool:
    """Whether the company graduated from a DX道場 (its bonus point is verified from the
    programme's records, nothing for the applicant to do). Trusted read of ``company``."""
    if company is None:
        return False
    return any(g.program_kind == ProgramKind.DOJO for g in graduations_of(company))
