"""The participant's side of the programmes: the cohorts open to apply to, a cohort's
page and the application form, "my applications", one application (withdraw; decline
for the ward's officer), the check-in page a session's QR code opens, and the
instructor's session screen (the QR code and the roll-call)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, MANAGE, VIEW, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import parse_id
from machikoba.core.views import active_company_or_403, run_and_flash
from machikoba.programs.choices import ApplicationStatus, AttendanceStatus, ParticipantRole
from machikoba.programs.forms_cohorts import ApplyForm, DeclineForm, RollCallForm
from machikoba.programs.models import Application, Cohort, Session
from machikoba.programs.selectors import participant as selectors
from machikoba.programs.selectors import sessions as session_selectors
from machikoba.programs.services import applications as application_services
from machikoba.programs.services import attendance as attendance_services


class SignedInRequest(HttpRequest):
    user: User


def _active_company(request: HttpRequest) -> Company | None:
    company = getattr(request, "active_company", None)
    return company or None


def _no_store(response: HttpResponse) -> HttpResponse:
    # The session's live check-in code is on the page: never cached, never sent on.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- cohorts and applying ---------------------------------------------------------------


@login_required
@require_GET
def cohort_list(request: SignedInRequest) -> HttpResponse:
    company = _active_company(request)
    cards = selectors.open_cohorts(request.user, company)
    return render(request, "programs/participant/list.html", {"cards": cards, "company": company})


def _apply_form(page: selectors.CohortPage, data: object = None) -> ApplyForm:
    nominees = page.nominees if page.staff_course else None
    return ApplyForm(data, nominees=nominees)


def _cohort_response(
    request: SignedInRequest, page: selectors.CohortPage, form: ApplyForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "programs/participant/cohort.html",
        {"page": page, "card": page.card, "form": form, "company": _active_company(request)},
        status=status,
    )


@login_required
@require_GET
def cohort(request: SignedInRequest, pk: int) -> HttpResponse:
    row = get_for_user_or_404(Cohort, request.user, VIEW, pk=pk)
    page = selectors.cohort_page(request.user, row, _active_company(request))
    return _cohort_response(request, page, _apply_form(page))


@login_required
@require_POST
def apply(request: SignedInRequest, pk: int) -> HttpResponse:
    company = active_company_or_403(request)
    row = get_for_user_or_404(Cohort, request.user, VIEW, pk=pk)
    page = selectors.cohort_page(request.user, row, company)
    form = _apply_form(page, request.POST)
    if not form.is_valid():
        return _cohort_response(request, page, form)
    participant = None
    if page.staff_course:
        chosen = parse_id(form.cleaned_data["participant"])
        participant = next((u for u in page.nominees if u.pk == chosen), None)
    try:
        application = application_services.application_submit(
            actor=request.user,
            cohort=row,
            company=company,
            participant=participant,
            motivation=form.cleaned_data["motivation"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("programs:cohort", pk=row.pk)
    if application.status == ApplicationStatus.ACCEPTED:
        messages.success(
            request,
            _("受講が決まりました。%(program)s %(cohort)s")
            % {"program": row.program.name, "cohort": row.name},
        )
    else:
        messages.success(
            request,
            _(
                "定員に達しているため、キャンセル待ち %(position)s 番目で受け付けました。"
                "席が空くと自動で繰り上がり、お知らせします。"
            )
            % {"position": selectors.waitlist_position(application)},
        )
    return redirect("programs:application", pk=application.pk)


# --- my applications -----------------------------------------------------------------------


@login_required
@require_GET
def mine(request: SignedInRequest) -> HttpResponse:
    company = _active_company(request)
    return render(
        request,
        "programs/participant/mine.html",
        {"items": selectors.my_applications(request.user, company), "company": company},
    )


@login_required
@require_GET
def application(request: SignedInRequest, pk: int) -> HttpResponse:
    row = get_for_user_or_404(
        Application.objects.select_related("cohort", "cohort__program", "company", "participant"),
        request.user,
        VIEW,
        pk=pk,
    )
    page = selectors.application_page(request.user, row)
    return render(
        request,
        "programs/participant/application.html",
        {
            "page": page,
            "item": page.mine,
            "application": row,
            "decline_form": DeclineForm(),
            "staff_course": row.cohort.program.participant_role == ParticipantRole.STAFF,
        },
    )


@login_required
@require_POST
def withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    row = get_for_user_or_404(Application, request.user, CHANGE, pk=pk)
    run_and_flash(
        request,
        lambda: application_services.application_withdraw(
            actor=request.user, application=row, reason=request.POST.get("reason", "")
        ),
        _("申込を取り下げました。"),
    )
    return redirect("programs:application", pk=row.pk)


@login_required
@require_POST
def decline(request: SignedInRequest, pk: int) -> HttpResponse:
    row = get_for_user_or_404(Application, request.user, MANAGE, pk=pk)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
    run_and_flash(
        request,
        lambda: application_services.application_decline(
            actor=request.user, application=row, reason=reason
        ),
        _("申込を受講不可にしました。企業にお知らせしました。"),
    )
    return redirect("programs:application", pk=row.pk)


# --- the check-in page a QR code opens -------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, code: str) -> HttpResponse:
    """The address in a session's QR code: the session and a big button for its
    participant (a visitor signs in first and comes back here)."""
    user = request.user
    if not isinstance(user, User):
        return redirect_to_login(request.get_full_path())
    page = session_selectors.checkin_page(user, code)
    if page is None:
        raise Http404
    if request.method == "POST":
        try:
            attendance = attendance_services.attendance_check_in(actor=user, code=code)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("出席を記録しました (%(status)s)。")
                % {"status": attendance.get_status_display()},
            )
        return redirect("programs:checkin", code=code)
    status = 403 if page.application is None else 200  # not a participant
    return _no_store(
        render(request, "programs/participant/checkin.html", {"page": page}, status=status)
    )


# --- the instructor's session screen --------------------------------------------------------


def _managed_session(request: SignedInRequest, pk: int) -> Session:
    return get_for_user_or_404(
        Session.objects.select_related("cohort", "cohort__program", "instructor"),
        request.user,
        MANAGE,
        pk=pk,
    )


@login_required
@require_GET
def session(request: SignedInRequest, pk: int) -> HttpResponse:
    row = _managed_session(request, pk)
    page = session_selectors.session_page(request.user, row)
    return _no_store(
        render(
            request,
            "programs/participant/session.html",
            {"page": page, "session": row, "excused": AttendanceStatus.EXCUSED},
        )
    )


@login_required
@require_POST
def roll_call(request: SignedInRequest, pk: int) -> HttpResponse:
    row = _managed_session(request, pk)
    form = RollCallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("出欠を選んでください。"))
        return redirect("programs:session", pk=row.pk)
    target = get_for_user_or_404(
        Application.objects.select_related("participant"),
        request.user,
        MANAGE,
        pk=parse_id(form.cleaned_data["application"]),
    )
    status = form.cleaned_data["status"]
    done = run_and_flash(
        request,
        lambda: attendance_services.attendance_record(
            actor=request.user,
            session=row,
            application=target,
            status=status,
            note=form.cleaned_data["note"],
        ),
        _("%(person)s さんを「%(status)s」にしました。")
        % {
            "person": target.participant.get_full_name(),
            "status": AttendanceStatus(status).label,
        },
    )
    url = reverse("programs:session", args=[row.pk])
    return redirect(f"{url}#roll-{target.pk}" if done else url)


@login_required
@require_POST
def rotate_code(request: SignedInRequest, pk: int) -> HttpResponse:
    row = _managed_session(request, pk)
    run_and_flash(
        request,
        lambda: attendance_services.session_rotate_code(actor=request.user, session=row),
        _("新しいチェックインコードにしました。前のQRコードはもう使えません。"),
    )
    return redirect("programs:session", pk=row.pk)
