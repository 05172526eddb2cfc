"""Pages of the lab's events: the list of upcoming events and one event (anyone signed in
reads a published one, registers, cancels), a person's own registrations, the survey for
attendees, and the staff's pages (create, edit, publish, cancel; registrations and the
waitlist; desk visitors; attendance and the training records of a training session).

Another company's registration, and a draft event, are "not found"; a published event's
staff pages are refused (403) to anyone not running its lab."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, MANAGE, VIEW, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import parse_id
from machikoba.core.views import run_and_flash, safe_next, save_form
from machikoba.lab.choices import EventKind, RegistrationStatus
from machikoba.lab.forms_events import (
    CancelForm,
    EventForm,
    SurveyForm,
    VisitorRegistrationForm,
    initial_of,
)
from machikoba.lab.models_events import Event, Registration
from machikoba.lab.selectors import events as selectors
from machikoba.lab.services import events as event_services
from machikoba.lab.services import registrations as registration_services
from machikoba.lab.services import surveys as survey_services


class SignedInRequest(HttpRequest):
    user: User


def _event(request: SignedInRequest, event_id: int, action: str = VIEW) -> Event:
    return get_for_user_or_404(
        Event.objects.select_related("lab", "training", "host"),
        request.user,
        action,
        pk=event_id,
    )


def _staff_url(event: Event) -> str:
    return reverse("lab:event_staff", args=[event.pk])


# --- everyone signed in -------------------------------------------------------------------


@login_required
@require_GET
def event_list(request: SignedInRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in EventKind.values else ""
    return render(
        request,
        "lab/events/list.html",
        {
            "cards": selectors.event_cards(request.user, kind=kind),
            "kinds": EventKind.choices,
            "kind": kind,
            "is_staff": selectors.is_lab_staff(request.user),
        },
    )


@login_required
@require_GET
def event_mine(request: SignedInRequest) -> HttpResponse:
    return render(request, "lab/events/mine.html", {"page": selectors.my_events(request.user)})


@login_required
@require_GET
def event_detail(request: SignedInRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    return render(
        request,
        "lab/events/detail.html",
        {
            "page": selectors.event_page(request.user, event),
            "company": getattr(request, "active_company", None) or None,
        },
    )


@login_required
@require_POST
def event_register(request: SignedInRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    company = getattr(request, "active_company", None) or None
    try:
        registration = registration_services.registration_create(
            actor=request.user, event=event, company=company
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        if registration.status == RegistrationStatus.WAITLISTED:
            messages.success(
                request,
                _(
                    "満席のため、キャンセル待ち (%(position)s 番目) で受け付けました。"
                    "空きが出たら繰り上げてお知らせします。"
                )
                % {"position": selectors.waitlist_position(registration)},
            )
        else:
            messages.success(request, _("申し込みました。当日お待ちしています。"))
    return redirect("lab:event_detail", event.pk)


@login_required
@require_POST
def event_registration_cancel(request: SignedInRequest, registration_id: int) -> HttpResponse:
    registration = get_for_user_or_404(
        Registration.objects.select_related("event"), request.user, CHANGE, pk=registration_id
    )
    run_and_flash(
        request,
        lambda: registration_services.registration_cancel(
            actor=request.user, registration=registration
        ),
        _("キャンセルしました。"),
    )
    return redirect(safe_next(request, reverse("lab:event_detail", args=[registration.event_id])))


@login_required
@require_http_methods(["GET", "POST"])
def event_survey(request: SignedInRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    registration = selectors.survey_registration(request.user, event)
    if registration is None:
        raise Http404
    answer = selectors.survey_of(request.user, registration)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    done = save_form(
        request,
        form,
        lambda data: survey_services.survey_submit(
            actor=request.user, registration=registration, **data
        ),
        success_message=_("ご回答ありがとうございました。"),
        next_url=reverse("lab:event_mine"),
    )
    if done is not None:
        return done
    return render(
        request, "lab/events/survey.html", {"event": event, "answer": answer, "form": form}
    )


# --- lab staff ------------------------------------------------------------------------------


def _staff_only(request: SignedInRequest) -> None:
    if not selectors.is_lab_staff(request.user):
        raise PermissionDenied


def _form_kwargs(request: SignedInRequest) -> dict[str, Any]:
    return {
        "labs": selectors.lab_choices(request.user),
        "trainings": selectors.training_choices(request.user),
        "vendors": selectors.vendor_choices(request.user),
    }


@login_required
@require_GET
def event_staff_list(request: SignedInRequest) -> HttpResponse:
    _staff_only(request)
    return render(
        request, "lab/events/staff_list.html", {"page": selectors.staff_events(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: SignedInRequest) -> HttpResponse:
    _staff_only(request)
    form = EventForm(request.POST if request.method == "POST" else None, **_form_kwargs(request))
    done = save_form(
        request,
        form,
        lambda data: event_services.event_create(
            actor=request.user, lab=data["lab"], **form.values()
        ),
        success_message=_("イベントを作成しました (準備中)。内容を確かめて公開してください。"),
        next_url=_staff_url,
    )
    if done is not None:
        return done
    return render(request, "lab/events/form.html", {"form": form, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: SignedInRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id, MANAGE)
    form = EventForm(
        request.POST if request.method == "POST" else None,
        initial=initial_of(event),
        editing=True,
        **_form_kwargs(request),
    )
    done = save_form(
        request,
        form,
        lambda data: event_services.event_update(actor=request.user, event=event, **form.values()),
        success_message=_("イベントを変更しました。"),
        next_url=_staff_url,
    )
    if done is not None:
        return done
    return render(request, "lab/events/form.html", {"form": form, "event": event})


@login_required
@require_GET
def event_staff(request: SignedInRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id, MANAGE)
    page = selectors.event_staff_page(request.user, event)
    return render(
        request,
        "lab/events/staff.html",
        {
            "page": page,
            "cancel_form": CancelForm(),
            "visitor_form": VisitorRegistrationForm(visitors=page.visitors),
        },
    )


@login_required
@require_POST
def event_publish(request: SignedInRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id, MANAGE)
    run_and_flash(
        request,
        lambda: event_services.event_publish(actor=request.user, event=event),
        _("イベントを公開しました。申込みを受け付けています。"),
    )
    return redirect(_staff_url(event))


@login_required
@require_POST
def event_cancel(request: SignedInRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id, MANAGE)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("中止の理由は200文字以内で入力してください。"))
    else:
        run_and_flash(
            request,
            lambda: event_services.event_cancel(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            ),
            _("イベントを中止しました。申し込んだ方にお知らせしました。"),
        )
    return redirect(_staff_url(event))


@login_required
@require_POST
def event_register_visitor(request: SignedInRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id, MANAGE)
    page = selectors.event_staff_page(request.user, event)
    form = VisitorRegistrationForm(request.POST, visitors=page.visitors)
    if not form.is_valid():
        messages.error(request, _("このラボの受付で登録した来館者を選んでください。"))
        return redirect(_staff_url(event))
    try:
        registration = registration_services.registration_add_visitor(
            actor=request.user, event=event, visitor=form.cleaned_data["visitor"]
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        if registration.status == RegistrationStatus.WAITLISTED:
            messages.success(
                request,
                _("満席のため、キャンセル待ち (%(position)s 番目) で登録しました。")
                % {"position": selectors.waitlist_position(registration)},
            )
        else:
            messages.success(request, _("来館者を参加者に登録しました。"))
    return redirect(_staff_url(event))


@login_required
@require_GET
def event_attendance(request: SignedInRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id, MANAGE)
    return render(
        request,
        "lab/events/attendance.html",
        {"page": selectors.attendance_page(request.user, event)},
    )


@login_required
@require_POST
def event_registration_attend(request: SignedInRequest, registration_id: int) -> HttpResponse:
    registration = get_for_user_or_404(
        Registration.objects.select_related("event"), request.user, MANAGE, pk=registration_id
    )
    run_and_flash(
        request,
        lambda: registration_services.attendance_mark(
            actor=request.user, registration=registration
        ),
        _("出席を記録しました。"),
    )
    return redirect("lab:event_attendance", registration.event_id)


@login_required
@require_POST
def event_training_records(request: SignedInRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id, MANAGE)
    chosen = request.POST.getlist("registration")
    ids = [i for i in (parse_id(value) for value in chosen) if i is not None] if chosen else None
    try:
        records = registration_services.training_records_record(
            actor=request.user, event=event, registration_ids=ids
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(count)s 人の修了を記録しました。対象の機器を予約できるようになりました。")
            % {"count": len(records)},
        )
    return redirect("lab:event_attendance", event.pk)
