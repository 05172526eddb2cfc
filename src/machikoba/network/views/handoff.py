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
from machikoba.network.selectors.handoff import RECEIVE_PREVIOUS, handoff_page
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
    """The page a traveler tag's QR code opens: the next action in one tap (on this step,
    or receiving the previous step's parts when that comes first)."""
    step = step_of_url(request, pk)
    page = handoff_page(request.user, step)
    if request.method == "POST":
        if page.action is None or request.POST.get("action") != page.action:
            messages.error(request, _("この操作は今はできません。画面を更新してください。"))
            return redirect("network:handoff", pk=step.pk)
        target = page.target
        calls = {
            "start": lambda: services.step_start(actor=request.user, step=target),
            "finish": lambda: services.step_finish(actor=request.user, step=target),
            "ship": lambda: services.step_ship(
                actor=request.user, step=target, quantity=page.quantity
            ),
            "receive": lambda: services.step_receive(
                actor=request.user, step=target, good_quantity=target.shipped_quantity
            ),
        }
        calls[RECEIVE_PREVIOUS] = calls["receive"]
        run_and_flash(request, calls[page.action], _("記録しました。"))
        return redirect("network:handoff", pk=step.pk)
    return render(request, "network/handoff.html", {"page": page, "step": step})
