"""Pages of the entry log (入退館). Views call selectors and services only.

- ``my_code``: a person's personal QR code (phone first). The page asks every second,
  with htmx, for the seconds left; the answer is the whole code panel, with a new code,
  when the code is about to expire or was just used (then it says so).
- ``kiosk``: the tablet at the entrance, kept open by the lab's staff. The input keeps the
  focus; a scanner types the code and Enter; the answer replaces the scan panel. It reads
  入館 unless 退館 was chosen for the next scan (back to 入館 after each scan, and after 30
  seconds without one). Beside it, the lab's rotating code for phones.
- ``enter``: where a phone lands after reading the lab's code; one button (入館する or
  退館する, by whether the person is in).
- ``desk``, ``day``: the staff's desk (visitors without an account, people by e-mail) and
  the day view. ``mine``: a person's own visits.

Who reaches what: the kiosk, the desk and the day view are the lab's staff's (403 for
anyone else who sees the lab, 404 for a lab they do not see); the personal code, the
phone's page and one's own visits are every signed-in person's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from machikoba.accounts.models import User
from machikoba.core.errors import ApplicationError
from machikoba.core.views import save_form
from machikoba.lab.choices import EntryKind
from machikoba.lab.forms_visits import (
    DeskUserForm,
    DirectionForm,
    EnterForm,
    ScanForm,
    VisitorForm,
)
from machikoba.lab.models import Lab
from machikoba.lab.selectors import visits as selectors
from machikoba.lab.services import entry_codes
from machikoba.lab.services import visits as services
from machikoba.lab.services.visits import EntryOutcome


class SignedInRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


# --- the personal code ------------------------------------------------------------------------


@login_required
@require_GET
def my_code(request: SignedInRequest) -> HttpResponse:
    user = request.user
    seconds = selectors.personal_code_seconds(user)
    now = timezone.now()
    used = None
    if request.htmx:
        current = entry_codes.personal_code_read(request.GET.get("t"))
        if current is not None and current.user_id == user.pk:
            used = selectors.personal_code_use(user, current.nonce)
            left = current.seconds_left(seconds, now)
            if used is None and left > entry_codes.RENEW_MARGIN_SECONDS:
                context = {"token": current.token, "seconds_left": left}
                return render(request, "lab/visits/my_code.html#countdown", context)
    issued = entry_codes.personal_code_issue(user=user, now=now)
    page = selectors.my_code_page(
        user,
        token=issued.token,
        seconds=seconds,
        seconds_left=issued.seconds_left(seconds, now),
        used=used,
    )
    context = {"page": page, "token": page.token, "seconds_left": page.seconds_left}
    if request.htmx:
        response = render(request, "lab/visits/my_code.html#panel", context)
        response["HX-Retarget"] = "#my-code-panel"
        response["HX-Reswap"] = "outerHTML"
        return response
    response = render(request, "lab/visits/my_code.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def mine(request: SignedInRequest) -> HttpResponse:
    page = selectors.my_visits(request.user, request.GET.get("page"))
    return render(request, "lab/visits/mine.html", {"page": page, "entries": page.object_list})


# --- the kiosk ---------------------------------------------------------------------------------


def _direction(text: str | None) -> str:
    return EntryKind.LEFT if text == EntryKind.LEFT else EntryKind.ENTERED


def _kiosk_context(
    request: SignedInRequest,
    lab: Lab,
    *,
    direction: str = EntryKind.ENTERED,
    form: ScanForm | None = None,
    outcome: EntryOutcome | None = None,
) -> dict[str, Any]:
    return {
        "lab": lab,
        "kiosk": selectors.kiosk_page(request.user, lab),
        "direction": direction,
        "form": form or ScanForm(initial={"direction": direction}),
        "outcome": outcome,
        "panel": _lab_code_panel(lab),
    }


def _lab_code_panel(lab: Lab) -> selectors.LabCodePanel:
    return selectors.lab_code_panel(
        lab,
        url=entry_codes.lab_code_url(lab),
        seconds_left=entry_codes.lab_code_seconds_left(lab),
    )


@login_required
@require_GET
def kiosk(request: SignedInRequest, lab_id: int) -> HttpResponse:
    lab = selectors.staff_lab(request.user, lab_id)
    context = _kiosk_context(request, lab, direction=_direction(request.GET.get("mode")))
    if request.htmx and request.htmx.target == "kiosk-scan":
        return render(request, "lab/visits/kiosk.html#scan", context)
    return render(request, "lab/visits/kiosk.html", context)


@login_required
@require_POST
def kiosk_scan(request: SignedInRequest, lab_id: int) -> HttpResponse:
    lab = selectors.staff_lab(request.user, lab_id)
    form = ScanForm(request.POST)
    outcome = None
    if form.is_valid() and form.cleaned_data["code"]:
        try:
            outcome = services.entry_scan(
                actor=request.user,
                lab=lab,
                token=form.cleaned_data["code"],
                direction=form.cleaned_data["direction"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
    # Whatever was read, the next scan starts empty and reads 入館.
    context = _kiosk_context(request, lab, outcome=outcome)
    if not form.is_valid():
        context["form_errors"] = [e for errors in form.errors.values() for e in errors]
    template = "lab/visits/kiosk.html#scan" if request.htmx else "lab/visits/kiosk.html"
    return render(request, template, context)


@login_required
@require_GET
def kiosk_code(request: SignedInRequest, lab_id: int) -> HttpResponse:
    lab = selectors.staff_lab(request.user, lab_id)
    response = render(
        request, "lab/visits/kiosk.html#lab-code", {"lab": lab, "panel": _lab_code_panel(lab)}
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- the phone, after reading the lab's code ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enter(request: SignedInRequest, lab_id: int) -> HttpResponse:
    lab = selectors.visiting_lab(request.user, lab_id)
    if request.method == "POST":
        form = EnterForm(request.POST)
        outcome = None
        if form.is_valid():
            try:
                outcome = services.entry_by_lab_code(
                    actor=request.user,
                    lab=lab,
                    code=form.cleaned_data["c"],
                    direction=form.cleaned_data["direction"],
                    company=request.active_company or None,  # type: ignore[attr-defined]
                )
            except ApplicationError as error:
                form.add_application_error(error)
        if outcome is not None:
            return render(request, "lab/visits/enter_result.html", {"lab": lab, "outcome": outcome})
        code = request.POST.get("c", "")[:80]
    else:
        form = None
        code = request.GET.get("c", "")[:80]
    status = entry_codes.lab_code_check(lab, code)
    page = selectors.enter_page(request.user, lab, code=code, status=status)
    return render(request, "lab/visits/enter.html", {"lab": lab, "page": page, "form": form})


# --- the desk ----------------------------------------------------------------------------------


def _desk_url(lab: Lab, email: str = "") -> str:
    url = reverse("lab:visits_desk", args=[lab.pk])
    return f"{url}?{urlencode({'email': email})}" if email else url


def _desk_page(
    request: SignedInRequest, lab: Lab, *, visitor_form: VisitorForm | None = None, email: str = ""
) -> HttpResponse:
    page = selectors.desk_page(request.user, lab, email=email)
    context = {
        "lab": lab,
        "page": page,
        "visitor_form": visitor_form or VisitorForm(),
    }
    return render(request, "lab/visits/desk.html", context)


def _flash_outcome(request: SignedInRequest, outcome: EntryOutcome) -> None:
    text = _("%(name)s さん: %(headline)s。") % {"name": outcome.name, "headline": outcome.headline}
    messages.success(request, " ".join([text, *outcome.lines]))


@login_required
@require_GET
def desk(request: SignedInRequest, lab_id: int) -> HttpResponse:
    lab = selectors.staff_lab(request.user, lab_id)
    return _desk_page(request, lab, email=request.GET.get("email", "")[:254])


@login_required
@require_POST
def desk_register(request: SignedInRequest, lab_id: int) -> HttpResponse:
    lab = selectors.staff_lab(request.user, lab_id)
    form = VisitorForm(request.POST)
    done = save_form(
        request,
        form,
        lambda data: services.visitor_register(actor=request.user, lab=lab, **data),
        success_message=_("来館者を受け付けました。"),
        next_url=_desk_url(lab),
    )
    return done or _desk_page(request, lab, visitor_form=form)


@login_required
@require_POST
def desk_visitor(request: SignedInRequest, lab_id: int, visitor_id: int) -> HttpResponse:
    lab = selectors.staff_lab(request.user, lab_id)
    visitor = selectors.desk_visitor(request.user, lab, visitor_id)
    form = DirectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("「入館」か「退館」を選んでください。"))
        return redirect(_desk_url(lab))
    try:
        outcome = services.entry_desk_visitor(
            actor=request.user, lab=lab, visitor=visitor, direction=form.cleaned_data["direction"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        _flash_outcome(request, outcome)
    return redirect(_desk_url(lab))


@login_required
@require_POST
def desk_user(request: SignedInRequest, lab_id: int) -> HttpResponse:
    lab = selectors.staff_lab(request.user, lab_id)
    form = DeskUserForm(request.POST)
    email = request.POST.get("email", "")[:254]
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_desk_url(lab, email))
    try:
        outcome = services.entry_desk_user(
            actor=request.user,
            lab=lab,
            email=form.cleaned_data["email"],
            direction=form.cleaned_data["direction"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        _flash_outcome(request, outcome)
    return redirect(_desk_url(lab, email))


# --- the day view ------------------------------------------------------------------------------


@login_required
@require_GET
def day(request: SignedInRequest, lab_id: int) -> HttpResponse:
    lab = selectors.staff_lab(request.user, lab_id)
    asked = request.GET.get("day", "")
    chosen = selectors.parse_day(asked)
    day_error = ""
    if asked and chosen is None:
        day_error = _("日付は「2025-04-01」の形で入力してください。")
    page = selectors.day_page(request.user, lab, chosen or timezone.localdate())
    return render(
        request, "lab/visits/day.html", {"lab": lab, "page": page, "day_error": day_error}
    )
