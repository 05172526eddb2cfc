"""The reviewer's pages: their assignments, and one assignment: first the declaration of
a conflict of interest (the company's name, representative and 法人番号), then the
application and the rubric. Reviewers of a ward (a grant in force) only; another
reviewer's assignment is "not found", and a reviewer never sees another's scores."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from machikoba.accounts.models import User
from machikoba.accounts.rules import is_reviewer
from machikoba.core.access import CHANGE, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.views import run_and_flash
from machikoba.subsidies import selectors, services
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.forms_screening import ConflictForm, ScoreForm
from machikoba.subsidies.models_screening import ReviewerAssignment
from machikoba.subsidies.selectors.body import application_body

View = Callable[..., HttpResponseBase]


class SignedInRequest(HttpRequest):
    user: User


def reviewer_required(view: View) -> View:
    """Signed-in reviewers (a grant in force for some ward) only: anyone else signed in
    gets a 403, a visitor the sign-in page."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_reviewer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@reviewer_required
@require_GET
def review_home(request: SignedInRequest) -> HttpResponse:
    return render(
        request, "subsidies/review/home.html", {"rows": selectors.review_home(request.user)}
    )


def _declare(request: SignedInRequest, assignment: ReviewerAssignment, *, tied: bool) -> bool:
    return run_and_flash(
        request,
        lambda: services.conflict_declare(
            actor=request.user,
            assignment=assignment,
            tied=tied,
            note=request.POST.get("note", ""),
        ),
        _("利害関係があると申告しました。この申請の審査は行いません。")
        if tied
        else _("利害関係がないことを申告しました。申請の内容を読んで採点してください。"),
    )


@reviewer_required
@require_http_methods(["GET", "POST"])
def review_assignment(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    assignment = get_for_user_or_404(
        ReviewerAssignment.objects.select_related(
            "application__company", "application__stage__call__municipality"
        ),
        request.user,
        CHANGE,
        pk=assignment_id,
        reviewer=request.user,
    )
    here = reverse("subsidies:review_assignment", args=[assignment.pk])
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in ("clear", "tie"):
        _declare(request, assignment, tied=action == "tie")
        return redirect(here)
    if action and action not in ("save", "submit"):
        raise Http404
    page = selectors.review_page(request.user, assignment)
    form = ScoreForm(request.POST if action else None, rubric=page.rubric)
    if action and not form.is_valid():
        messages.error(request, _("点数を確認してください。赤く表示された項目を直してください。"))
    elif action:
        try:
            if action == "submit":
                services.scores_submit(
                    actor=request.user,
                    assignment=assignment,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
                message = _("採点を提出しました。ご協力ありがとうございました。")
            else:
                services.scores_save(
                    actor=request.user,
                    assignment=assignment,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
                message = _("採点を一時保存しました。")
        except ApplicationError as error:
            form.add_application_error(error)
            messages.error(request, str(error.message))
        else:
            messages.success(request, message)
            return redirect(here)
    if not action and page.opened:
        form.initial["comment"] = assignment.comment
    return render(
        request,
        "subsidies/review/assignment.html",
        {
            "page": page,
            "assignment": assignment,
            "form": form,
            "conflict_form": ConflictForm(),
            # The application is the reviewer's to read during the screening only.
            "body": application_body(request.user, assignment.application)
            if page.opened and assignment.application.status == ApplicationStatus.SCREENING
            else None,
        },
    )
