"""The caller-trusted writes the board uses: a routed job in one call, orders marked with
their origin, and the buyer's order of a joint order refused by ``order_cancel``."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import CompanyFactory
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.network import services
from machikoba.network.choices import OrderOrigin, OrderStatus, StepStatus
from machikoba.network.internal import RoutedStep, job_create_routed, order_issue
from machikoba.network.models import Job, Step
from machikoba.network.tests.factories import order_terms, process


def _routed(world, **overrides):
    soon = timezone.localdate() + dt.timedelta(days=10)
    arguments = {
        "actor": world.users[OTHER_COMPANY],  # the buyer: not a member of the lead
        "company": world.company,
        "part_name": "段付きシャフト",
        "drawing_number": "TK-2041",
        "material": None,
        "material_note": "",
        "quantity": 20,
        "due_date": timezone.localdate() + dt.timedelta(days=30),
        "notes": "",
        "documents": [],
        "steps": [
            RoutedStep(
                position=1,
                process=process("cutting.turning.nc_lathe"),
                spec="",
                performer=world.company,
                planned_end=None,
            ),
            RoutedStep(
                position=2,
                process=process("heat_treatment.quench_temper"),
                spec="HRC 58-62",
                performer=world.other_company,
                planned_end=soon,
            ),
        ],
    }
    arguments.update(overrides)
    return job_create_routed(**arguments)


def test_a_routed_job_has_its_performers_states_and_audit_trail(world):
    _job, steps = _routed(world)
    assert [(s.position, s.in_house, s.performer, s.status) for s in steps] == [
        (1, True, world.company, StepStatus.PLANNED),
        (2, False, world.other_company, StepStatus.REQUESTED),
    ]
    assert steps[1].planned_end == timezone.localdate() + dt.timedelta(days=10)
    events = AuditEvent.objects.filter(actor=world.users[OTHER_COMPANY])
    assert sorted(events.values_list("verb", flat=True)) == ["job.create", "step.add", "step.add"]
    assert events.get(verb="job.create").company == world.company


def test_an_invalid_step_is_refused_and_nothing_is_stored(world):
    good = RoutedStep(
        position=1,
        process=process("cutting.turning.nc_lathe"),
        spec="",
        performer=world.company,
        planned_end=None,
    )
    bad = RoutedStep(
        position=-1,  # not a position
        process=process("heat_treatment.quench_temper"),
        spec="",
        performer=world.other_company,
        planned_end=None,
    )
    with pytest.raises(ApplicationError) as refused:
        _routed(world, steps=[good, bad])
    assert refused.value.code == "step_invalid"
    assert not Job.objects.exists()
    assert not Step.objects.exists()
    assert not AuditEvent.objects.filter(verb__in=("job.create", "step.add")).exists()


def test_an_invalid_job_is_refused(world):
    with pytest.raises(ApplicationError) as refused:
        _routed(world, quantity=0)
    assert refused.value.code == "job_invalid"
    assert not Job.objects.exists()


def _board_like_orders(world):
    """A buyer's order to the lead (world.company) and the lead's order to a member,
    as the board issues them."""
    buyer = CompanyFactory(name="発注商事")
    job, steps = _routed(world)
    terms = order_terms()
    common = {
        "actor": None,
        "job": job,
        "work_content": "段付きシャフト",
        "price": 100_000,
        "origin": OrderOrigin.BOARD,
        **terms,
    }
    buyer_order = order_issue(buyer=buyer, supplier=world.company, steps=[], **common)
    member_order = order_issue(
        buyer=world.company, supplier=world.other_company, steps=[steps[1]], **common
    )
    return buyer, buyer_order, member_order


def test_the_buyers_order_of_a_joint_order_is_withdrawn_on_the_board_not_here(world):
    from machikoba.companies.choices import CompanyRole
    from machikoba.core.testing.factories import MembershipFactory

    buyer, buyer_order, member_order = _board_like_orders(world)
    buyer_owner = MembershipFactory(company=buyer, role=CompanyRole.OWNER).user
    with pytest.raises(ApplicationError) as refused:
        services.order_cancel(actor=buyer_owner, order=buyer_order, reason="不要になった")
    assert refused.value.code == "order_from_board"
    buyer_order.refresh_from_db()
    assert buyer_order.status == OrderStatus.ISSUED
    # The lead's order to a member is the lead's own: cancelled like any other.
    services.order_cancel(actor=world.users[MEMBER], order=member_order, reason="内製に切り替え")
    member_order.refresh_from_db()
    assert member_order.status == OrderStatus.CANCELLED


def test_an_rfq_award_is_an_order_of_rfq_origin(world):
    from machikoba.network.tests.test_permissions import _order

    assert _order(world).origin == OrderOrigin.RFQ
