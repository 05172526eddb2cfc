"""The confirmation of a stage's selection (採択) within its budget: the selected
applications become 採択 (交付候補), the rest of the stage's screening ones 不採択, and
each company is told.

What a company reads never names its rank, a score or the officer's reason for editing
the proposal: a 不採択 gets one standard reason (``NOT_SELECTED_REASON``). The rank, the
totals and the officer's reason stay in the ``Selection`` row and the audit log, for the
ward's officers.

Locks, in the order every screening write takes them (call → stage → application): two
officers confirming one stage's selection at once are serialised on the call's and the
stage's rows (``select_for_update``); the second finds the selection made and is
refused. Locking the call too keeps two stages of one call from spending its remaining
budget twice. Then every application of the stage is locked (by pk) before the ranking
is read, so an eligibility check, a reviewer assigned or taken off, a score submitted or
a bonus verified at the same moment either comes before the ranking or waits for the
selection (and is then refused).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import MANAGE
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused, invalid_input
from machikoba.core.money import format_yen
from machikoba.core.notifications import notify_company
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode
from machikoba.subsidies.models import Application, Call, Stage
from machikoba.subsidies.models_screening import Selection
from machikoba.subsidies.selectors.ranking import (
    NOT_SELECTED_REASON,
    UNCHECKED_STATUSES,
    confirmation_blockers,
    proposal,
)
from machikoba.subsidies.services._screening_checks import (
    REASON_MAX_LENGTH,
    _bounded_text,
    _names,
    application_path,
)
from machikoba.subsidies.services.internal import application_transition, lock_application


def _yen(amount: int) -> str:
    return format_yen(amount, "ja")


# --- the selection ----------------------------------------------------------------------------


def _lock_stage_applications(stage: Stage) -> None:
    """Lock every application of ``stage`` (in pk order, as two confirmations of one
    stage both take them), whatever its status: a step on one of them waits until the
    selection is made."""
    list(
        Application.objects.select_for_update()
        .filter(stage=stage)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def selection_confirm(
    *,
    actor: User,
    stage: Stage,
    selected_ids: Sequence[int] | None = None,
    reason: str = "",
) -> Selection:
    """The officer confirms the stage's selection: as the platform proposed it
    (``selected_ids`` None, or the same applications) or edited, with a reason. The
    selected total may not exceed the stage's budget, nor what is left of the call's
    after its other confirmed stages, and only once no application of the stage waits
    for its eligibility check or is returned to the company (差戻し). The selected
    applications become 採択 (交付候補), the rest of the stage's screening ones 不採択 with
    the standard reason; each company is told. One confirmation per stage."""
    if not Stage.objects.for_user(actor, MANAGE).filter(pk=stage.pk).exists():
        raise PermissionRefused(
            ScreeningErrorCode.NOT_OFFICER,
            _("採択を確定できるのは、公募を実施する区の職員だけです。"),
        )
    # The call, then the stage: every confirmation of the call waits here for the one
    # before it (no select_related: PostgreSQL locks each row it names).
    call = Call.objects.select_for_update().get(pk=stage.call_id)
    locked = Stage.objects.select_for_update().get(pk=stage.pk)
    locked.call = call
    _lock_stage_applications(locked)
    existing = Selection.objects.filter(stage=locked).select_related("confirmed_by").first()
    if existing is not None:
        who = existing.confirmed_by.get_full_name() if existing.confirmed_by else "—"
        raise ApplicationError(
            ScreeningErrorCode.SELECTION_ALREADY_CONFIRMED,
            _("このステージの採択はすでに確定しています (%(when)s、%(who)s)。")
            % {
                "when": timezone.localtime(existing.confirmed_at).strftime("%Y/%m/%d %H:%M"),
                "who": who,
            },
            status_code=409,
        )
    proposed = proposal(actor, locked)
    unchecked = Counter(
        Application.objects.for_user(actor, MANAGE)
        .filter(stage=locked, status__in=UNCHECKED_STATUSES)
        .values_list("status", flat=True)
    )
    blockers = confirmation_blockers(
        proposed.ranking,
        unchecked[ApplicationStatus.SUBMITTED],
        returned=unchecked[ApplicationStatus.RETURNED],
    )
    if blockers:
        raise ApplicationError(
            ScreeningErrorCode.SELECTION_NOT_READY, " ".join(blockers), status_code=409
        )
    rows = proposed.ranking.rows
    ranked_ids = [row.application.pk for row in rows]
    chosen = set(proposed.selected_ids if selected_ids is None else selected_ids)
    if chosen - set(ranked_ids):
        raise invalid_input(
            ScreeningErrorCode.SELECTION_INVALID,
            selected=_("採択できるのは、このステージで順位のついた審査中の申請だけです。"),
        )
    edited = chosen != set(proposed.selected_ids)
    reason = _bounded_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    if edited and not reason:
        message = _("提案から変更するときは、変更の理由を入力してください。")
        raise ApplicationError(
            ScreeningErrorCode.REASON_REQUIRED, message, fields={"reason": [message]}
        )
    budget = proposed.budget
    total = sum(row.requested_amount for row in rows if row.application.pk in chosen)
    if total > budget.available:
        if budget.available < budget.stage_budget:
            limit = _(
                "使える予算 %(available)s (ステージの予算 %(stage)s のうち、公募全体の残りは "
                "%(call)s)"
            ) % {
                "available": _yen(budget.available),
                "stage": _yen(budget.stage_budget),
                "call": _yen(budget.call_remaining),
            }
        else:
            limit = _("このステージの予算 %(available)s") % {"available": _yen(budget.available)}
        message = _("採択額の合計 %(total)s が、%(limit)s を %(over)s 超えています。") % {
            "total": _yen(total),
            "limit": limit,
            "over": _yen(total - budget.available),
        }
        raise ApplicationError(
            ScreeningErrorCode.SELECTION_OVER_BUDGET, message, fields={"selected": [message]}
        )
    now = timezone.now()
    selection = Selection(
        stage=locked,
        proposed_ids=proposed.selected_ids,
        selected_ids=[pk for pk in ranked_ids if pk in chosen],
        ranking=[
            {
                "application": row.application.pk,
                "rank": row.rank,
                "total": row.total_display,
                "total_exact": str(row.total),
                "rubric_mean": row.rubric_mean_display,
                "bonus": row.bonus,
                "requested": row.requested_amount,
                "selected": row.application.pk in chosen,
            }
            for row in rows
        ],
        total_amount=total,
        edited=edited,
        reason=reason,
        confirmed_by=actor,
        confirmed_at=now,
    )
    selection.full_clean()
    selection.save()
    audit_record(
        actor=actor,
        verb="subsidy_selection.confirm",
        target=selection,
        after={
            "stage": locked.pk,
            "selected": selection.selected_ids,
            "proposed": selection.proposed_ids,
            "total": total,
            "edited": edited,
            "reason": reason,
        },
    )
    for row in rows:
        application = lock_application(row.application.pk)
        if application.pk in chosen:
            application.decision_reason = ""
            application_transition(
                application=application,
                to=ApplicationStatus.SELECTED,
                actor=actor,
                comment=_("採択 (交付候補)"),
            )
            notify_company(
                company=application.company,
                kind="subsidy_selected",
                params=_names(application),
                path=application_path(application),
            )
            continue
        why = str(NOT_SELECTED_REASON)
        application.decision_reason = why
        application_transition(
            application=application, to=ApplicationStatus.NOT_SELECTED, actor=actor, comment=why
        )
        notify_company(
            company=application.company,
            kind="subsidy_not_selected",
            params={**_names(application), "reason": why},
            path=application_path(application),
        )
    return selection
