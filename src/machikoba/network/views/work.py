"""Pages of the work itself: each company's "my work" list, and the progress actions on
a step (start, finish, ship, receive, allow an early start)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.core.views import active_company_or_403, run_and_flash, safe_next, save_form
from machikoba.network import forms, selectors, services
from machikoba.network.selectors.handoff import unaccepted_order
from machikoba.network.views._common import step_of_url
from machikoba.network.work_extras import work_extras


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    company = active_company_or_403(request)
    return render(
        request,
        "network/my_work.html",
        {
            "company": company,
            **selectors.my_work(user=request.user, company=company),
            # The board's, the team's and the inbox's work (registered by the web app).
            "extra_sections": work_extras(user=request.user, company=company),
        },
    )


@login_required
def step_progress(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Start, finish, ship, receive or allow an early start: one page per action, a
    button (start, finish) or a short form (ship, receive, early start)."""
    step = step_of_url(request, pk)
    job_url = reverse("network:job_detail", args=[step.job_id])
    if action in ("start", "finish"):
        if request.method != "POST":
            return redirect(job_url)
        call = {"start": services.step_start, "finish": services.step_finish}[action]
        done = {"start": _("開始しました。"), "finish": _("加工完了を記録しました。")}[action]
        run_and_flash(request, lambda: call(actor=request.user, step=step), done)
        return redirect(safe_next(request, job_url))
    form: Any
    save: Callable[[dict[str, Any]], object]
    if action == "ship":
        form = forms.ShipForm(request.POST or None, initial={"quantity": step.job.quantity})
        save = lambda data: services.step_ship(  # noqa: E731
            actor=request.user, step=step, quantity=data["quantity"]
        )
        success = _("出荷を記録しました。")
    elif action == "receive":
        form = forms.ReceiveForm(
            request.POST or None, initial={"good_quantity": step.shipped_quantity}
        )
        save = lambda data: services.step_receive(  # noqa: E731
            actor=request.user,
            step=step,
            good_quantity=data["good_quantity"],
            defect_quantity=data["defect_quantity"],
            note=data["note"],
        )
        success = _("受け入れを記録しました。")
    elif action == "allow":
        form = forms.EarlyStartForm(request.POST or None)
        save = lambda data: services.step_allow_early_start(  # noqa: E731
            actor=request.user, step=step, reason=data["reason"]
        )
        success = _("前工程の受け入れ前に開始できるようにしました。")
    else:
        raise Http404
    done = save_form(request, form, save, success_message=success, next_url=job_url)
    return done or render(
        request,
        "network/step_progress.html",
        {
            "form": form,
            "step": step,
            "action": action,
            "receiver": selectors.receiver_of(step),
            # Shipping before the supplier accepted the order is allowed, with a warning.
            "unaccepted_order": unaccepted_order(step) if action == "ship" else None,
        },
    )
