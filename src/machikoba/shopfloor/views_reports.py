"""The daily report pages (日報), phone first: the worker's day, the entry form (from the
day's list or from a traveler tag's QR code), 「開始」/「終了」, a report and its review,
the company's reasons, its hourly rates and the actual cost per job.

Forms that write a new entry carry an idempotency key (``forms_reports``); a retried
POST lands on the same entry. Pages work without JavaScript (plain forms, redirects)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.companies.photos import max_photo_bytes, too_large_message
from machikoba.core.access import CHANGE, EDITOR_ROLES, MANAGE, VIEW, get_for_user_or_404, has_role
from machikoba.core.errors import ApplicationError
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.core.views import active_company_or_403, run_and_flash, safe_next, save_form
from machikoba.network.models import Step

from . import selectors_reports as selectors
from . import services_reports as services
from .choices import ReasonKind
from .error_codes_reports import ReportErrorCode
from .forms_reports import (
    EntryForm,
    ReturnForm,
    StartForm,
    new_key,
)
from .models import machine_key
from .models_reports import DailyReport, ReportEntry, ReportPhoto
from .reports.rules import EntryFields, check_step

# A day typed into an address further than this from today is not a report day.
DAY_RANGE = 366


class SignedInRequest(HttpRequest):
    user: User


def company_of(request: HttpRequest) -> Company:
    company: Company = active_company_or_403(request)
    return company


def supervised_company(request: SignedInRequest) -> Company:
    company = company_of(request)
    if not has_role(request.user, company, EDITOR_ROLES, VIEW):
        raise PermissionDenied
    return company


def _day(value: str | None) -> dt.date:
    """The report day an address or form names; today for none or nonsense."""
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return today
    return day if abs((today - day).days) <= DAY_RANGE and day <= today else today


def _today_url(day: dt.date, anchor: str = "") -> str:
    url = reverse("shopfloor:report_today")
    if day != timezone.localdate():
        url += f"?date={day.isoformat()}"
    return url + (f"#{anchor}" if anchor else "")


def seed_reasons(request: SignedInRequest, company: Company) -> None:
    """The company's first use of the 日報 gives it the default reasons; a company that
    may only be read (deactivated, in its grace period) gets none."""
    try:
        services.reasons_ensure(actor=request.user, company=company)
    except ApplicationError:
        return


def _step_label(step: Step) -> str:
    return f"{step.job.part_name} {step.position}. {step.process.name}"


# --- the worker's day --------------------------------------------------------------------


@login_required
@require_GET
def report_today(request: SignedInRequest) -> HttpResponse:
    company = company_of(request)
    day = _day(request.GET.get("date"))
    page = selectors.day_page(request.user, company, day)
    return render(request, "shopfloor/reports/today.html", {"page": page, "company": company})


@login_required
@require_GET
def report_mine(request: SignedInRequest) -> HttpResponse:
    company = company_of(request)
    reports = selectors.my_reports(request.user, company)
    return render(request, "shopfloor/reports/mine.html", {"reports": reports})


# --- the entry form ----------------------------------------------------------------------


def _entry_fields(request: SignedInRequest, company: Company, data: dict[str, Any]) -> EntryFields:
    """The typed values as the service takes them; an unknown machine or reason is a
    refusal on its field."""
    machine = None
    if data.get("machine"):
        machine = selectors.machine_of(company, data["machine"])
        if machine is None:
            raise ApplicationError(
                ReportErrorCode.MACHINE_UNKNOWN,
                _("入力内容を確認してください。"),
                fields={"machine": [_("設備を選び直してください。")]},
            )
    return EntryFields(
        equipment=machine[0] if machine else None,
        unit=machine[1] if machine else 1,
        minutes=data.get("minutes"),
        machine_minutes=data.get("machine_minutes"),
        good=data.get("good") or 0,
        defect=data.get("defect") or 0,
        defect_reason=selectors.reason_of(request.user, company, data.get("defect_reason")),
        stop_minutes=data.get("stop_minutes") or 0,
        stop_reason=selectors.reason_of(request.user, company, data.get("stop_reason")),
        notes=data.get("notes") or "",
    )


def _reason_lists(
    request: SignedInRequest, company: Company, entry: ReportEntry | None = None
) -> dict[str, list[tuple[str, str]]]:
    return {
        "stop_reasons": selectors.reason_choices(
            request.user, company, ReasonKind.STOP, entry.stop_reason if entry else None
        ),
        "defect_reasons": selectors.reason_choices(
            request.user, company, ReasonKind.DEFECT, entry.defect_reason if entry else None
        ),
    }


def _posted(request: HttpRequest) -> tuple[Any, Any]:
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _entry_page(request: SignedInRequest, company: Company, step: Step | None) -> HttpResponse:
    """The form for a new entry, about ``step`` (from its tag's QR code) or any of the
    day's steps; with 「開始」 for work starting now."""
    seed_reasons(request, company)
    data, files = _posted(request)
    day = _day((data or request.GET).get("day") or request.GET.get("date"))
    if step is not None:
        steps = [(step.pk, _step_label(step))]
    else:
        steps = [(c.step.pk, c.label) for c in selectors.workable_steps(request.user, company, day)]
    preset = step.pk if step is not None else request.GET.get("step")
    chosen = next((s for s in steps if str(s[0]) == str(preset)), None)
    machines = selectors.machine_choices(company)
    default_machine = ""
    if chosen is not None:
        chosen_step = step or Step.objects.for_user(request.user, VIEW).get(pk=chosen[0])
        default_machine = selectors.default_machine(request.user, company, chosen_step)
    form = EntryForm(
        data,
        files,
        steps=steps,
        machines=machines,
        fixed_step=step is not None,
        initial={
            "idempotency_key": new_key(),
            "day": day,
            "step": chosen[0] if chosen else None,
            "machine": default_machine,
        },
        **_reason_lists(request, company),
    )
    refuse_oversized(request, form, too_large_message)
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            target = step or get_for_user_or_404(
                Step.objects.select_related("job", "process"),
                request.user,
                VIEW,
                pk=cleaned["step"],
            )
            result = services.entry_record(
                actor=request.user,
                company=company,
                step=target,
                idempotency_key=cleaned["idempotency_key"],
                fields=_entry_fields(request, company, cleaned),
                day=cleaned["day"] or day,
                photos=cleaned["photos"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            if result.replayed:
                message = _("この作業はもう記録されています (同じ送信は二重に記録しません)。")
            else:
                message = _("作業を記録しました。")
            messages.success(request, message)
            entry = result.entry
            return redirect(_today_url(entry.report.date, f"entry-{entry.pk}"))
    running = selectors.running_entry(request.user, company)
    start_form = None
    if chosen is not None and day == timezone.localdate() and running is None:
        start_form = StartForm(
            prefix="start",
            steps=[chosen],
            machines=machines,
            initial={"idempotency_key": new_key(), "step": chosen[0], "machine": default_machine},
        )
    return render(
        request,
        "shopfloor/reports/entry_form.html",
        {
            "form": form,
            "start_form": start_form,
            "start_label": chosen[1] if chosen else "",
            "step": step,
            "running": running,
            "day": day,
            "company": company,
        },
    )


@login_required
@limit_upload_size(max_photo_bytes)
@require_http_methods(["GET", "POST"])
def report_entry_new(request: SignedInRequest) -> HttpResponse:
    return _entry_page(request, company_of(request), None)


@login_required
@limit_upload_size(max_photo_bytes)
@require_http_methods(["GET", "POST"])
def report_from_step(request: SignedInRequest, pk: int) -> HttpResponse:
    """The form for one step, opened from the 「日報に記録」 link of its traveler tag's
    page. A step the worker's company does not perform (or may no longer report) is
    refused with the reason."""
    company = company_of(request)
    step = get_for_user_or_404(
        Step.objects.select_related("job__company", "process"), request.user, VIEW, pk=pk
    )
    try:
        check_step(company, step, timezone.localdate())
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("shopfloor:report_today")
    return _entry_page(request, company, step)


@login_required
@require_POST
def report_entry_start(request: SignedInRequest) -> HttpResponse:
    """「開始」: a running entry from now."""
    company = company_of(request)
    steps = [
        (c.step.pk, c.label)
        for c in selectors.workable_steps(request.user, company, timezone.localdate())
    ]
    form = StartForm(
        request.POST, prefix="start", steps=steps, machines=selectors.machine_choices(company)
    )
    if not form.is_valid():
        messages.error(request, _("工程を選び直してから、もう一度「開始」を押してください。"))
        return redirect("shopfloor:report_today")
    cleaned = form.cleaned_data
    try:
        step = get_for_user_or_404(
            Step.objects.select_related("job", "process"), request.user, VIEW, pk=cleaned["step"]
        )
        fields = _entry_fields(request, company, {"machine": cleaned["machine"]})
        result = services.entry_start(
            actor=request.user,
            company=company,
            step=step,
            idempotency_key=cleaned["idempotency_key"],
            fields=fields,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("shopfloor:report_today")
    messages.success(
        request,
        _("「%(step)s」の作業を %(time)s に開始しました。終わったら「終了」を押してください。")
        % {
            "step": _step_label(result.entry.step),
            "time": timezone.localtime(result.entry.started_at).strftime("%H:%M"),
        },
    )
    return redirect(_today_url(result.entry.report.date, f"entry-{result.entry.pk}"))


def _own_entry(request: SignedInRequest, pk: int) -> ReportEntry:
    return get_for_user_or_404(
        ReportEntry.objects.select_related(
            "report__company", "step__job__company", "step__process", "equipment"
        ),
        request.user,
        CHANGE,
        pk=pk,
    )


@login_required
@require_POST
def report_entry_stop(request: SignedInRequest, pk: int) -> HttpResponse:
    """「終了」: the running entry ends now; then its counts are filled in."""
    entry = _own_entry(request, pk)
    done = run_and_flash(
        request,
        lambda: services.entry_stop(actor=request.user, entry=entry),
        _("作業を終了しました。良品数などを入力してください。"),
    )
    if done:
        return redirect("shopfloor:report_entry_edit", pk=entry.pk)
    return redirect(_today_url(entry.report.date))


@login_required
@limit_upload_size(max_photo_bytes)
@require_http_methods(["GET", "POST"])
def report_entry_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """The worker corrects an entry of their open report and adds photos. Anyone else
    (a supervisor), or a locked report, is shown the report."""
    entry = _own_entry(request, pk)
    report = entry.report
    if selectors.EDIT not in selectors.report_actions(request.user, report):
        if report.worker_id != request.user.pk:
            refusal = _("ほかの人の日報は直せません。直してほしいときは差し戻してください。")
        else:
            refusal = _("提出した日報は直せません。差し戻されると直せます。")
        if request.method == "POST":
            messages.error(request, refusal)
        elif report.worker_id == request.user.pk:
            messages.info(request, refusal)
        return redirect("shopfloor:report_detail", pk=report.pk)
    company = report.company
    data, files = _posted(request)
    form = EntryForm(
        data,
        files,
        steps=[(entry.step_id, _step_label(entry.step))],
        machines=selectors.machine_choices(company),
        fixed_step=True,
        initial={
            "idempotency_key": entry.idempotency_key,
            "day": report.date,
            "step": entry.step_id,
            "machine": machine_key(entry.equipment_id, entry.unit) if entry.equipment_id else "",
            "minutes": entry.minutes,
            "machine_minutes": entry.machine_minutes,
            "good": entry.good,
            "defect": entry.defect,
            "defect_reason": entry.defect_reason_id,
            "stop_minutes": entry.stop_minutes,
            "stop_reason": entry.stop_reason_id,
            "notes": entry.notes,
        },
        **_reason_lists(request, company, entry),
    )
    refuse_oversized(request, form, too_large_message)
    done = save_form(
        request,
        form,
        lambda cleaned: services.entry_update(
            actor=request.user,
            entry=entry,
            fields=_entry_fields(request, company, cleaned),
            photos=cleaned["photos"],
        ),
        success_message=_("作業を保存しました。"),
        next_url=lambda saved: _today_url(report.date, f"entry-{saved.pk}"),
    )
    if done:
        return done
    photos = list(ReportPhoto.objects.for_user(request.user, VIEW).filter(entry=entry))
    return render(
        request,
        "shopfloor/reports/entry_edit.html",
        {"form": form, "entry": entry, "report": report, "photos": photos},
    )


@login_required
@require_POST
def report_entry_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    day = entry.report.date
    run_and_flash(
        request,
        lambda: services.entry_delete(actor=request.user, entry=entry),
        _("作業を削除しました。"),
    )
    return redirect(_today_url(day))


@login_required
@require_GET
def report_photo(request: SignedInRequest, pk: int) -> HttpResponse:
    """A photo, read through the access layer (media is never a public folder): the
    worker and the company's supervisors."""
    photo = get_for_user_or_404(ReportPhoto, request.user, VIEW, pk=pk)
    with photo.image.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def report_photo_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    photo = get_for_user_or_404(
        ReportPhoto.objects.select_related("entry__report"), request.user, CHANGE, pk=pk
    )
    entry_pk = photo.entry_id
    run_and_flash(
        request,
        lambda: services.entry_photo_delete(actor=request.user, photo=photo),
        _("写真を削除しました。"),
    )
    return redirect("shopfloor:report_entry_edit", pk=entry_pk)


# --- a report and its review ---------------------------------------------------------------


def _report(request: SignedInRequest, pk: int, action: str) -> DailyReport:
    return get_for_user_or_404(
        DailyReport.objects.select_related("company", "worker", "reviewed_by"),
        request.user,
        action,
        pk=pk,
    )


@login_required
@require_GET
def report_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, VIEW)
    card = selectors.report_card(request.user, report)
    return render(
        request,
        "shopfloor/reports/report_detail.html",
        {"card": card, "report": report, "return_form": ReturnForm()},
    )


@login_required
@require_POST
def report_submit(request: SignedInRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, CHANGE)
    run_and_flash(
        request,
        lambda: services.report_submit(actor=request.user, report=report),
        _("日報を提出しました。おつかれさまでした。"),
    )
    return redirect(_today_url(report.date))


@login_required
@require_POST
def report_approve(request: SignedInRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, MANAGE)
    run_and_flash(
        request,
        lambda: services.report_approve(actor=request.user, report=report),
        _("%(name)s さんの %(date)s の日報を承認しました。")
        % {"name": report.worker.get_full_name(), "date": report.date.strftime("%m/%d")},
    )
    return redirect(safe_next(request, reverse("shopfloor:report_review")))


@login_required
@require_POST
def report_return(request: SignedInRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, MANAGE)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("差し戻す理由を書いてください (作業者に伝わります)。"))
        return redirect("shopfloor:report_detail", pk=report.pk)
    run_and_flash(
        request,
        lambda: services.report_return(
            actor=request.user, report=report, note=form.cleaned_data["note"]
        ),
        _("%(name)s さんの %(date)s の日報を差し戻しました。")
        % {"name": report.worker.get_full_name(), "date": report.date.strftime("%m/%d")},
    )
    return redirect(safe_next(request, reverse("shopfloor:report_review")))


@login_required
@require_GET
def report_review(request: SignedInRequest) -> HttpResponse:
    company = supervised_company(request)
    day = _day(request.GET.get("date")) if request.GET.get("date") else timezone.localdate()
    page = selectors.review_page(request.user, company, day)
    return render(
        request,
        "shopfloor/reports/review.html",
        {"page": page, "company": company, "return_form": ReturnForm()},
    )
