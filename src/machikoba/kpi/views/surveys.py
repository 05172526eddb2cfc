"""Pages of the yearly company survey. Views call selectors and services only.

Who reaches what: the officers of a ward list, create, send, remind and close its rounds
(another ward's round is a 404; anyone who is not an officer gets a 403 on the office's
pages). A company's owner and staff list and answer its requests; anyone else does not
find a request (404), its ward's officers included (they read the answers on the round's
page). A visitor is sent to sign in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.decorators import officer_required
from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, VIEW
from machikoba.core.errors import ApplicationError
from machikoba.core.fiscal import fiscal_year_label
from machikoba.core.views import run_and_flash, save_form
from machikoba.kpi.choices import RoundStatus
from machikoba.kpi.forms_surveys import (
    RoundCloseForm,
    RoundCreateForm,
    RoundEditForm,
    SurveyAnswerForm,
)
from machikoba.kpi.models import SurveyRound
from machikoba.kpi.selectors import surveys as selectors
from machikoba.kpi.services import surveys as services


class SignedInRequest(HttpRequest):
    user: User


def _round_url(survey: SurveyRound) -> str:
    return reverse("kpi:survey_round", args=[survey.pk])


# --- the office -----------------------------------------------------------------------------


def _rounds_page(request: SignedInRequest, form: RoundCreateForm | None = None) -> HttpResponse:
    wards = selectors.officer_wards(request.user)
    if form is None:
        form = RoundCreateForm(years=selectors.free_years(request.user, wards), wards=wards)
    return render(
        request,
        "kpi/surveys/rounds.html",
        {"rows": selectors.survey_rounds(request.user), "form": form, "wards": wards},
    )


@officer_required
@require_GET
def survey_rounds(request: SignedInRequest) -> HttpResponse:
    return _rounds_page(request)


@officer_required
@require_POST
def survey_round_create(request: SignedInRequest) -> HttpResponse:
    wards = selectors.officer_wards(request.user)
    form = RoundCreateForm(request.POST, years=services.round_years(), wards=wards)
    done = save_form(
        request,
        form,
        lambda data: services.survey_round_create(
            actor=request.user,
            municipality=data["municipality"],
            fiscal_year=data["fiscal_year"],
            method=data["method"],
            due_on=data["due_on"],
            message=data["message"],
        ),
        success_message=_("企業調査を作りました。内容を確かめて「企業に送る」を押してください。"),
        next_url=_round_url,
    )
    return done or _rounds_page(request, form)


def _round_page(request: SignedInRequest, survey: SurveyRound, **forms: Any) -> HttpResponse:
    context: dict[str, Any] = {
        "page": selectors.survey_round_page(request.user, survey),
        "close_form": RoundCloseForm(),
    }
    context.update(forms)
    return render(request, "kpi/surveys/round.html", context)


@officer_required
@require_GET
def survey_round(request: SignedInRequest, pk: int) -> HttpResponse:
    return _round_page(request, selectors.survey_round_for(request.user, pk))


@officer_required
@require_http_methods(["GET", "POST"])
def survey_round_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    action = CHANGE if request.method == "POST" else VIEW
    survey = selectors.survey_round_for(request.user, pk, action)
    draft = survey.status == RoundStatus.DRAFT
    initial = {"due_on": survey.due_on, "message": survey.message, "method": survey.method}
    form = RoundEditForm(request.POST or None, initial=initial, draft=draft)
    done = save_form(
        request,
        form,
        lambda data: services.survey_round_update(
            actor=request.user,
            survey=survey,
            due_on=data["due_on"],
            message=data["message"],
            method=data.get("method"),
        ),
        success_message=_("企業調査を変更しました。"),
        next_url=_round_url,
    )
    return done or render(request, "kpi/surveys/round_edit.html", {"survey": survey, "form": form})


@officer_required
@require_POST
def survey_round_send(request: SignedInRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_round_for(request.user, pk, CHANGE)
    try:
        sent = services.survey_round_send(actor=request.user, survey=survey)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_round_url(survey))
    if sent:
        messages.success(
            request,
            _("%(fiscal_year)sの企業調査を %(count)s 社に送りました。")
            % {"fiscal_year": fiscal_year_label(survey.fiscal_year), "count": len(sent)},
        )
    else:
        messages.info(
            request, _("新しく送る企業はありませんでした (登録企業にはすべて送付済みです)。")
        )
    return redirect(_round_url(survey))


@officer_required
@require_POST
def survey_round_remind(request: SignedInRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_round_for(request.user, pk, CHANGE)
    try:
        count = services.survey_round_remind(actor=request.user, survey=survey)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_round_url(survey))
    if count:
        messages.success(
            request, _("まだ回答していない %(count)s 社に催促を送りました。") % {"count": count}
        )
    else:
        messages.info(
            request,
            _("催促する企業はありませんでした (24時間以内に依頼・催促した企業には送りません)。"),
        )
    return redirect(_round_url(survey))


@officer_required
@require_POST
def survey_round_close(request: SignedInRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_round_for(request.user, pk, CHANGE)
    form = RoundCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("締め切る前に、確認の欄にチェックを入れてください。"))
        return redirect(_round_url(survey) + "#close")
    run_and_flash(
        request,
        lambda: services.survey_round_close(actor=request.user, survey=survey),
        _("企業調査を締め切りました。"),
    )
    return redirect(_round_url(survey))


# --- the company ----------------------------------------------------------------------------


@login_required
@require_GET
def my_surveys(request: SignedInRequest) -> HttpResponse:
    company = getattr(request, "active_company", None) or None
    return render(
        request,
        "kpi/surveys/my_surveys.html",
        {"rows": selectors.my_surveys(request.user, company), "company": company},
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_survey(request: SignedInRequest, pk: int) -> HttpResponse:
    response = selectors.my_response_for(request.user, pk)
    page = selectors.my_survey_page(request.user, response)
    form = SurveyAnswerForm(
        request.POST if request.method == "POST" and page.can_answer else None,
        initial=page.initial,
        figures=page.figures,
    )
    if request.method == "POST" and not page.can_answer:
        messages.error(request, _("この企業調査は締め切られました。回答はもう変えられません。"))
        return redirect(reverse("kpi:my_survey", args=[response.pk]))
    done = save_form(
        request,
        form,
        lambda data: services.survey_response_submit(
            actor=request.user,
            response=response,
            dx_engagement=data["dx_engagement"],
            dx_stage=data["dx_stage"],
            dx_needed=data["dx_needed"],
            expected_support=data["expected_support"],
            **{name: data[name] for name in page.figures},
        ),
        success_message=_("ご回答ありがとうございました。"),
        next_url=reverse("kpi:my_survey", args=[response.pk]) + "#result",
    )
    return done or render(request, "kpi/surveys/my_survey.html", {"page": page, "form": form})
