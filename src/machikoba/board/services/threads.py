"""Message threads of the board: between a request's poster and one shop, and one for a
whole team. Who the parties are is decided here, through the access layer, before the
caller-trusted ``messaging.internal.thread_open`` is called."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.board.choices import IN_TEAM, AdmissionStatus
from machikoba.board.error_codes import BoardErrorCode
from machikoba.board.models import Admission, Request, Team
from machikoba.board.selectors import sees_details
from machikoba.core.access import MEMBER_ROLES, VIEW, has_role
from machikoba.core.errors import PermissionRefused
from machikoba.messaging.internal import thread_open
from machikoba.messaging.models import Thread
from machikoba.messaging.services import thread_participant_remove

if TYPE_CHECKING:
    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


def _answers_for(actor: User, request: Request, shop: Company) -> bool:
    """Whether ``shop`` is a party the poster may write to: admitted, or leading a team."""
    admitted: bool = (
        Admission.objects.for_user(actor, VIEW)
        .filter(request=request, company=shop, status=AdmissionStatus.ADMITTED)
        .exists()
    )
    if admitted:
        return True
    leads: bool = Team.objects.for_user(actor, VIEW).filter(request=request, lead=shop).exists()
    return leads


def request_thread_open(
    *, actor: User, request: Request, company: Company, party: Company
) -> Thread:
    """The thread between a request's poster and one shop; ``actor`` writes for
    ``company`` to ``party``. The poster's people write to a shop it admitted or whose team
    answers; a shop's people write to the poster once they see the details."""
    if has_role(actor, request.company, MEMBER_ROLES):
        shop = party
        allowed = _answers_for(actor, request, shop)
    else:
        shop = company
        allowed = (
            has_role(actor, company, MEMBER_ROLES)
            and party.pk == request.company_id
            and sees_details(actor, request)
        )
    if not allowed:
        raise PermissionRefused(
            BoardErrorCode.THREAD_NOT_ALLOWED, _("この企業とのメッセージは開けません。")
        )
    return thread_open(
        key=f"request:{request.pk}:shop:{shop.pk}",
        title=_("引き合い: %(part)s") % {"part": request.part_name},
        companies=[request.company, shop],
        subject_path=reverse("board:request_detail", args=[request.pk]),
    )


def team_thread_open(*, actor: User, team: Team) -> Thread:
    """One thread for the whole team: the lead and its current members. Only their people
    open it."""
    active = list(team.members.filter(status__in=IN_TEAM).select_related("company"))
    if not any(has_role(actor, m.company, MEMBER_ROLES) for m in active):
        raise PermissionRefused(
            BoardErrorCode.THREAD_NOT_ALLOWED, _("このチームのメッセージは開けません。")
        )
    return thread_open(
        key=f"team:{team.pk}",
        title=_("チーム: %(part)s") % {"part": team.request.part_name},
        companies=[m.company for m in active],
        subject_path=reverse("board:team_detail", args=[team.pk]),
    )


def _team_thread_leave(actor: User, team: Team, company: Company) -> None:
    """A company taken off a team leaves its thread (if it was in it)."""
    thread = Thread.objects.filter(subject_key=f"team:{team.pk}").first()
    if (
        thread is not None
        and thread.participants.filter(company=company, removed_at__isnull=True).exists()
    ):
        thread_participant_remove(actor=actor, thread=thread, company=company)
