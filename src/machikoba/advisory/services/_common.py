"""Checks and helpers every advisory service shares: who may act, row locks, notice
paths. Not for views: they call the services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.advisory.choices import EngagementStatus
from machikoba.advisory.error_codes import AdvisoryErrorCode
from machikoba.advisory.models import Advisor, Engagement, EngagementMember
from machikoba.core.access import CHANGE, MANAGE, WARD_OFFICER, can, municipality_ids_for
from machikoba.core.errors import ApplicationError, PermissionRefused


def officer_ward_ids(actor: User) -> list[int]:
    return municipality_ids_for(actor, WARD_OFFICER)


def require_officer_of(actor: User, municipality_id: int | None) -> None:
    """Only an officer of the ward the record belongs to."""
    if municipality_id is None or municipality_id not in officer_ward_ids(actor):
        raise PermissionRefused(
            AdvisoryErrorCode.NOT_WARD_OFFICER,
            _("この操作ができるのは、この企業の区の担当職員だけです。"),
        )


def lock_engagement(engagement: Engagement) -> Engagement:
    """The engagement row is the lock of every change to it, its phases and its visits."""
    return Engagement.objects.select_for_update().select_related("company").get(pk=engagement.pk)


def require_active(engagement: Engagement) -> None:
    if engagement.status != EngagementStatus.ACTIVE:
        raise ApplicationError(
            AdvisoryErrorCode.ENGAGEMENT_NOT_ACTIVE,
            _("この派遣は「%(status)s」です。変更はできません。")
            % {"status": engagement.get_status_display()},
        )


def not_on_team() -> PermissionRefused:
    return PermissionRefused(AdvisoryErrorCode.NOT_ON_TEAM, _("この企業の担当ではありません。"))


def require_team_or_office(actor: User, engagement: Engagement) -> None:
    """The team (advisors named on it) and the ward's officers change phases, notes,
    evidence and measurements."""
    if not can(actor, CHANGE, engagement):
        raise not_on_team()


def is_office(actor: User, engagement: Engagement) -> bool:
    return can(actor, MANAGE, engagement)


def team_advisor(actor: User, engagement: Engagement) -> Advisor | None:
    """The actor's own roster entry when they are on the engagement's team (active)."""
    member = (
        EngagementMember.objects.filter(
            engagement=engagement, advisor__user=actor, advisor__active=True
        )
        .select_related("advisor")
        .first()
    )
    if member is None or not can(actor, CHANGE, engagement):
        return None
    return member.advisor


def engagement_path(engagement: Engagement) -> str:
    return reverse("advisory:engagement", args=[engagement.pk])


def company_path() -> str:
    return reverse("advisory:company")


def hours_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return _("%(h)s 時間") % {"h": hours}
    if hours == 0:
        return _("%(m)s 分") % {"m": rest}
    return _("%(h)s 時間 %(m)s 分") % {"h": hours, "m": rest}
