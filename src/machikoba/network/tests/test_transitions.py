"""One table decides what a person may do to a step: for every state, action and kind of
person, the progress services accept exactly what ``step_actions`` offers (the buttons),
and refuse everything else."""

import itertools

import pytest
from django.db import transaction

from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY
from machikoba.network import selectors, services
from machikoba.network.choices import StepStatus
from machikoba.network.models import Step
from machikoba.network.tests.factories import make_job
from machikoba.network.transitions import STEP_TRANSITIONS


class _Rollback(Exception):
    pass


def _accepted(call) -> bool:
    """Whether the service accepts (its writes are rolled back either way)."""
    try:
        with transaction.atomic():
            call()
            raise _Rollback
    except _Rollback:
        return True
    except ApplicationError:
        return False


CALLS = {
    "start": lambda actor, step: services.step_start(actor=actor, step=step),
    "finish": lambda actor, step: services.step_finish(actor=actor, step=step),
    "ship": lambda actor, step: services.step_ship(actor=actor, step=step, quantity=1),
    "receive": lambda actor, step: services.step_receive(actor=actor, step=step, good_quantity=1),
    "allow_early_start": lambda actor, step: services.step_allow_early_start(
        actor=actor, step=step, reason="材料支給"
    ),
}


def _owner(company):
    return MembershipFactory(company=company, role=CompanyRole.OWNER).user


@pytest.fixture
def route(world):
    """Step 1 of world.company's job, performed by the other company (or in-house), its
    parts going to a third company that performs step 2; and who is who."""
    job = make_job(
        world.users[MEMBER],
        world.company,
        route=(("heat_treatment.quench_temper", False), ("grinding.cylindrical", False)),
    )
    receiver = CompanyFactory(name="受け入れ研削株式会社")
    Step.objects.filter(job=job, position=2).update(performer=receiver)
    actors = {
        "owner editor": world.users[MEMBER],
        "performer": world.users[OTHER_COMPANY],
        "receiver": _owner(receiver),
        "floor worker": world.users[FLOOR_WORKER],
        "other company": _owner(CompanyFactory(name="無関係工業")),
    }
    return world, job, actors


@pytest.mark.parametrize("in_house", [False, True], ids=["partner step", "in-house step"])
def test_the_services_accept_exactly_what_step_actions_offers(route, in_house):
    world, job, actors = route
    performer = world.company if in_house else world.other_company
    checked = 0
    for status, (kind, actor) in itertools.product(StepStatus.values, actors.items()):
        Step.objects.filter(job=job, position=1).update(
            status=status, performer=performer, in_house=in_house, shipped_quantity=50
        )
        offered = selectors.step_actions(actor, Step.objects.get(job=job, position=1))
        for action, call in CALLS.items():
            step = Step.objects.get(job=job, position=1)
            accepted = _accepted(lambda call=call, step=step, actor=actor: call(actor, step))
            assert accepted == (action in offered), (status, kind, action, in_house)
            checked += 1
    assert checked == len(StepStatus.values) * len(actors) * len(CALLS)


def test_the_table_offers_what_each_kind_of_person_expects(route):
    """A few rows spelled out: the performer works the step, the receiver receives, the
    owner's editors allow an early start; nobody else does anything."""
    world, job, actors = route
    step = Step.objects.get(job=job, position=1)

    def offered(status, kind):
        Step.objects.filter(pk=step.pk).update(status=status, performer=world.other_company)
        return selectors.step_actions(actors[kind], Step.objects.get(pk=step.pk))

    assert offered(StepStatus.ORDERED, "performer") == {"start"}
    assert offered(StepStatus.ORDERED, "owner editor") == {"allow_early_start"}
    assert offered(StepStatus.REQUESTED, "owner editor") == set()
    assert offered(StepStatus.IN_PROGRESS, "performer") == {"finish"}
    assert offered(StepStatus.DONE, "performer") == {"ship"}
    assert offered(StepStatus.SHIPPED, "receiver") == {"receive"}
    assert offered(StepStatus.SHIPPED, "performer") == set()
    for status in StepStatus.values:
        assert offered(status, "other company") == set()
        assert offered(status, "floor worker") == set()


def test_every_action_of_the_table_has_a_service():
    assert set(STEP_TRANSITIONS) == set(CALLS)


def test_a_closed_job_offers_nothing(route):
    from machikoba.network.choices import JobStatus

    world, job, actors = route
    job.status = JobStatus.CANCELLED
    job.save(update_fields=["status"])
    Step.objects.filter(job=job, position=1).update(
        status=StepStatus.ORDERED, performer=world.other_company
    )
    step = Step.objects.get(job=job, position=1)
    assert selectors.step_actions(actors["performer"], step) == frozenset()
    with pytest.raises(ApplicationError) as refused:
        services.step_start(actor=actors["performer"], step=step)
    assert refused.value.code == "job_not_open"


def test_the_in_house_step_is_started_by_the_owners_people(route):
    world, job, actors = route
    Step.objects.filter(job=job, position=1).update(
        status=StepStatus.PLANNED, performer=world.company, in_house=True
    )
    step = Step.objects.get(job=job, position=1)
    assert selectors.step_actions(actors["floor worker"], step) == {"start"}
    assert "start" in selectors.step_actions(actors["owner editor"], step)


def test_a_list_passing_the_route_offers_what_the_step_alone_offers(route):
    """Pages pass ``route`` (``route_performer_ids``) to save a query per step: the answer
    is the same, for the middle step (parts go to the next performer) and the last (to the
    owner)."""
    world, job, actors = route
    Step.objects.filter(job=job, position=1).update(performer=world.other_company)
    for status in StepStatus.values:
        Step.objects.filter(job=job).update(status=status, shipped_quantity=50)
        route_ids = selectors.route_performer_ids(job)
        for step, (kind, actor) in itertools.product(job.steps.all(), actors.items()):
            alone = selectors.step_actions(actor, step)
            assert selectors.step_actions(actor, step, route=route_ids) == alone, (
                status,
                kind,
                step.position,
            )


def test_nobody_receives_parts_whose_next_step_has_no_performer_yet(route):
    world, job, actors = route
    Step.objects.filter(job=job, position=1).update(
        status=StepStatus.SHIPPED, performer=world.other_company, shipped_quantity=50
    )
    Step.objects.filter(job=job, position=2).update(performer=None)
    step = Step.objects.get(job=job, position=1)
    route_ids = selectors.route_performer_ids(job)
    for kind, actor in actors.items():
        assert "receive" not in selectors.step_actions(actor, step), kind
        assert "receive" not in selectors.step_actions(actor, step, route=route_ids), kind
    with pytest.raises(ApplicationError) as refused:
        services.step_receive(actor=actors["receiver"], step=step, good_quantity=50)
    assert refused.value.code == "not_receiver"


@pytest.mark.parametrize("next_performer", [True, False], ids=["receiver", "no receiver"])
def test_the_conditions_beyond_the_state_agree_too(route, next_performer):
    """Step 2 waits for step 1's parts (unless an early start was allowed), and step 1
    ships only to somebody: for every state of step 1 the buttons of both steps are what
    the services accept."""
    world, job, actors = route
    receiver = Step.objects.get(job=job, position=2).performer
    Step.objects.filter(job=job, position=2).update(
        status=StepStatus.ORDERED, performer=receiver if next_performer else None
    )
    checked = 0
    for status, override in itertools.product(StepStatus.values, ("", "材料支給")):
        Step.objects.filter(job=job, position=1).update(
            status=status, performer=world.other_company, shipped_quantity=50
        )
        Step.objects.filter(job=job, position=2).update(start_override_reason=override)
        for position, kind in ((1, "performer"), (2, "receiver")):
            actor = actors[kind]
            offered = selectors.step_actions(actor, Step.objects.get(job=job, position=position))
            for action in ("start", "ship"):
                step = Step.objects.get(job=job, position=position)
                call = CALLS[action]
                accepted = _accepted(lambda call=call, step=step, actor=actor: call(actor, step))
                assert accepted == (action in offered), (status, override, position, action)
                checked += 1
    assert checked == len(StepStatus.values) * 2 * 2 * 2
    # and the conditions did decide something: the start of step 2 on parts not received
    Step.objects.filter(job=job, position=1).update(status=StepStatus.SHIPPED)
    Step.objects.filter(job=job, position=2).update(start_override_reason="")
    if next_performer:
        step2 = Step.objects.get(job=job, position=2)
        assert "start" not in selectors.step_actions(actors["receiver"], step2)
        Step.objects.filter(job=job, position=1).update(status=StepStatus.RECEIVED)
        assert "start" in selectors.step_actions(actors["receiver"], step2)
    Step.objects.filter(job=job, position=1).update(status=StepStatus.DONE)
    step1 = Step.objects.get(job=job, position=1)
    assert ("ship" in selectors.step_actions(actors["performer"], step1)) == next_performer
