"""The basis of each step's machine time on the steps page and in the plan (issue 22)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.network.choices import StepStatus
from machikoba.network.models import Step
from machikoba.shopfloor.choices import ReportStatus
from machikoba.shopfloor.models import DailyReport, ReportEntry, ScheduleRun, StepWork
from machikoba.shopfloor.tests.factories import MANUAL, in_house_job, machines

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _shop(world):
    """Three open steps: one measured by an earlier job's approved 日報, one with typed
    minutes, one with neither."""
    machines(world.company)
    owner = world.users[MEMBER]
    _past, (past,) = in_house_job(owner, world.company, quantity=10, name="旧ロット")
    Step.objects.filter(pk=past.pk).update(status=StepStatus.DONE)
    report = DailyReport.objects.create(
        company=world.company,
        worker=world.users[FLOOR_WORKER],
        date=timezone.localdate() - dt.timedelta(days=2),
        status=ReportStatus.APPROVED,
    )
    ReportEntry.objects.create(report=report, step=past, minutes=60, good=10)  # 6 a piece
    _a, (measured,) = in_house_job(owner, world.company, quantity=20, name="実測ピン")
    _b, (typed,) = in_house_job(owner, world.company, codes=(MANUAL,), name="入力ブッシュ")
    StepWork.objects.create(company=world.company, step=typed, minutes=75)
    _c, (guessed,) = in_house_job(owner, world.company, codes=(MANUAL,), name="推定カラー")
    return measured, typed, guessed


def _basis_cells(page: str) -> dict[str, str]:
    rows = re.findall(
        r'data-testid="plan-step-(\d+)".*?data-testid="step-minutes">(.*?)</td>', page, re.S
    )
    return {pk: re.sub(r"<[^>]+>", " ", cell) for pk, cell in rows}


def test_the_steps_page_says_where_each_time_comes_from(world):
    measured, typed, guessed = _shop(world)

    for actor in (MEMBER, FLOOR_WORKER):
        page = world.client_for(actor).get(reverse("shopfloor:steps")).content.decode()
        cells = _basis_cells(page)
        assert "120 分" in cells[str(measured.pk)]  # 6 minutes × 20
        assert "日報の実績" in cells[str(measured.pk)]
        assert "6.0" in cells[str(measured.pk)]
        assert "75 分" in cells[str(typed.pk)]
        assert "入力値" in cells[str(typed.pk)]
        assert "推定" in cells[str(guessed.pk)]
        assert 'data-basis="reports"' in page
        assert 'data-basis="estimate"' in page


def test_the_plan_lists_the_basis_of_each_operation(world, django_capture_on_commit_callbacks):
    measured, _typed, _guessed = _shop(world)
    client = world.client_for(MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("shopfloor:plan"), {"objective": "due_dates", "time_limit": "10"}
        )
    assert response.status_code == 302
    assert run_queued_tasks("plan_schedule") == ["done"]
    run = ScheduleRun.objects.get()
    assert run.jobs[f"s{measured.pk}"]["basis"] == {str(measured.pk): "reports"}

    page = client.get(reverse("shopfloor:schedule")).content.decode()

    listed = re.findall(
        r"<tr><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>"
        r'<td data-testid="operation-basis">([^<]*)</td>',
        page,
    )
    by_part = {label.split()[0]: basis for label, basis in listed}
    assert by_part == {"実測ピン": "日報の実績", "入力ブッシュ": "入力値", "推定カラー": "推定"}
