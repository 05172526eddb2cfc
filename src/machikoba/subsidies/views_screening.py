"""The ward office's screening pages: one application (eligibility, 差戻し, reviewers,
bonus claims) and one stage (the ranking, the proposed selection within budget, its
confirmation). Officers of the call's ward only (their second factor is enforced by the
MFA middleware); another ward's application or stage is "not found".

Also here, because they are about the screening's outcome: the applicant's page to claim
a bonus point with evidence, and the 採択/不採択 notice as a PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from machikoba.accounts.decorators import officer_required
from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, MANAGE, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import parse_id
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.core.views import run_and_flash, save_form
from machikoba.drawings.sniffing import too_large_message
from machikoba.subsidies import selectors, services
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode
from machikoba.subsidies.forms_screening import BonusClaimForm, SelectionForm
from machikoba.subsidies.models import Application, Stage
from machikoba.subsidies.models_screening import BonusClaim, ReviewerAssignment
from machikoba.subsidies.notice_downloads import decision_notice_response
from machikoba.subsidies.selectors.body import application_body


class SignedInRequest(HttpRequest):
    user: User


def _application(request: SignedInRequest, pk: int) -> Application:
    return get_for_user_or_404(
        Application.objects.select_related("stage__call__municipality", "company"),
        request.user,
        MANAGE,
        pk=pk,
    )


def _posted_object(request: SignedInRequest, source: Any, name: str, **lookup: Any) -> Any:
    """The row a button names (``name`` in the POST), within the officer's scope."""
    pk = parse_id(request.POST.get(name))
    if pk is None:
        raise Http404
    return get_for_user_or_404(source, request.user, MANAGE, pk=pk, **lookup)


def _reviewer(request: SignedInRequest, application: Application) -> User:
    """The reviewer the officer picked, among the ward's reviewers offered on the page."""
    pk = parse_id(request.POST.get("reviewer"))
    chosen = next(
        (
            user
            for user in selectors.reviewer_candidates(user=request.user, application=application)
            if user.pk == pk
        ),
        None,
    )
    if chosen is None:
        raise ApplicationError(
            ScreeningErrorCode.REVIEWER_NOT_GRANTED,
            _("審査員を選んでください (この区の審査員だけを選べます)。"),
        )
    return chosen


def _application_actions(
    request: SignedInRequest, application: Application
) -> dict[str, tuple[Callable[[], Any], str]]:
    user = request.user
    post = request.POST
    return {
        "pass": (
            lambda: services.eligibility_pass(
                actor=user, application=application, comment=post.get("comment", "")
            ),
            _("要件を満たしていることを確認しました。審査に進みます。"),
        ),
        "fail": (
            lambda: services.eligibility_fail(
                actor=user, application=application, reason=post.get("reason", "")
            ),
            _("要件を満たさない申請としました。企業に理由を通知しました。"),
        ),
        "return": (
            lambda: services.application_return(
                actor=user, application=application, comments=post.get("comments", "")
            ),
            _("申請を差し戻しました。企業にコメントを通知しました。"),
        ),
        "assign": (
            lambda: services.reviewer_assign(
                actor=user, application=application, reviewer=_reviewer(request, application)
            ),
            _("審査員を割り当てました。審査員に依頼を通知しました。"),
        ),
        "unassign": (
            lambda: services.reviewer_unassign(
                actor=user,
                assignment=_posted_object(
                    request, ReviewerAssignment, "assignment", application=application
                ),
            ),
            _("審査員の割り当てを外しました。"),
        ),
        "bonus_verify": (
            lambda: services.bonus_claim_verify(
                actor=user,
                claim=_posted_object(request, BonusClaim, "claim", application=application),
                note=post.get("note", ""),
            ),
            _("加点を確認済みにしました。"),
        ),
        "bonus_reject": (
            lambda: services.bonus_claim_reject(
                actor=user,
                claim=_posted_object(request, BonusClaim, "claim", application=application),
                note=post.get("note", ""),
            ),
            _("加点を認めないことにしました。"),
        ),
    }


@officer_required
@require_http_methods(["GET", "POST"])
def screening_application(request: SignedInRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id)
    here = reverse("subsidies:screening_application", args=[application.pk])
    if request.method == "POST":
        action = _application_actions(request, application).get(request.POST.get("action", ""))
        if action is None:
            raise Http404
        call, success = action
        run_and_flash(request, call, success)
        return redirect(here)
    page = selectors.screening_application_page(request.user, application)
    return render(
        request,
        "subsidies/screening/application.html",
        {
            "page": page,
            "application": application,
            "body": application_body(request.user, application),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def screening_stage(request: SignedInRequest, stage_id: int) -> HttpResponse:
    stage = get_for_user_or_404(
        Stage.objects.select_related("call__municipality"), request.user, MANAGE, pk=stage_id
    )
    page = selectors.stage_page(request.user, stage)
    here = reverse("subsidies:screening_stage", args=[stage.pk])
    if request.method == "POST" and page.selection is not None:
        # Confirmed meanwhile (another officer): the service says so, precisely.
        run_and_flash(
            request,
            lambda: services.selection_confirm(actor=request.user, stage=stage),
            _("採択を確定しました。"),
        )
        return redirect(here)
    initial = {"selected": [str(pk) for pk in page.proposal.selected_ids]}
    form = SelectionForm(
        request.POST if request.method == "POST" else None,
        rows=page.proposal.ranking.rows,
        initial=initial,
    )
    done = save_form(
        request,
        form,
        lambda data: services.selection_confirm(
            actor=request.user,
            stage=stage,
            selected_ids=data["selected"],
            reason=data["reason"],
        ),
        success_message=_("採択を確定しました。各企業に結果を通知しました。"),
        next_url=here,
    )
    if done:
        return done
    if form.is_bound:
        checked = {parse_id(pk) for pk in request.POST.getlist("selected")}
    else:
        checked = set(page.proposal.selected_ids)
    selection_rows = (
        selectors.selection_rows(request.user, page.selection) if page.selection else []
    )
    return render(
        request,
        "subsidies/screening/stage.html",
        {
            "page": page,
            "stage": stage,
            "form": form,
            "proposed": set(page.proposal.selected_ids),
            "checked": checked,
            "selection_rows": selection_rows,
        },
    )


# --- the applicant's bonus claims ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@limit_upload_size(services.evidence_max_bytes)
def bonus_claim(request: SignedInRequest, application_id: int) -> HttpResponse:
    """The applicant's bonus points: what the call offers, what they claimed and its
    status, and a form to claim one with evidence."""
    application = get_for_user_or_404(
        Application.objects.select_related("stage__call", "company"),
        request.user,
        CHANGE,
        pk=application_id,
    )
    page = selectors.bonus_claims_page(request.user, application)
    posted = request.method == "POST"  # bound even when the upload was stopped early
    form = BonusClaimForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        criteria=page.claimable,
    )
    refuse_oversized(request, form, too_large_message)
    here = reverse("subsidies:bonus_claim", args=[application.pk])
    done = save_form(
        request,
        form,
        lambda data: services.bonus_claim_add(
            actor=request.user,
            application=application,
            criterion=data["criterion"],
            upload=data["file"],
            note=data["note"],
        ),
        success_message=_("加点を申告しました。区が根拠資料を確認します。"),
        next_url=here,
    )
    return done or render(
        request,
        "subsidies/screening/bonus_claim.html",
        {"page": page, "application": application, "form": form},
    )


# --- the 採択/不採択 notice ---------------------------------------------------------------


@login_required
@require_GET
def decision_notice(request: SignedInRequest, application_id: int) -> HttpResponse:
    """The 採択通知書 or 不採択通知書, for the company's owner and staff and the ward's
    officers; nobody else (a reviewer or the filing advisor who sees the application is
    refused)."""
    return decision_notice_response(request.user, application_id)
