"""A small lathe shop for schedule tests: two NC lathes (one row with count 2) and a
manual lathe, and jobs whose in-house turning steps the shop must plan."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from machikoba.companies.models import Equipment, ProcessCategory
from machikoba.core.testing.clock import quiet_monday
from machikoba.network import services as network
from machikoba.network.tests.factories import process

NC = "cutting.turning.nc_lathe"
MANUAL = "cutting.turning.manual_lathe"


def machines(company) -> dict[str, Equipment]:
    return {
        "nc": Equipment.objects.create(
            company=company,
            kind="NC旋盤",
            maker="オークマ",
            model_name="LB3000",
            count=2,
            process=ProcessCategory.objects.get(code=NC),
        ),
        "manual": Equipment.objects.create(
            company=company,
            kind="汎用旋盤",
            maker="ワシノ",
            model_name="LEO-80A",
            count=1,
            process=ProcessCategory.objects.get(code=MANUAL),
        ),
    }


def in_house_job(owner, company, *, codes=(NC,), quantity=10, due_in_days=10, name="シャフト"):
    job = network.job_create(
        actor=owner,
        company=company,
        part_name=name,
        quantity=quantity,
        due_date=timezone.localdate() + dt.timedelta(days=due_in_days),
    )
    steps = [
        network.step_add(actor=owner, job=job, process=process(code), in_house=True)
        for code in codes
    ]
    return job, steps


def monday_morning() -> dt.datetime:
    """07:00 in Tokyo on the next Monday whose week (through the next Monday) has no
    public holiday."""
    return dt.datetime.combine(
        quiet_monday(), dt.time(7, 0), tzinfo=timezone.get_current_timezone()
    )
