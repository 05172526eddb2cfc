"""Software trials: a shop's owner or staff asks for a time-boxed trial licence of a
software a vendor exhibits (``Item.trial_days`` set), one open request per company and
software; the vendor's owner or staff approves it with its first and last day (at most
``trial_days`` days, not starting in the past) and a licence note, or declines with a
reason; the shop may withdraw; after its last day the vendor, or the daily task
``tasks_vendors.end_due_trials``, ends it."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import EDITOR_ROLES, require_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input
from machikoba.core.notifications import notify_company
from machikoba.lab.choices import ItemKind, TrialStatus
from machikoba.lab.error_codes_vendors import VendorErrorCode
from machikoba.lab.models import Item
from machikoba.lab.models_vendors import TrialRequest
from machikoba.lab.services.demos import (
    lock_item,
    refuse_own_exhibit,
    require_exhibit,
    require_vendor_editor,
)

MESSAGE_MAX = 1000
REASON_MAX = 300
OPEN_TRIAL_STATUSES = (TrialStatus.REQUESTED, TrialStatus.ACTIVE)

# Which status may follow which; the pages read the same table for their buttons.
TRIAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    TrialStatus.REQUESTED: (TrialStatus.ACTIVE, TrialStatus.DECLINED, TrialStatus.WITHDRAWN),
    TrialStatus.ACTIVE: (TrialStatus.ENDED, TrialStatus.WITHDRAWN),
    TrialStatus.DECLINED: (),
    TrialStatus.ENDED: (),
    TrialStatus.WITHDRAWN: (),
}


def trial_may_move(current: str, to: str) -> bool:
    return to in TRIAL_TRANSITIONS.get(current, ())


def _path(trial: TrialRequest) -> str:
    return reverse("lab:trial", args=[trial.pk])


def _day(value: dt.date | None) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def _open_trial_refusal(company: Company, trial: TrialRequest) -> ApplicationError:
    return ApplicationError(
        VendorErrorCode.TRIAL_OPEN_EXISTS,
        _("%(company)s はこのソフトウェアの試用をすでに申し込んでいます (%(status)s)。")
        % {"company": company.name, "status": trial.get_status_display()},
    )


def _require_shop_editor(actor: User, company: Company) -> None:
    require_role(
        actor,
        company,
        EDITOR_ROLES,
        VendorErrorCode.NOT_SHOP_EDITOR,
        _("試用の申込みと取下げができるのは、%(company)s の経営者と事務・技術スタッフだけです。")
        % {"company": company.name},
    )


@transaction.atomic
def trial_request_create(
    *, actor: User, company: Company, item: Item, message: str = ""
) -> TrialRequest:
    """A shop's owner or staff asks for a trial licence of ``item``; the vendor is told."""
    _require_shop_editor(actor, company)
    item = lock_item(item)
    require_exhibit(item)
    if item.kind != ItemKind.SOFTWARE or not item.trial_days:
        raise ApplicationError(
            VendorErrorCode.TRIAL_NOT_OFFERED,
            _("「%(item)s」は試用ライセンスの申込みを受け付けていません。") % {"item": item.name},
        )
    refuse_own_exhibit(company, item, _("自社のソフトウェアの試用は申し込めません。"))
    message = message.strip()
    if len(message) > MESSAGE_MAX:
        raise invalid_input(
            VendorErrorCode.TRIAL_INVALID,
            message=_("%(max)s 文字以内で書いてください。") % {"max": MESSAGE_MAX},
        )
    open_trial = TrialRequest.objects.filter(
        item=item, company=company, status__in=OPEN_TRIAL_STATUSES
    ).first()
    if open_trial is not None:
        raise _open_trial_refusal(company, open_trial)
    trial = TrialRequest(item=item, company=company, user=actor, message=message)
    full_clean_or_raise(
        trial,
        code=VendorErrorCode.TRIAL_INVALID,
        duplicate_code=VendorErrorCode.TRIAL_OPEN_EXISTS,
        duplicate_message=_("%(company)s はこのソフトウェアの試用をすでに申し込んでいます。")
        % {"company": company.name},
    )
    try:
        with transaction.atomic():
            trial.save()
    except IntegrityError:  # another request arrived between the check and the save
        raise ApplicationError(
            VendorErrorCode.TRIAL_OPEN_EXISTS,
            _("%(company)s はこのソフトウェアの試用をすでに申し込んでいます。")
            % {"company": company.name},
        ) from None
    audit_record(
        actor=actor,
        verb="lab_trial.request",
        target=trial,
        company=company,
        after={"item": item.pk, "status": trial.status},
    )
    vendor = item.exhibitor
    if vendor is not None:
        notify_company(
            company=vendor,
            kind="lab_trial_requested",
            params={"company": company.name, "item": item.name},
            path=_path(trial),
        )
    return trial


def _lock(trial: TrialRequest) -> TrialRequest:
    return (
        TrialRequest.objects.select_for_update(of=("self",))
        .select_related("item__lab", "item__exhibitor", "company")
        .get(pk=trial.pk)
    )


def _require_may_move(trial: TrialRequest, to: str) -> None:
    if not trial_may_move(trial.status, to):
        raise ApplicationError(
            VendorErrorCode.TRIAL_STATE,
            _("この試用は「%(status)s」のため、この操作はできません。")
            % {"status": trial.get_status_display()},
        )


def _move(trial: TrialRequest, to: str, actor: User | None, **after: object) -> None:
    """Take ``trial`` (locked) to ``to`` by the table, save it and record the change."""
    _require_may_move(trial, to)
    before = trial.status
    trial.status = to
    # The person who asked may have left (account deleted): not this change's concern.
    full_clean_or_raise(trial, code=VendorErrorCode.TRIAL_INVALID, exclude=["user"])
    trial.save()
    verb = {
        TrialStatus.ACTIVE: "lab_trial.approve",
        TrialStatus.DECLINED: "lab_trial.decline",
        TrialStatus.WITHDRAWN: "lab_trial.withdraw",
        TrialStatus.ENDED: "lab_trial.end",
    }[TrialStatus(to)]
    audit_record(
        actor=actor,
        verb=verb,
        target=trial,
        company=trial.company,
        before={"status": before},
        after={"status": to, **after},
    )


def _vendor_name(trial: TrialRequest) -> str:
    return trial.item.exhibitor.name if trial.item.exhibitor else ""


@transaction.atomic
def trial_approve(
    *,
    actor: User,
    trial: TrialRequest,
    starts_on: dt.date,
    ends_on: dt.date,
    licence_note: str,
) -> TrialRequest:
    """The vendor's owner or staff approves a requested trial from ``starts_on`` through
    ``ends_on`` (both included) with the licence note the shop reads; the shop is told."""
    trial = _lock(trial)
    require_vendor_editor(actor, trial.item)
    _require_may_move(trial, TrialStatus.ACTIVE)
    licence_note = licence_note.strip()
    if not licence_note:
        raise invalid_input(
            VendorErrorCode.TRIAL_INVALID,
            licence_note=_("ログイン方法など、ライセンスの案内を書いてください。"),
        )
    if len(licence_note) > MESSAGE_MAX:
        raise invalid_input(
            VendorErrorCode.TRIAL_INVALID,
            licence_note=_("%(max)s 文字以内で書いてください。") % {"max": MESSAGE_MAX},
        )
    if starts_on < timezone.localdate():
        raise invalid_input(
            VendorErrorCode.TRIAL_START_PAST,
            starts_on=_("試用開始日は今日以降の日付にしてください。"),
        )
    if ends_on < starts_on:
        raise invalid_input(
            VendorErrorCode.TRIAL_INVALID, ends_on=_("試用終了日は開始日以降にしてください。")
        )
    limit = trial.item.trial_days
    if not limit:
        raise ApplicationError(
            VendorErrorCode.TRIAL_NOT_OFFERED,
            _(
                "「%(item)s」は試用ライセンスの日数が決まっていません。展示品の設定を確認してください。"
            )
            % {"item": trial.item.name},
        )
    days = (ends_on - starts_on).days + 1
    if days > limit:
        raise invalid_input(
            VendorErrorCode.TRIAL_TOO_LONG,
            ends_on=_("試用期間は最長 %(limit)s 日です (指定は %(days)s 日)。")
            % {"limit": limit, "days": days},
        )
    trial.starts_on = starts_on
    trial.ends_on = ends_on
    trial.licence_note = licence_note
    trial.decided_by = actor
    trial.decided_at = timezone.now()
    _move(trial, TrialStatus.ACTIVE, actor, starts_on=str(starts_on), ends_on=str(ends_on))
    notify_company(
        company=trial.company,
        kind="lab_trial_approved",
        params={
            "vendor": _vendor_name(trial),
            "item": trial.item.name,
            "starts": _day(starts_on),
            "ends": _day(ends_on),
        },
        path=_path(trial),
    )
    return trial


@transaction.atomic
def trial_decline(*, actor: User, trial: TrialRequest, reason: str) -> TrialRequest:
    """The vendor's owner or staff declines a requested trial, with the reason the shop
    reads."""
    trial = _lock(trial)
    require_vendor_editor(actor, trial.item)
    _require_may_move(trial, TrialStatus.DECLINED)
    reason = reason.strip()
    if not reason:
        raise invalid_input(
            VendorErrorCode.TRIAL_INVALID, reason=_("お断りの理由を書いてください。")
        )
    if len(reason) > REASON_MAX:
        raise invalid_input(
            VendorErrorCode.TRIAL_INVALID,
            reason=_("%(max)s 文字以内で書いてください。") % {"max": REASON_MAX},
        )
    trial.decline_reason = reason
    trial.decided_by = actor
    trial.decided_at = timezone.now()
    _move(trial, TrialStatus.DECLINED, actor, reason=reason)
    notify_company(
        company=trial.company,
        kind="lab_trial_declined",
        params={"vendor": _vendor_name(trial), "item": trial.item.name, "reason": reason},
        path=_path(trial),
    )
    return trial


@transaction.atomic
def trial_withdraw(*, actor: User, trial: TrialRequest) -> TrialRequest:
    """The shop's owner or staff withdraws its request, or stops a running trial; the
    vendor is told."""
    trial = _lock(trial)
    _require_shop_editor(actor, trial.company)
    if trial.status == TrialStatus.ACTIVE:
        trial.ended_at = timezone.now()
    _move(trial, TrialStatus.WITHDRAWN, actor)
    vendor = trial.item.exhibitor
    if vendor is not None:
        notify_company(
            company=vendor,
            kind="lab_trial_withdrawn",
            params={"company": trial.company.name, "item": trial.item.name},
            path=_path(trial),
        )
    return trial


def _end(trial: TrialRequest, actor: User | None) -> None:
    trial.ended_at = timezone.now()
    _move(trial, TrialStatus.ENDED, actor)
    notify_company(
        company=trial.company,
        kind="lab_trial_ended",
        params={"item": trial.item.name, "ends": _day(trial.ends_on)},
        path=_path(trial),
    )


@transaction.atomic
def trial_end(*, actor: User, trial: TrialRequest) -> TrialRequest:
    """The vendor's owner or staff ends a trial whose last day has passed."""
    trial = _lock(trial)
    require_vendor_editor(actor, trial.item)
    _require_may_move(trial, TrialStatus.ENDED)
    if trial.ends_on is not None and trial.ends_on >= timezone.localdate():
        raise ApplicationError(
            VendorErrorCode.TRIAL_NOT_DUE,
            _("試用期間は %(date)s までです。終了にできるのは、その翌日からです。")
            % {"date": _day(trial.ends_on)},
        )
    _end(trial, actor)
    return trial


def trials_end_due(*, today: dt.date | None = None) -> int:
    """End every running trial whose last day is before ``today`` (default: today); the
    number ended. Run daily by ``tasks_vendors.end_due_trials``; each trial in its own
    transaction, so one failure does not hold back the others."""
    day = today or timezone.localdate()
    due = TrialRequest.objects.filter(status=TrialStatus.ACTIVE, ends_on__lt=day)
    ended = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            trial = _lock(TrialRequest(pk=pk))
            if trial.status != TrialStatus.ACTIVE or trial.ends_on is None:
                continue  # the vendor or the shop acted meanwhile
            if trial.ends_on >= day:
                continue
            _end(trial, None)
            ended += 1
    return ended
