"""The floor's handoff between shops, as a partner's worker lives it on the traveler tag's
page: no button that always fails, no parts shipped to nobody, and a word when the order
is not accepted.

The shaft's route: 1 travel in-house at the owner, 2 heat treatment awarded to the partner
(``world.other_company``), 3 and 4 with nobody chosen yet."""

import pytest
from django.urls import reverse

from machikoba.core.errors import ApplicationError
from machikoba.core.models import Notification
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.network import selectors, services
from machikoba.network.choices import StepStatus
from machikoba.network.models import Step
from machikoba.network.selectors.handoff import RECEIVE_PREVIOUS, handoff_page
from machikoba.network.tests.test_permissions import _order

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ordered(world):
    """Step 2 ordered from the partner and accepted; step 1 (in-house) not begun."""
    order = _order(world)
    services.order_accept(actor=world.users[OTHER_COMPANY], order=order)
    job = order.job
    return world, job, order


def _step(job, position):
    return Step.objects.select_related("job").get(job=job, position=position)


def _run_in_house_step_and_ship(world, job):
    owner = world.users[MEMBER]
    services.step_start(actor=owner, step=_step(job, 1))
    services.step_finish(actor=owner, step=_step(job, 1))
    services.step_ship(actor=owner, step=_step(job, 1), quantity=50)


def _tag_page(world, kind, step):
    return world.client_for(kind).get(reverse("network:handoff", args=[step.pk]))


# -- 2. A button that always fails ---------------------------------------------------


def test_the_next_steps_tag_offers_receiving_the_parts_not_a_start_that_fails(ordered):
    world, job, _ = ordered
    _run_in_house_step_and_ship(world, job)
    partner = world.users[OTHER_COMPANY]
    step2 = _step(job, 2)

    # The start is not offered while the parts from step 1 are not received ...
    assert "start" not in selectors.step_actions(partner, step2)
    page = handoff_page(partner, step2)
    assert (page.action, page.target.position, page.quantity) == (RECEIVE_PREVIOUS, 1, 50)
    html = _tag_page(world, OTHER_COMPANY, step2).content.decode()
    assert "前の工程 (1. " in html
    assert "50 個を受け入れる" in html
    assert "開始する" not in html

    # ... one tap receives them, and the same page then offers the start.
    client = world.client_for(OTHER_COMPANY)
    client.post(reverse("network:handoff", args=[step2.pk]), {"action": RECEIVE_PREVIOUS})
    step1 = _step(job, 1)
    assert (step1.status, step1.good_quantity) == (StepStatus.RECEIVED, 50)
    assert handoff_page(partner, _step(job, 2)).action == "start"
    client.post(reverse("network:handoff", args=[step2.pk]), {"action": "start"})
    assert _step(job, 2).status == StepStatus.IN_PROGRESS


def test_a_start_before_the_parts_arrive_is_refused_and_the_page_says_why(ordered):
    world, job, _ = ordered
    services.step_start(actor=world.users[MEMBER], step=_step(job, 1))  # still at the owner
    partner = world.users[OTHER_COMPANY]
    step2 = _step(job, 2)
    page = handoff_page(partner, step2)
    assert page.action is None
    assert "まだ届いていません" in page.waiting
    with pytest.raises(ApplicationError) as refused:
        services.step_start(actor=partner, step=step2)
    assert refused.value.code == "previous_not_received"
    assert _step(job, 2).status == StepStatus.ORDERED
    html = _tag_page(world, OTHER_COMPANY, step2).content.decode()
    assert "まだ届いていません" in html
    assert "開始する" not in html


def test_an_early_start_the_owner_allowed_is_offered_again(ordered):
    world, job, _ = ordered
    step2 = _step(job, 2)
    services.step_allow_early_start(actor=world.users[MEMBER], step=step2, reason="材料支給")
    assert handoff_page(world.users[OTHER_COMPANY], _step(job, 2)).action == "start"


# -- 1. Parts shipped to nobody ------------------------------------------------------


def _partner_finishes_step_2(world, job, capture):
    _run_in_house_step_and_ship(world, job)
    partner = world.users[OTHER_COMPANY]
    services.step_receive(actor=partner, step=_step(job, 1), good_quantity=50)
    services.step_start(actor=partner, step=_step(job, 2))
    with capture(execute=True):
        services.step_finish(actor=partner, step=_step(job, 2))


def test_parts_are_not_shipped_when_nobody_performs_the_next_step(
    ordered, django_capture_on_commit_callbacks
):
    world, job, _ = ordered
    _partner_finishes_step_2(world, job, django_capture_on_commit_callbacks)
    partner = world.users[OTHER_COMPANY]
    step2 = _step(job, 2)
    assert selectors.receiver_of(step2) is None  # step 3 has no performer yet

    assert "ship" not in selectors.step_actions(partner, step2)
    with pytest.raises(ApplicationError) as refused:
        services.step_ship(actor=partner, step=step2, quantity=50)
    assert refused.value.code == "no_receiver"
    assert _step(job, 2).status == StepStatus.DONE

    html = _tag_page(world, OTHER_COMPANY, step2).content.decode()
    assert "出荷できません" in html
    assert world.company.name in html
    assert "個を出荷する" not in html
    refused_post = world.client_for(OTHER_COMPANY).post(
        reverse("network:handoff", args=[step2.pk]), {"action": "ship"}, follow=True
    )
    assert "この操作は今はできません" in refused_post.content.decode()
    assert _step(job, 2).status == StepStatus.DONE


def test_the_owner_is_told_when_finished_parts_have_nowhere_to_go(
    ordered, django_capture_on_commit_callbacks
):
    world, job, _ = ordered
    _partner_finishes_step_2(world, job, django_capture_on_commit_callbacks)
    run_queued_tasks("deliver_notification")
    notice = Notification.objects.get(user=world.users[MEMBER], kind="step_no_receiver")
    assert "3. " in notice.body
    assert "担当を決めてください" in notice.body
    assert not Notification.objects.filter(
        user=world.users[OTHER_COMPANY], kind="step_no_receiver"
    ).exists()


def test_once_the_next_performer_is_chosen_the_parts_can_ship(
    ordered, django_capture_on_commit_callbacks
):
    world, job, _ = ordered
    _partner_finishes_step_2(world, job, django_capture_on_commit_callbacks)
    Step.objects.filter(job=job, position=3).update(performer=world.company)
    page = handoff_page(world.users[OTHER_COMPANY], _step(job, 2))
    assert (page.action, page.receiver) == ("ship", world.company)
    shipped = services.step_ship(actor=world.users[OTHER_COMPANY], step=_step(job, 2), quantity=50)
    assert shipped.status == StepStatus.SHIPPED


# -- 3. Shipping an order that is not accepted --------------------------------------


def test_shipping_a_changed_order_not_yet_accepted_warns_the_shipper(
    ordered, django_capture_on_commit_callbacks
):
    """Decided: shipping is allowed (the parts exist; the paperwork is the buyer's duty),
    but the tag's page and the ship form say the order is not accepted."""
    world, job, order = ordered
    _partner_finishes_step_2(world, job, django_capture_on_commit_callbacks)
    Step.objects.filter(job=job, position=3).update(performer=world.company)
    step2 = _step(job, 2)
    assert handoff_page(world.users[OTHER_COMPANY], step2).unaccepted_order is None

    services.order_change(actor=world.users[MEMBER], order=order, reason="単価変更", price=90_000)
    page = handoff_page(world.users[OTHER_COMPANY], step2)
    assert page.action == "ship"
    assert page.unaccepted_order.pk == order.pk
    tag = _tag_page(world, OTHER_COMPANY, step2).content.decode()
    assert "まだ受諾 (請書) されていません" in tag
    assert order.number in tag
    form = world.client_for(OTHER_COMPANY).get(
        reverse("network:step_progress", args=[step2.pk, "ship"])
    )
    assert "まだ受諾 (請書) されていません" in form.content.decode()
