"""Permission matrix for every schedule route. A machine schedule is private to its shop:
its people see it (owners and staff change it), and nobody else sees anything of it:
not another company, not a ward officer (of its ward or another), not a metro viewer,
not the shop's advisor or its owner's instructor, not a platform admin."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.clock import working_day
from machikoba.core.testing.matrix import (
    ADVISOR,
    ANONYMOUS,
    DONE,
    FLOOR_WORKER,
    INSTRUCTOR,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    REFUSED,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.shopfloor.models import PlannedOperation, ScheduleRun, StepWork
from machikoba.shopfloor.tests.factories import in_house_job, machines

pytestmark = pytest.mark.clock_sensitive

# Pages of the active company: another company sees its own (empty) schedule there.
COMPANY_PAGES = expect(
    200,
    **{
        ANONYMOUS: LOGIN,
        OFFICER: 403,
        OTHER_WARD_OFFICER: 403,
        METRO_VIEWER: 403,
        ADVISOR: 403,
        INSTRUCTOR: 403,
        REVIEWER: 403,
        LAB_STAFF: 403,
        "admin": 403,
    },
)
EDITOR_PAGES = expect(
    200,
    **{
        ANONYMOUS: LOGIN,
        FLOOR_WORKER: 403,
        OFFICER: 403,
        OTHER_WARD_OFFICER: 403,
        METRO_VIEWER: 403,
        ADVISOR: 403,
        INSTRUCTOR: 403,
        REVIEWER: 403,
        LAB_STAFF: 403,
        "admin": 403,
    },
)
# Rows of world.company's schedule: anyone outside it gets "not found".
OWN_ROWS = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 200})
OWN_EDIT = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403})
OWN_STEP = expect(
    404,
    **{
        ANONYMOUS: LOGIN,
        MEMBER: 200,
        STAFF: 200,
        FLOOR_WORKER: 403,
        OFFICER: 403,
        OTHER_WARD_OFFICER: 403,
        METRO_VIEWER: 403,
        ADVISOR: 403,
        INSTRUCTOR: 403,
        REVIEWER: 403,
        LAB_STAFF: 403,
        "admin": 403,
    },
)
OWN_MOVE = expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: 403})


def _plan(w) -> PlannedOperation:
    """world.company's plan with one operation (made once per test)."""
    existing = PlannedOperation.objects.filter(run__company=w.company).first()
    if existing is not None:
        return existing
    machine = machines(w.company)
    _job, (step,) = in_house_job(w.users[MEMBER], w.company, name="秘密の軸")
    StepWork.objects.create(company=w.company, step=step, minutes=60)
    run = ScheduleRun.objects.create(
        company=w.company, status="done", origin=step.job.created_at, jobs={"s": {"release": 0}}
    )
    start = step.job.created_at.replace(hour=0, minute=0) + dt.timedelta(days=1, hours=9)
    return PlannedOperation.objects.create(
        run=run,
        step=step,
        job_key="s",
        position=0,
        eligible=[f"m{machine['nc'].pk}-1", f"m{machine['nc'].pk}-2"],
        equipment=machine["nc"],
        unit=1,
        start=start,
        end=start + dt.timedelta(minutes=60),
    )


def _move_data(w):
    """Move to the other lathe on the next working day: inside the plan's window."""
    operation = _plan(w)
    return {"machine": operation.eligible[1], "day": working_day(1).isoformat(), "time": "10:00"}


MATRIX = [
    Case("shopfloor:schedule", lambda w: reverse("shopfloor:schedule"), COMPANY_PAGES),
    Case(
        "shopfloor:plan",
        lambda w: reverse("shopfloor:plan"),
        expect(
            REFUSED,
            **{
                ANONYMOUS: LOGIN,
                OFFICER: 403,
                OTHER_WARD_OFFICER: 403,
                METRO_VIEWER: 403,
                ADVISOR: 403,
                INSTRUCTOR: 403,
                REVIEWER: 403,
                LAB_STAFF: 403,
                "admin": 403,
            },
        ),
        method="POST",
        data=lambda w: {"objective": "due_dates", "time_limit": "10"},
    ),
    Case(
        "shopfloor:run_progress",
        lambda w: reverse("shopfloor:run_progress", args=[_plan(w).run_id]),
        OWN_ROWS,
    ),
    Case("shopfloor:steps", lambda w: reverse("shopfloor:steps"), COMPANY_PAGES),
    Case(
        "shopfloor:step_work",
        lambda w: reverse("shopfloor:step_work", args=[_plan(w).step_id]),
        OWN_STEP,
    ),
    Case("shopfloor:calendar", lambda w: reverse("shopfloor:calendar"), EDITOR_PAGES),
    Case(
        "shopfloor:operation_move",
        lambda w: reverse("shopfloor:operation_move", args=[_plan(w).pk]),
        OWN_EDIT,
    ),
    Case(
        "shopfloor:operation_move",
        lambda w: reverse("shopfloor:operation_move", args=[_plan(w).pk]),
        OWN_MOVE,
        method="POST",
        data=_move_data,
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_nobody_outside_the_shop_sees_its_plan_or_moves_it(world):
    operation = _plan(world)
    for actor in (
        OTHER_COMPANY,
        OFFICER,
        OTHER_WARD_OFFICER,
        METRO_VIEWER,
        ADVISOR,
        INSTRUCTOR,
        REVIEWER,
        "admin",
    ):
        client = world.client_for(actor)
        for name in ("shopfloor:schedule", "shopfloor:steps"):
            response = client.get(reverse(name))
            assert "秘密の軸" not in response.content.decode(), (actor, name)
        client.post(reverse("shopfloor:operation_move", args=[operation.pk]), _move_data(world))
    operation.refresh_from_db()
    assert (operation.unit, operation.moved) == (1, False)
    assert not ScheduleRun.objects.exclude(pk=operation.run_id).exists()

    # The same request by the shop's owner does move it: the refusals above were theirs.
    world.client_for(MEMBER).post(
        reverse("shopfloor:operation_move", args=[operation.pk]), _move_data(world)
    )
    operation.refresh_from_db()
    assert (operation.unit, operation.moved) == (2, True)
    assert timezone.localtime(operation.start) == dt.datetime.combine(
        working_day(1), dt.time(10, 0), tzinfo=timezone.get_current_timezone()
    )
