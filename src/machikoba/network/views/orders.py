"""Pages of orders: the order (注文書), its change, cancellation and acceptance."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from machikoba.core.access import CHANGE, VIEW, get_for_user_or_404
from machikoba.core.views import run_and_flash, save_form
from machikoba.network import forms, services
from machikoba.network.models import Order
from machikoba.network.selectors import pages


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_for_user_or_404(
        Order.objects.select_related("buyer", "supplier", "job"), request.user, VIEW, pk=pk
    )
    page = pages.order_page(request.user, order)
    return render(request, "network/order_detail.html", page.context())


@login_required
def order_change(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_for_user_or_404(
        Order.objects.select_related("buyer", "supplier"), request.user, CHANGE, pk=pk
    )
    form = forms.OrderChangeForm(
        request.POST or None, initial={name: getattr(order, name) for name in services.ORDER_TERMS}
    )
    done = save_form(
        request,
        form,
        lambda data: services.order_change(
            actor=request.user,
            order=order,
            reason=data["reason"],
            **{name: data[name] for name in services.ORDER_TERMS},
        ),
        success_message=_("注文を変更しました。受注企業が改めて請けると確定します。"),
        next_url=reverse("network:order_detail", args=[order.pk]),
    )
    return done or render(request, "network/order_change.html", {"form": form, "order": order})


@login_required
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_for_user_or_404(Order, request.user, CHANGE, pk=pk)
    run_and_flash(
        request,
        lambda: services.order_cancel(
            actor=request.user, order=order, reason=request.POST.get("reason", "")
        ),
        _("注文を取り消しました。工程は計画に戻りました。"),
    )
    return redirect("network:order_detail", pk=order.pk)


@login_required
@require_POST
def order_accept(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_for_user_or_404(Order, request.user, VIEW, pk=pk)
    run_and_flash(
        request,
        lambda: services.order_accept(actor=request.user, order=order),
        _("注文を請けました (注文請書を記録しました)。"),
    )
    return redirect("network:order_detail", pk=order.pk)
