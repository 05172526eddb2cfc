"""The machine schedule pages: the plan (Gantt, progress, conflicts), the steps to plan,
the calendar, and moving one operation (by dragging, or with a form)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from machikoba.companies.models import Equipment
from machikoba.core.access import CHANGE, VIEW, editor_company_ids, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.views import active_company_or_403, save_form
from machikoba.network.models import Step

from . import selectors, services
from .forms import CalendarForm, MoveForm, PlanForm, StepWorkForm
from .models import PlannedOperation, ScheduleRun, StepWork, WorkCalendar


def _editor(request, company) -> bool:
    return company.pk in editor_company_ids(request.user)


# Weeks further than this from today are not shown (a typed date far away is a mistake).
WEEK_RANGE_DAYS = 3 * 366


def _week_start(request) -> dt.date | None:
    try:
        week = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return None
    if abs((week - timezone.localdate()).days) > WEEK_RANGE_DAYS:
        return None
    return week


def _plan_context(request, company, plan, start=None) -> dict:
    operations = selectors.plan_operations(user=request.user, run=plan) if plan else []
    conflicts = selectors.plan_conflicts(plan, operations) if plan else []
    return {
        "plan": plan,
        "operations": operations,
        "conflicts": conflicts,
        "late": selectors.late_steps(plan, operations) if plan else [],
        "gantt": selectors.gantt(run=plan, operations=operations, conflicts=conflicts, start=start)
        if plan
        else None,
        "editor": _editor(request, company),
    }


@login_required
@require_GET
def schedule(request):
    company = active_company_or_403(request)
    plan = selectors.current_plan(user=request.user, company=company)
    latest = selectors.latest_run(user=request.user, company=company)
    context = _plan_context(request, company, plan, _week_start(request))
    skipped_ids = [row["step"] for row in plan.skipped] if plan else []
    skipped = {
        s.pk: s for s in Step.objects.for_user(request.user, VIEW).filter(pk__in=skipped_ids)
    }
    context.update(
        company=company,
        latest=latest,
        form=PlanForm(),
        skipped=[
            (skipped[row["step"]], row["reason"]) for row in plan.skipped if row["step"] in skipped
        ]
        if plan
        else [],
    )
    return render(request, "shopfloor/schedule.html", context)


@login_required
@require_POST
def plan(request):
    company = active_company_or_403(request)
    form = PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("計画の条件を選んでください。"))
        return redirect("shopfloor:schedule")
    try:
        services.plan_request(
            actor=request.user,
            company=company,
            objective=form.cleaned_data["objective"],
            time_limit=form.cleaned_data["time_limit"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("shopfloor:schedule")


@login_required
@require_GET
def run_progress(request, pk: int):
    run = get_for_user_or_404(ScheduleRun, request.user, VIEW, pk=pk)
    response = render(request, "shopfloor/partials/progress.html", {"run": run})
    if not run.is_active and request.headers.get("HX-Request"):
        # Finished: the page reloads to show the new plan (or the reason it failed).
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def steps(request):
    company = active_company_or_403(request)
    rows = selectors.step_rows(user=request.user, company=company)
    return render(
        request,
        "shopfloor/steps.html",
        {"rows": rows, "company": company, "editor": _editor(request, company)},
    )


@login_required
def step_work(request, pk: int):
    company = active_company_or_403(request)
    step = get_for_user_or_404(Step, request.user, VIEW, pk=pk, performer=company)
    if not _editor(request, company):
        raise PermissionDenied
    work = StepWork.objects.for_user(request.user, VIEW).filter(company=company, step=step).first()
    machines = Equipment.objects.for_user(request.user, VIEW).filter(company=company)
    initial = {
        "minutes": work.minutes if work else None,
        "equipment": list(work.equipment.all()) if work else [],
    }
    form = StepWorkForm(
        request.POST or None, initial=initial, equipment_queryset=machines.order_by("id")
    )
    done = save_form(
        request,
        form,
        lambda data: services.step_work_save(
            actor=request.user,
            company=company,
            step=step,
            minutes=data["minutes"],
            equipment=list(data["equipment"]),
        ),
        success_message=_("工程の加工時間と設備を保存しました。"),
        next_url=reverse("shopfloor:steps"),
    )
    if done:
        return done
    return render(request, "shopfloor/step_work.html", {"form": form, "step": step})


@login_required
def calendar(request):
    company = active_company_or_403(request)
    if not _editor(request, company):
        raise PermissionDenied
    current = WorkCalendar.objects.for_user(request.user, VIEW).filter(
        company=company
    ).first() or WorkCalendar(company=company)
    initial = {
        "day_start": current.day_start,
        "day_end": current.day_end,
        "weekdays": current.weekday_numbers,
        "shutdown_dates": "\n".join(day.isoformat() for day in current.shutdowns),
    }
    form = CalendarForm(request.POST or None, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.calendar_save(actor=request.user, company=company, **data),
        success_message=_("稼働カレンダーを保存しました。次の計画から使われます。"),
        next_url=reverse("shopfloor:schedule"),
    )
    if done:
        return done
    return render(request, "shopfloor/calendar.html", {"form": form})


@login_required
def operation_move(request, pk: int):
    operation = get_for_user_or_404(
        PlannedOperation.objects.select_related("run__company", "step__job", "step__process"),
        request.user,
        CHANGE,
        pk=pk,
    )
    company = operation.run.company
    names = selectors.machine_names(company)
    choices = [(key, names.get(key, key)) for key in operation.eligible]
    start = timezone.localtime(operation.start)
    form = MoveForm(
        request.POST or None,
        initial={"machine": operation.resource, "day": start.date(), "time": start.time()},
        machines=choices,
    )
    htmx = bool(request.headers.get("HX-Request"))
    if request.method == "POST" and form.is_valid():
        moment = dt.datetime.combine(
            form.cleaned_data["day"],
            form.cleaned_data["time"],
            tzinfo=timezone.get_current_timezone(),
        )
        try:
            services.operation_move(
                actor=request.user,
                operation=operation,
                machine=form.cleaned_data["machine"],
                start=moment,
            )
        except ApplicationError as error:
            if htmx:
                return _gantt_response(request, company, operation.run, error=str(error.message))
            form.add_application_error(error)
        else:
            if htmx:
                return _gantt_response(request, company, operation.run)
            messages.success(request, _("作業を移動しました。"))
            url = reverse("shopfloor:schedule") + f"?week={form.cleaned_data['day'].isoformat()}"
            return redirect(url)
    elif request.method == "POST" and htmx:
        return _gantt_response(
            request, company, operation.run, error=_("移動先を読み取れませんでした。")
        )
    return render(
        request,
        "shopfloor/operation_move.html",
        {"form": form, "operation": operation, "label": selectors.operation_label(operation)},
    )


def _gantt_response(request, company, run, error: str = "") -> HttpResponse:
    context = _plan_context(request, company, run, _week_start(request))
    context["move_error"] = error
    return render(request, "shopfloor/partials/plan_body.html", context)
