"""Paperwork (the 注文書 and the traveler tag as PDF) and the page a traveler tag's QR code
opens on a phone: the next action in one tap."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.views import run_and_flash
from machikoba.network import selectors, services
from machikoba.network.models import Order
from machikoba.network.paperwork import order_pdf as render_order
from machikoba.network.paperwork import traveler_pdf as render_tag
from machikoba.network.selectors import pages
from machikoba.network.views._common import pdf_response, step_of_url


@login_required
def order_pdf(request: HttpRequest, pk: int) -> HttpResponse:

    order = get_for_user_or_404(
        Order.objects.select_related("buyer", "supplier"), request.user, VIEW, pk=pk
    )
    return pdf_response(render_order(order), f"{order.number}.pdf")


@login_required
def traveler_pdf(request: HttpRequest, pk: int) -> HttpResponse:

    step = step_of_url(request, pk)
    receiver = selectors.receiver_of(step)
    url = request.build_absolute_uri(reverse("network:handoff", args=[step.pk]))
    content = render_tag(step, handoff_url=url, next_party=receiver.name if receiver else _("未定"))
    return pdf_response(content, f"traveler-{step.job_id}-{step.position}.pdf")


@login_required
def handoff(request: HttpRequest, pk: int) -> HttpResponse:
    """The page a traveler tag's QR code opens: the next action in one tap."""
    step = step_of_url(request, pk)
    action = pages.handoff_action(request.user, step)
    if request.method == "POST":
        if request.POST.get("action") != action or action is None:
            messages.error(request, _("この操作は今はできません。画面を更新してください。"))
            return redirect("network:handoff", pk=step.pk)
        calls = {
            "start": lambda: services.step_start(actor=request.user, step=step),
            "finish": lambda: services.step_finish(actor=request.user, step=step),
            "ship": lambda: services.step_ship(
                actor=request.user, step=step, quantity=selectors.ship_quantity_default(step)
            ),
            "receive": lambda: services.step_receive(
                actor=request.user, step=step, good_quantity=step.shipped_quantity
            ),
        }
        run_and_flash(request, calls[action], _("記録しました。"))
        return redirect("network:handoff", pk=step.pk)
    return render(
        request,
        "network/handoff.html",
        {
            "step": step,
            "action": action,
            "ship_quantity": selectors.ship_quantity_default(step) if action == "ship" else None,
            "receiver": selectors.receiver_of(step),
        },
    )
