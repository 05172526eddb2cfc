"""Reads about one step (``selectors/steps.py``): its neighbours are on its own job, and
what goes on to the next party is what the previous step received."""

import pytest

from machikoba.core.testing.matrix import MEMBER
from machikoba.network import selectors
from machikoba.network.models import Step
from machikoba.network.tests.factories import make_job

ROUTE = (
    ("cutting.turning.nc_lathe", True),
    ("heat_treatment.quench_temper", False),
    ("grinding.cylindrical", False),
)


@pytest.fixture
def jobs(world):
    """Three jobs on the same route: the one the tests read between an earlier and a later
    one, whose steps all received 7 good parts."""
    earlier = make_job(world.users[MEMBER], world.company, route=ROUTE, quantity=80)
    job = make_job(world.users[MEMBER], world.company, route=ROUTE, quantity=30)
    later = make_job(world.users[MEMBER], world.company, route=ROUTE, quantity=90)
    Step.objects.filter(job__in=[earlier, later]).update(good_quantity=7)
    return earlier, {s.position: s for s in job.steps.all()}


def test_a_steps_neighbours_are_on_its_own_job(world, jobs):
    _, steps = jobs
    assert selectors.step_next(steps[1]) == steps[2]
    assert selectors.step_previous(steps[2]) == steps[1]
    assert selectors.step_previous(steps[1]) is None
    assert selectors.step_next(steps[3]) is None
    Step.objects.filter(pk=steps[2].pk).update(performer=world.other_company)
    assert selectors.receiver_of(steps[1]) == world.other_company
    assert selectors.receiver_of(steps[3]) == world.company


def test_what_is_shipped_on_defaults_to_the_good_parts_received_before(jobs):
    _, steps = jobs
    assert selectors.ship_quantity_default(steps[1]) == 30  # the job's quantity
    assert selectors.ship_quantity_default(steps[2]) == 30  # nothing received yet
    Step.objects.filter(pk=steps[1].pk).update(good_quantity=28)
    Step.objects.filter(pk=steps[3].pk).update(good_quantity=9)
    assert selectors.ship_quantity_default(steps[2]) == 28
    assert selectors.ship_quantity_default(steps[3]) == 30  # step 2 received nothing


def test_a_new_step_goes_after_the_last(world, jobs):
    _, steps = jobs
    assert selectors.next_position(steps[1].job) == 4
    empty = make_job(world.users[MEMBER], world.company, route=())
    assert selectors.next_position(empty) == 1


def test_an_orders_work_content_is_the_part_then_a_line_per_step(jobs):
    _, steps = jobs
    Step.objects.filter(pk=steps[2].pk).update(spec="HRC55")
    chosen = list(Step.objects.filter(pk__in=[steps[2].pk, steps[3].pk]).order_by("position"))
    names = [step.process.name_ja for step in chosen]
    assert selectors.work_content_of(steps[1].job, chosen) == (
        f"TK-2041 段付きシャフト\n・{names[0]}: HRC55\n・{names[1]}"
    )
