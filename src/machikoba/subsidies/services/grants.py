"""交付申請 and 交付決定, and the 計画変更申請 while the grant stands.

採択 makes a company a 交付候補 only: the company confirms its plan and amount in a
交付申請 (``grant_request``), and only the office's 交付決定 (``grant_decide``) grants
money, at most the amount requested (a lower amount needs a reason, which the 交付決定通知書
states). While the grant stands the company may ask to change its plan
(``change_request_file``); the office approves or not (``change_request_decide``), and an
approval may lower the decided amount, never raise it.

The checks every step after the selection shares (the company's editors, the ward's
officers, the state machine's table) are here too; ``reports`` and ``payments`` use them.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import EDITOR_ROLES, MANAGE, can, has_role
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.money import format_yen
from machikoba.core.notifications import notify_company
from machikoba.subsidies import money
from machikoba.subsidies.choices import ApplicationStatus, ChangeRequestStatus
from machikoba.subsidies.error_codes import SubsidyErrorCode
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode
from machikoba.subsidies.models import Application
from machikoba.subsidies.models_after import ChangeRequest
from machikoba.subsidies.services.internal import (
    application_transition,
    lock_application,
    may_move,
)

# The amounts the process fixes, validated together (the model's constraints compare them).
AMOUNT_FIELDS = ["requested_amount", "decided_amount", "confirmed_amount"]
CHANGE_FIELDS = ["status", "description", "reason", "decision_comment"]


# --- the checks every step after the selection shares -----------------------------------


def require_company(actor: User, application: Application) -> None:
    """Only the owner or staff of the company that applied (not an advisor, not the office)."""
    if not has_role(actor, application.company, EDITOR_ROLES):
        raise PermissionRefused(
            AfterSelectionErrorCode.NOT_COMPANY,
            _("この操作ができるのは、申請した企業の経営者・スタッフだけです。"),
        )


def require_office(actor: User, application: Application) -> None:
    """Only an officer of the ward whose call the application belongs to."""
    if not can(actor, MANAGE, application):
        raise PermissionRefused(
            AfterSelectionErrorCode.NOT_OFFICER,
            _("この操作ができるのは、この公募を実施する区の職員だけです。"),
        )


def require_step(application: Application, to: str, *, source: str | None = None) -> None:
    """Refuse before anything is written when the table does not let ``application``
    move to ``to`` (``application_transition`` checks again when it moves), or, for a
    step that is one of several ways into ``to``, when it does not stand at ``source``."""
    if not may_move(application, to) or (source is not None and application.status != source):
        raise ApplicationError(
            SubsidyErrorCode.TRANSITION_NOT_ALLOWED,
            _("この申請は「%(status)s」のため、この操作はできません。")
            % {"status": application.get_status_display()},
            status_code=409,
        )


def clean_amounts(application: Application, *, code: AfterSelectionErrorCode) -> None:
    """Validate the amounts (and the model's constraints between them) only: the rest of
    the application was validated when it was written."""
    others = [f.name for f in Application._meta.fields if f.name not in AMOUNT_FIELDS]
    full_clean_or_raise(application, code=code, exclude=others)


def grant_path(application: Application) -> str:
    return reverse("subsidies:grant_steps", args=[application.pk])


def yen_text(amount: int) -> str:
    """An amount for a notice's ``%(amount)s 円``: ``500,000``."""
    return f"{amount:,}"


def _is_yen(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unrounded_message(application: Application, amount: int) -> str | None:
    """Why ``amount`` cannot be a decided amount of ``application``'s stage: every amount
    the stage pays is cut down to its rounding unit (``arithmetic.subsidy_amount``), so a
    decided amount is a multiple of it; None when it is."""
    unit = application.stage.rounding
    if amount % unit == 0:
        return None
    return _(
        "交付決定額 %(amount)s は、このステージの端数の切捨て単位 %(unit)s で割り切れません。"
        "%(unit)s 単位で入力してください。"
    ) % {"amount": format_yen(amount), "unit": format_yen(unit)}


# --- 交付申請 and 交付決定 ---------------------------------------------------------------------


@transaction.atomic
def grant_request(*, actor: User, application: Application, confirm: bool) -> Application:
    """The company's 交付申請 after 採択: it confirms the plan and the amounts it applied
    for. The requested amount is the one fixed at submission (computed from the plan by
    ``money`` when the submission did not store it); nothing to request is refused."""
    require_company(actor, application)
    application = lock_application(application.pk)
    require_step(application, ApplicationStatus.GRANT_REQUESTED)
    if not confirm:
        raise invalid_input(
            AfterSelectionErrorCode.GRANT_REQUEST_INVALID,
            confirm=_(
                "計画と金額を確かめたら、「内容に間違いありません」にチェックを入れてください。"
            ),
        )
    requested = application.requested_amount
    if requested is None:
        requested = money.application_breakdown(application).subsidy
    if requested <= 0:
        raise ApplicationError(
            AfterSelectionErrorCode.GRANT_REQUEST_INVALID,
            _("補助金の申請額が 0 円のため、交付申請はできません。区の担当者にご相談ください。"),
        )
    application.requested_amount = requested
    clean_amounts(application, code=AfterSelectionErrorCode.GRANT_REQUEST_INVALID)
    application_transition(
        application=application,
        to=ApplicationStatus.GRANT_REQUESTED,
        actor=actor,
        comment=_("交付申請 (申請額 %(amount)s)") % {"amount": format_yen(requested)},
    )
    return application


@transaction.atomic
def grant_decide(
    *, actor: User, application: Application, amount: int | None = None, reason: str = ""
) -> Application:
    """The office's 交付決定: the decided amount is the requested one unless the officer
    gives a lower one (never higher, never 0, a multiple of the stage's rounding unit),
    and a lower one needs the reason the notice states."""
    require_office(actor, application)
    application = lock_application(application.pk)
    require_step(application, ApplicationStatus.GRANTED, source=ApplicationStatus.GRANT_REQUESTED)
    requested = application.requested_amount or 0
    decided = requested if amount is None else amount
    reason = (reason or "").strip()
    if not _is_yen(decided) or decided <= 0:
        raise invalid_input(
            AfterSelectionErrorCode.GRANT_AMOUNT_INVALID,
            amount=_("交付決定額は 1 円以上の整数 (円) で入力してください。"),
        )
    if decided > requested:
        raise invalid_input(
            AfterSelectionErrorCode.GRANT_ABOVE_REQUESTED,
            amount=_("交付決定額 %(decided)s は申請額 %(requested)s を超えられません。")
            % {"decided": format_yen(decided), "requested": format_yen(requested)},
        )
    # The requested amount came from the same arithmetic: only a typed one may be off.
    unrounded = _unrounded_message(application, decided) if decided != requested else None
    if unrounded is not None:
        raise invalid_input(AfterSelectionErrorCode.GRANT_AMOUNT_INVALID, amount=unrounded)
    if decided < requested and not reason:
        raise invalid_input(
            AfterSelectionErrorCode.GRANT_REASON_REQUIRED,
            reason=_(
                "申請額より少なく決定するときは、その理由を書いてください (通知書に載ります)。"
            ),
        )
    application.decided_amount = decided
    application.decided_at = timezone.now()
    clean_amounts(application, code=AfterSelectionErrorCode.GRANT_AMOUNT_INVALID)
    comment = _("交付決定額 %(amount)s") % {"amount": format_yen(decided)}
    if reason:
        comment = f"{comment}\n{reason}"
    application_transition(
        application=application, to=ApplicationStatus.GRANTED, actor=actor, comment=comment
    )
    notify_company(
        company=application.company,
        kind="subsidy_granted",
        params={"title": application.title, "amount": yen_text(decided)},
        path=grant_path(application),
    )
    return application


# --- 計画変更申請 -------------------------------------------------------------------------------


@transaction.atomic
def change_request_file(
    *, actor: User, application: Application, description: str, reason: str
) -> ChangeRequest:
    """The company asks to change its plan while the grant stands (交付決定 to 実績報告):
    what changes and why. One request waits for a decision at a time."""
    require_company(actor, application)
    application = lock_application(application.pk)
    if application.status != ApplicationStatus.GRANTED:
        raise ApplicationError(
            SubsidyErrorCode.TRANSITION_NOT_ALLOWED,
            _(
                "計画変更申請は、交付決定のあと実績報告を出すまでの間だけできます"
                " (今は「%(status)s」)。"
            )
            % {"status": application.get_status_display()},
            status_code=409,
        )
    description, reason = (description or "").strip(), (reason or "").strip()
    problems = {}
    if not description:
        problems["description"] = _("何をどう変えるのかを書いてください。")
    if not reason:
        problems["reason"] = _("変更する理由を書いてください。")
    if problems:
        raise invalid_input(AfterSelectionErrorCode.CHANGE_REQUEST_INVALID, **problems)
    if application.change_requests.filter(status=ChangeRequestStatus.PENDING).exists():
        raise ApplicationError(
            AfterSelectionErrorCode.CHANGE_REQUEST_PENDING,
            _("審査待ちの計画変更申請があります。その結果が出てから申請してください。"),
        )
    change = ChangeRequest(
        application=application, description=description, reason=reason, requested_by=actor
    )
    full_clean_or_raise(change, code=AfterSelectionErrorCode.CHANGE_REQUEST_INVALID)
    change.save()
    audit_record(
        actor=actor,
        verb="subsidy_change_request.file",
        target=change,
        company=application.company,
        after=snapshot(change, CHANGE_FIELDS),
    )
    return change


@transaction.atomic
def change_request_decide(
    *,
    actor: User,
    change_request: ChangeRequest,
    approve: bool,
    comment: str = "",
    decided_amount: int | None = None,
) -> ChangeRequest:
    """The office approves the change or not, with a comment (required when not). An
    approval may lower the decided amount (``decided_amount``, a multiple of the stage's
    rounding unit), never raise it."""
    application = change_request.application
    require_office(actor, application)
    application = lock_application(application.pk)
    change = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if change.status != ChangeRequestStatus.PENDING:
        raise ApplicationError(
            AfterSelectionErrorCode.CHANGE_REQUEST_DECIDED,
            _("この計画変更申請は、すでに「%(status)s」になっています。")
            % {"status": change.get_status_display()},
            status_code=409,
        )
    if application.status != ApplicationStatus.GRANTED:
        raise ApplicationError(
            SubsidyErrorCode.TRANSITION_NOT_ALLOWED,
            _("この申請は「%(status)s」のため、計画変更の判断はできません。")
            % {"status": application.get_status_display()},
            status_code=409,
        )
    comment = (comment or "").strip()
    if not approve and not comment:
        raise invalid_input(
            AfterSelectionErrorCode.CHANGE_DECISION_INVALID,
            comment=_("承認しないときは、その理由をコメントに書いてください。"),
        )
    current = application.decided_amount or 0
    if decided_amount is not None:
        if not approve:
            raise invalid_input(
                AfterSelectionErrorCode.CHANGE_DECISION_INVALID,
                decided_amount=_("交付決定額を変えられるのは、承認するときだけです。"),
            )
        if not _is_yen(decided_amount) or decided_amount <= 0:
            raise invalid_input(
                AfterSelectionErrorCode.CHANGE_DECISION_INVALID,
                decided_amount=_("交付決定額は 1 円以上の整数 (円) で入力してください。"),
            )
        if decided_amount > current:
            raise invalid_input(
                AfterSelectionErrorCode.CHANGE_DECISION_INVALID,
                decided_amount=_(
                    "計画変更で交付決定額を増やすことはできません (今の交付決定額は %(amount)s)。"
                )
                % {"amount": format_yen(current)},
            )
        unrounded = _unrounded_message(application, decided_amount)
        if unrounded is not None and decided_amount != current:
            raise invalid_input(
                AfterSelectionErrorCode.CHANGE_DECISION_INVALID, decided_amount=unrounded
            )
    before = snapshot(change, CHANGE_FIELDS)
    change.status = ChangeRequestStatus.APPROVED if approve else ChangeRequestStatus.REJECTED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.decision_comment = comment
    # requested_by may have gone with its account (SET_NULL): the decision still stands.
    full_clean_or_raise(
        change, code=AfterSelectionErrorCode.CHANGE_DECISION_INVALID, exclude=["requested_by"]
    )
    change.save()
    after = snapshot(change, CHANGE_FIELDS)
    if decided_amount is not None and decided_amount != current:
        application.decided_amount = decided_amount
        clean_amounts(application, code=AfterSelectionErrorCode.CHANGE_DECISION_INVALID)
        application.save(update_fields=["decided_amount", "updated_at"])
        before["decided_amount"], after["decided_amount"] = current, decided_amount
    audit_record(
        actor=actor,
        verb="subsidy_change_request.approve" if approve else "subsidy_change_request.reject",
        target=change,
        company=application.company,
        before=before,
        after=after,
    )
    notify_company(
        company=application.company,
        kind="subsidy_change_decided",
        params={
            "title": application.title,
            "result": change.get_status_display(),
            "comment": comment,
        },
        path=grant_path(application),
    )
    return change
