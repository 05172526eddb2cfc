"""Change orders and cancellation: new versions to accept again, a kept history, and the
rules for when an order can still change."""

import datetime as dt

import pytest
from django.urls import reverse

from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY
from machikoba.drawings.models import Grant
from machikoba.network import services
from machikoba.network.models import Order, OrderEvent, Step
from machikoba.network.tests.test_permissions import _order

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _accepted(world):
    order = _order(world)
    return services.order_accept(actor=world.users[OTHER_COMPANY], order=order)


def test_a_change_is_a_new_version_the_supplier_accepts_again(world):
    order = _accepted(world)
    changed = services.order_change(
        actor=world.users[MEMBER],
        order=order,
        reason="数量変更",
        quantity=60,
        price=96_000,
    )
    assert (changed.version, changed.status, changed.price) == (2, "issued", 96_000)
    assert changed.accepted_at is None
    services.order_accept(actor=world.users[OTHER_COMPANY], order=changed)
    history = list(OrderEvent.objects.filter(order=order).values_list("version", "kind"))
    assert history == [(1, "issued"), (1, "accepted"), (2, "changed"), (2, "accepted")]
    first_version = OrderEvent.objects.get(order=order, kind="issued")
    assert first_version.terms["price"] == 80000
    page = world.client_for(OTHER_COMPANY).get(reverse("network:order_detail", args=[order.pk]))
    assert "数量変更" in page.content.decode()


def test_a_change_breaking_the_payment_rule_is_refused_and_changes_nothing(world):
    order = _accepted(world)
    with pytest.raises(ApplicationError) as refused:
        services.order_change(
            actor=world.users[MEMBER],
            order=order,
            reason="支払日変更",
            payment_date=order.delivery_date + dt.timedelta(days=75),
        )
    assert "payment_date" in refused.value.fields
    order.refresh_from_db()
    assert (order.version, order.status) == (1, "accepted")


def test_only_the_buyers_editors_change_or_cancel(world):
    order = _accepted(world)
    for actor in (OTHER_COMPANY, FLOOR_WORKER):
        with pytest.raises(PermissionRefused):
            services.order_cancel(actor=world.users[actor], order=order, reason="x")


def test_cancel_sends_the_steps_back_to_planning_and_revokes_the_drawings(world):
    order = _accepted(world)
    step = order.steps.get()
    assert Grant.objects.filter(grantee=world.other_company, revoked_at__isnull=True).exists()
    services.order_cancel(actor=world.users[MEMBER], order=order, reason="設計変更のため")
    order.refresh_from_db()
    step.refresh_from_db()
    assert order.status == "cancelled"
    assert (step.status, step.performer) == ("planned", None)
    assert not Grant.objects.filter(grantee=world.other_company, revoked_at__isnull=True).exists()
    with pytest.raises(ApplicationError):
        services.order_change(actor=world.users[MEMBER], order=order, reason="x", price=1)


def test_an_order_whose_work_started_cannot_be_cancelled(world):
    order = _accepted(world)
    step = order.steps.get()
    services.step_allow_early_start(actor=world.users[MEMBER], step=step, reason="材料支給")
    services.step_start(actor=world.users[OTHER_COMPANY], step=step)
    with pytest.raises(ApplicationError) as refused:
        services.order_cancel(actor=world.users[MEMBER], order=order, reason="x")
    assert refused.value.code == "order_started"
    assert Order.objects.get(pk=order.pk).status == "accepted"
    assert Step.objects.get(pk=step.pk).status == "in_progress"


def test_the_change_page(world):
    order = _accepted(world)
    client = world.client_for(MEMBER)
    url = reverse("network:order_change", args=[order.pk])
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "work_content": order.work_content,
        "quantity": 50,
        "price": 85_000,
        "delivery_date": order.delivery_date.isoformat(),
        "delivery_place": order.delivery_place,
        "inspection_date": order.inspection_date.isoformat(),
        "payment_date": order.payment_date.isoformat(),
        "payment_method": "bank_transfer",
        "reason": "単価見直し",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.version, order.price) == (2, 85_000)
