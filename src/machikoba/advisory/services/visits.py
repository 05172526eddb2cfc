"""Visit logs: an advisor of the engagement records a visit that has ended (date, start
and end, what was done, next steps); the company's owner signs it off by a tap; the
advisor may correct their own visit until it is signed off. One advisor's visits never
overlap, whichever engagement they belong to: the hours are what the ward pays for."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.advisory.error_codes import AdvisoryErrorCode
from machikoba.advisory.models import Advisor, Engagement, Visit
from machikoba.advisory.services._common import (
    company_path,
    hours_label,
    lock_engagement,
    not_on_team,
    require_active,
    team_advisor,
)
from machikoba.core.access import OWNER_ROLES, has_role
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.dates import format_date, format_datetime
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.notifications import notify_company

MAX_VISIT_MINUTES = 12 * 60
VISIT_FIELDS = ["starts_at", "ends_at", "minutes"]


def _check_times(
    *,
    advisor: Advisor,
    engagement: Engagement,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    work_done: str,
    exclude: Visit | None = None,
) -> int:
    """The visit's minutes, or the refusal of its times or text."""
    if not work_done.strip():
        raise invalid_input(
            AdvisoryErrorCode.VISIT_INVALID, work_done=_("実施内容を書いてください。")
        )
    if ends_at <= starts_at:
        raise invalid_input(
            AdvisoryErrorCode.VISIT_INVALID, ends_at=_("終了の時刻は開始より後にしてください。")
        )
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    if minutes > MAX_VISIT_MINUTES:
        raise invalid_input(
            AdvisoryErrorCode.VISIT_INVALID, ends_at=_("1回の訪問は12時間までにしてください。")
        )
    if ends_at > timezone.now():
        raise ApplicationError(
            AdvisoryErrorCode.VISIT_IN_FUTURE,
            _("まだ終わっていない訪問は記録できません。訪問が終わってから記録してください。"),
            fields={"date": [_("未来の日時になっています。")]},
        )
    if timezone.localtime(starts_at).date() < engagement.starts_on:
        raise invalid_input(
            AdvisoryErrorCode.VISIT_INVALID,
            date=_("派遣の開始日 (%(date)s) より前の訪問は記録できません。")
            % {"date": format_date(engagement.starts_on)},
        )
    clash = Visit.objects.filter(advisor=advisor, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    other = clash.order_by("starts_at").first()
    if other is not None:
        raise ApplicationError(
            AdvisoryErrorCode.VISIT_OVERLAP,
            _(
                "この時間は、すでに記録した別の訪問 (%(start)s〜%(end)s) と重なっています。"
                "時刻を確かめてください。"
            )
            % {
                "start": format_datetime(other.starts_at),
                "end": f"{timezone.localtime(other.ends_at):%H:%M}",
            },
        )
    return minutes


def _lock_advisor(advisor: Advisor) -> Advisor:
    # One advisor's visits are written one at a time, so two overlapping ones sent at
    # once cannot both pass the overlap check.
    return Advisor.objects.select_for_update().select_related("user").get(pk=advisor.pk)


@transaction.atomic
def visit_log(
    *,
    actor: User,
    engagement: Engagement,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    work_done: str,
    next_steps: str = "",
) -> Visit:
    """An advisor of the engagement records a visit that has ended; the company's owners
    are asked to sign it off."""
    engagement = lock_engagement(engagement)
    advisor = team_advisor(actor, engagement)
    if advisor is None:
        raise not_on_team()
    require_active(engagement)
    advisor = _lock_advisor(advisor)
    minutes = _check_times(
        advisor=advisor,
        engagement=engagement,
        starts_at=starts_at,
        ends_at=ends_at,
        work_done=work_done,
    )
    visit = Visit(
        engagement=engagement,
        advisor=advisor,
        starts_at=starts_at,
        ends_at=ends_at,
        minutes=minutes,
        work_done=work_done.strip(),
        next_steps=next_steps.strip(),
    )
    full_clean_or_raise(visit, code=AdvisoryErrorCode.VISIT_INVALID)
    visit.save()
    audit_record(
        actor=actor,
        verb="visit.log",
        target=visit,
        company=engagement.company,
        after=snapshot(visit, VISIT_FIELDS),
    )
    notify_company(
        company=engagement.company,
        kind="visit_logged",
        params={
            "advisor": actor.get_full_name(),
            "date": format_date(timezone.localtime(starts_at)),
            "hours": hours_label(minutes),
        },
        path=company_path(),
        roles=OWNER_ROLES,
    )
    return visit


def _lock_visit(visit: Visit) -> tuple[Visit, Engagement]:
    engagement = lock_engagement(visit.engagement)
    locked = Visit.objects.select_for_update().select_related("advisor__user").get(pk=visit.pk)
    locked.engagement = engagement
    return locked, engagement


def is_visit_author(actor: User, visit: Visit) -> bool:
    """Whether ``actor`` logged ``visit`` and is still on its engagement's team: the one
    person who may correct it (before the owner signs it off)."""
    return visit.advisor.user_id == actor.pk and team_advisor(actor, visit.engagement) is not None


@transaction.atomic
def visit_update(
    *,
    actor: User,
    visit: Visit,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    work_done: str,
    next_steps: str = "",
) -> Visit:
    """The advisor who logged the visit corrects it, until the owner has signed it off."""
    visit, engagement = _lock_visit(visit)
    if not is_visit_author(actor, visit):
        raise PermissionRefused(
            AdvisoryErrorCode.NOT_VISIT_AUTHOR,
            _("訪問記録を直せるのは、記録したアドバイザー本人だけです。"),
        )
    require_active(engagement)
    if visit.signed_off_at is not None:
        raise ApplicationError(
            AdvisoryErrorCode.VISIT_SIGNED_OFF,
            _("この訪問記録は企業が確認済みのため、直せません。"),
        )
    _lock_advisor(visit.advisor)
    minutes = _check_times(
        advisor=visit.advisor,
        engagement=engagement,
        starts_at=starts_at,
        ends_at=ends_at,
        work_done=work_done,
        exclude=visit,
    )
    before = snapshot(visit, VISIT_FIELDS)
    visit.starts_at, visit.ends_at, visit.minutes = starts_at, ends_at, minutes
    visit.work_done, visit.next_steps = work_done.strip(), next_steps.strip()
    full_clean_or_raise(visit, code=AdvisoryErrorCode.VISIT_INVALID)
    visit.save()
    audit_record(
        actor=actor,
        verb="visit.update",
        target=visit,
        company=engagement.company,
        before=before,
        after=snapshot(visit, VISIT_FIELDS),
    )
    return visit


@transaction.atomic
def visit_sign_off(*, actor: User, visit: Visit) -> Visit:
    """The company's owner confirms the visit by a tap. Idempotent: a second tap (or a
    second owner) leaves the first sign-off as it is."""
    visit, engagement = _lock_visit(visit)
    if not has_role(actor, engagement.company, OWNER_ROLES):
        raise PermissionRefused(
            AdvisoryErrorCode.NOT_COMPANY_OWNER,
            _("訪問記録を確認できるのは、この企業の経営者だけです。"),
        )
    if visit.signed_off_at is not None:
        return visit
    visit.signed_off_at = timezone.now()
    visit.signed_off_by = actor
    visit.save(update_fields=["signed_off_at", "signed_off_by"])
    audit_record(
        actor=actor,
        verb="visit.sign_off",
        target=visit,
        company=engagement.company,
        after={"minutes": visit.minutes},
    )
    return visit
