"""Checks shared by the board's write modules: who may act for a company, whether a
request still takes answers, and the save that turns a lost race into the same refusal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from machikoba.board.choices import RequestStatus, TeamStatus
from machikoba.board.error_codes import BoardErrorCode
from machikoba.board.models import Request, Team
from machikoba.companies.choices import CompanyKind
from machikoba.core.access import EDITOR_ROLES, VIEW, require_role
from machikoba.core.errors import ApplicationError, PermissionRefused

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from machikoba.accounts.models import User
    from machikoba.companies.models import Company


def _save_once(instance: models.Model, *, code: str, message: str) -> None:
    """Save a row a unique constraint allows once; a concurrent twin that got there
    first is the same refusal as the validation's, not a server error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ApplicationError(code, message) from None


def _require_editor(actor: User, company: Company, message: str | _StrPromise) -> None:
    require_role(actor, company, EDITOR_ROLES, "not_company_editor", message)


def _require_poster(actor: User, request: Request) -> None:
    _require_editor(
        actor,
        request.company,
        _("引き合いを管理できるのは、掲示した企業の経営者とスタッフだけです。"),
    )


def _require_open(request: Request) -> None:
    if request.status != RequestStatus.OPEN:
        raise ApplicationError(
            BoardErrorCode.REQUEST_NOT_OPEN,
            _("この引き合いは受付を終えています (発注先決定または取り下げ)。"),
        )


def _require_shop(actor: User, company: Company) -> None:
    _require_editor(actor, company, _("この操作ができるのは、企業の経営者とスタッフだけです。"))
    if company.kind != CompanyKind.SHOP or not company.is_active:
        raise PermissionRefused(
            BoardErrorCode.NOT_NETWORK_SHOP,
            _("掲示板に参加できるのは、仲間まわしに参加している町工場です。"),
        )


def _require_visible(actor: User, request: Request) -> None:
    if not Request.objects.for_user(actor, VIEW).filter(pk=request.pk).exists():
        raise PermissionRefused(
            BoardErrorCode.REQUEST_NOT_VISIBLE, _("この引き合いは見られません。")
        )


def _require_lead(actor: User, team: Team) -> None:
    _require_editor(
        actor,
        team.lead,
        _("チームを編成できるのは、幹事企業の経営者とスタッフだけです。"),
    )


def _require_forming(team: Team) -> None:
    if team.status != TeamStatus.FORMING:
        raise ApplicationError(
            BoardErrorCode.TEAM_NOT_FORMING,
            _(
                "見積を提出したチームは変更できません。変更するときは、先に見積を取り下げてください。"
            )
            if team.status == TeamStatus.QUOTED
            else _("このチームはすでに終了しています。"),
        )
