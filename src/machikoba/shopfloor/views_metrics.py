"""The shop floor's metrics pages: the live shop board (every member, floor workers
included; its cards are polled every 5 seconds), a machine's day, the metrics of a period
and the shifts (owners and staff). Each page is of the active company; a machine of
another company is a 404. Figures come from ``metrics.board``, ``metrics.metrics_page``
and ``metrics.periods``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, EDITOR_ROLES, VIEW, get_for_user_or_404, has_role
from machikoba.core.errors import ApplicationError
from machikoba.core.views import active_company_or_403, run_and_flash, save_form
from machikoba.telemetry.models import Machine

from .metrics import services
from .metrics.board import board as board_page
from .metrics.board import machine_day as machine_day_page
from .metrics.forms import ShiftForm
from .metrics.metrics_page import metrics_page, shifts_page
from .metrics.periods import default_period, parse_day, parse_period
from .models_metrics import Shift

# How often the board's cards are fetched again (seconds); the template says the same.
BOARD_REFRESH_SECONDS = 5


class FloorRequest(HttpRequest):
    user: User


def _editor_company(request: FloorRequest) -> Company:
    """The active company, for its owners and staff (a floor worker gets a 403)."""
    company = active_company_or_403(request)
    if not has_role(request.user, company, EDITOR_ROLES, VIEW):
        raise PermissionDenied
    return company


def _is_editor(request: FloorRequest, company: Company) -> bool:
    return has_role(request.user, company, EDITOR_ROLES, VIEW)


def _board_context(request: FloorRequest) -> dict:
    company = active_company_or_403(request)
    wall = request.GET.get("wall") == "1"
    return {
        "page": board_page(request.user, company),
        "wall": wall,
        "editor": _is_editor(request, company),
        "refresh_seconds": BOARD_REFRESH_SECONDS,
        "cards_url": reverse("shopfloor:board_cards") + ("?wall=1" if wall else ""),
    }


@login_required
@require_GET
def board(request: FloorRequest) -> HttpResponse:
    context = _board_context(request)
    template = (
        "shopfloor/metrics/board_wall.html" if context["wall"] else "shopfloor/metrics/board.html"
    )
    return render(request, template, context)


@require_GET
def board_cards(request: FloorRequest) -> HttpResponse:
    """The board's cards alone, fetched by htmx every few seconds. A session that ended
    while the wall screen polled sends the screen to the sign-in page (not the sign-in
    form swapped into a card)."""
    if not request.user.is_authenticated:
        login = redirect_to_login(reverse("shopfloor:board"))
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login["Location"]
            return response
        return login
    return render(request, "shopfloor/metrics/partials/board_cards.html", _board_context(request))


@login_required
@require_GET
def machine_day(request: FloorRequest, pk: int) -> HttpResponse:
    company = _editor_company(request)
    machine = get_for_user_or_404(
        Machine.objects.select_related("equipment"), request.user, VIEW, pk=pk, company=company
    )
    today = timezone.localdate()
    try:
        day = parse_day(request.GET.get("date"), today)
    except ApplicationError as error:
        messages.error(request, error.message)
        day = today
    page = machine_day_page(request.user, company, machine, day)
    return render(request, "shopfloor/metrics/machine_day.html", {"page": page})


@login_required
@require_GET
def metrics(request: FloorRequest) -> HttpResponse:
    company = _editor_company(request)
    today = timezone.localdate()
    problem = ""
    try:
        period = parse_period(request.GET.get("from"), request.GET.get("to"), today)
    except ApplicationError as error:
        problem = str(error.message)
        period = default_period(today)
    page = metrics_page(request.user, company, period)
    return render(
        request,
        "shopfloor/metrics/metrics.html",
        {
            "page": page,
            "problem": problem,
            "raw_from": request.GET.get("from", "")[:20],
            "raw_to": request.GET.get("to", "")[:20],
        },
    )


@login_required
def shifts(request: FloorRequest) -> HttpResponse:
    company = _editor_company(request)
    form = ShiftForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.shift_add(actor=request.user, company=company, **data),
        success_message=_("シフトを追加しました。稼働率と OEE の計画時間に使われます。"),
        next_url=reverse("shopfloor:shifts"),
    )
    if done:
        return done
    return render(
        request,
        "shopfloor/metrics/shifts.html",
        {"page": shifts_page(request.user, company), "form": form},
    )


@login_required
@require_POST
def shift_delete(request: FloorRequest, pk: int) -> HttpResponse:
    shift = get_for_user_or_404(
        Shift.objects.select_related("company"), request.user, CHANGE, pk=pk
    )
    run_and_flash(
        request,
        lambda: services.shift_delete(actor=request.user, shift=shift),
        _("シフト「%(name)s」を削除しました。") % {"name": shift.name},
    )
    return redirect("shopfloor:shifts")
