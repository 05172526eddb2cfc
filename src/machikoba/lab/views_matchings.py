"""Pages of the business matchings: the list (the office's of its wards, a party company's
own; by source and fiscal year, with the network's first awards), recording one (the
office), proposing one from an event survey answer (lab staff), and one matching's page
where each party confirms or declines it and answers the three-month question. Views call
selectors and services only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.fiscal import fiscal_year_label
from machikoba.core.ids import parse_id
from machikoba.core.views import run_and_flash, save_form
from machikoba.lab.forms_ecosystem import FollowUpForm, MatchingForm, ProposeForm
from machikoba.lab.models_ecosystem import Matching
from machikoba.lab.selectors import ecosystem as ecosystem_selectors
from machikoba.lab.selectors import matchings as selectors
from machikoba.lab.services import matchings as services


class SignedInRequest(HttpRequest):
    user: User


def _require_office(request: SignedInRequest) -> None:
    if not ecosystem_selectors.is_office(request.user):
        raise PermissionDenied


def _year(text: str | None) -> int | None:
    number = parse_id(text)  # digits only; anything else is "this year"
    return number if number is not None and number < 10_000 else None


@login_required
@require_GET
def matching_list(request: SignedInRequest) -> HttpResponse:
    if not selectors.has_matchings_access(request.user):
        raise PermissionDenied
    page = selectors.matchings_page(
        request.user,
        source=request.GET.get("source", ""),
        year=_year(request.GET.get("year")),
    )
    return render(
        request,
        "lab/ecosystem/matchings.html",
        {
            "page": page,
            "years": [(y, fiscal_year_label(y)) for y in page.fiscal_years],
            "nav_officer": ecosystem_selectors.is_officer(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def matching_record(request: SignedInRequest) -> HttpResponse:
    _require_office(request)
    form = MatchingForm(
        request.POST or None,
        initial={"agreed_on": timezone.localdate()},
        sources=selectors.recordable_sources(),
        events=selectors.recordable_events(request.user),
        items=selectors.recordable_items(request.user),
        companies=selectors.party_companies(request.user),
    )
    done = save_form(
        request,
        form,
        lambda data: services.matching_record(
            actor=request.user,
            source=data["source"],
            event=data.get("event"),
            item=data.get("item"),
            party_a=data["party_a"],
            party_b=data["party_b"],
            agreement=data["agreement"],
            agreed_on=data["agreed_on"],
            evidence=data["evidence"],
        ),
        success_message=_("ビジネスマッチングを記録しました。"),
        next_url=reverse("lab:matching_list"),
    )
    return done or render(request, "lab/ecosystem/matching_form.html", {"form": form})


@login_required
@require_GET
def matching_surveys(request: SignedInRequest) -> HttpResponse:
    _require_office(request)
    return render(
        request,
        "lab/ecosystem/matching_surveys.html",
        {"surveys": selectors.surveys_to_propose(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def matching_propose(request: SignedInRequest, survey_id: int) -> HttpResponse:
    _require_office(request)
    survey = selectors.survey_for_proposal(request.user, survey_id)
    if survey is None:
        raise Http404
    event_day = timezone.localdate(survey.registration.event.starts_at)
    form = ProposeForm(
        request.POST or None,
        initial={"agreed_on": event_day},
        companies=selectors.party_companies(request.user),
    )
    done = save_form(
        request,
        form,
        lambda data: services.matching_propose(
            actor=request.user,
            survey=survey,
            partner=data["partner"],
            agreement=data["agreement"],
            agreed_on=data["agreed_on"],
        ),
        success_message=_("ビジネスマッチングを提案しました。双方の確認を待ちます。"),
        next_url=lambda matching: reverse("lab:matching_detail", args=[matching.pk]),
    )
    return done or render(
        request, "lab/ecosystem/matching_propose.html", {"form": form, "survey": survey}
    )


def _matching(request: SignedInRequest, pk: int) -> Matching:
    return get_for_user_or_404(
        Matching.objects.select_related("party_a", "party_b", "event", "item", "municipality"),
        request.user,
        VIEW,
        pk=pk,
    )


def _active(request: HttpRequest) -> Any:
    """The company the person works for now (a lazy ``Company``), or None."""
    return getattr(request, "active_company", None) or None


def _page(
    request: SignedInRequest, matching: Matching, *, form: FollowUpForm | None = None
) -> HttpResponse:
    page = selectors.matching_page(request.user, matching, _active(request))
    initial = {"answer": matching.follow_up_answer, "note": matching.follow_up_note}
    return render(
        request,
        "lab/ecosystem/matching.html",
        {
            "page": page,
            "matching": matching,
            "follow_up_form": form or FollowUpForm(initial=initial),
        },
    )


@login_required
@require_GET
def matching_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _page(request, _matching(request, pk))


@login_required
@require_POST
def matching_confirm(request: SignedInRequest, pk: int) -> HttpResponse:
    matching = _matching(request, pk)
    party = selectors.acting_party(request.user, matching, _active(request))
    run_and_flash(
        request,
        lambda: services.matching_confirm(actor=request.user, matching=matching, company=party),
        _("ビジネスマッチングを確認しました。"),
    )
    return redirect("lab:matching_detail", pk=matching.pk)


@login_required
@require_POST
def matching_decline(request: SignedInRequest, pk: int) -> HttpResponse:
    matching = _matching(request, pk)
    party = selectors.acting_party(request.user, matching, _active(request))
    run_and_flash(
        request,
        lambda: services.matching_decline(actor=request.user, matching=matching, company=party),
        _("このビジネスマッチングは不成立として記録しました。"),
    )
    return redirect("lab:matching_detail", pk=matching.pk)


@login_required
@require_POST
def matching_follow_up(request: SignedInRequest, pk: int) -> HttpResponse:
    matching = _matching(request, pk)
    party = selectors.acting_party(request.user, matching, _active(request))
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _page(request, matching, form=form)
    run_and_flash(
        request,
        lambda: services.matching_follow_up_answer(
            actor=request.user,
            matching=matching,
            company=party,
            answer=form.cleaned_data["answer"],
            note=form.cleaned_data["note"],
        ),
        _("回答を記録しました。ありがとうございました。"),
    )
    return redirect("lab:matching_detail", pk=matching.pk)
