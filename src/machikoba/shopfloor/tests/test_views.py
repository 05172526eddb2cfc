"""The schedule pages: the Gantt of the current plan, planning, progress, the forms
(calendar, step work, moving an operation) and their refusals."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.clock import working_day
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.shopfloor.models import PlannedOperation, ScheduleRun, StepWork, WorkCalendar
from machikoba.shopfloor.tests.factories import MANUAL, NC, in_house_job, machines

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _work(world, jobs=3):
    machine = machines(world.company)
    for index in range(jobs):
        _job, steps = in_house_job(
            world.users[MEMBER], world.company, codes=(NC, MANUAL), name=f"フランジ{index}"
        )
        for step in steps:
            StepWork.objects.create(company=world.company, step=step, minutes=120)
    return machine


def _planned(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("shopfloor:plan"), {"objective": "due_dates", "time_limit": "10"}
        )
    assert response.status_code == 302
    assert run_queued_tasks("plan_schedule") == ["done"]
    return ScheduleRun.objects.get()


def test_the_schedule_page_plans_and_shows_the_gantt(world, django_capture_on_commit_callbacks):
    _work(world)
    client = world.client_for(MEMBER)
    page = client.get(reverse("shopfloor:schedule")).content.decode()
    assert 'data-testid="no-plan"' in page
    assert 'data-testid="plan-form"' in page

    run = _planned(world, client, django_capture_on_commit_callbacks)

    page = client.get(reverse("shopfloor:schedule")).content.decode()
    assert page.count('data-testid="gantt-row"') == 3  # NC lathe #1, #2, manual lathe
    bars = page.count('data-testid="gantt-bar"')
    outside = PlannedOperation.objects.filter(run=run).count() - bars
    assert bars + outside == 6
    assert "フランジ0" in page
    # On its machine's row a bar names just the part (a narrow bar has no room for more);
    # the process is in its title, its screen-reader text and the list below.
    visible = re.findall(r'<span aria-hidden="true">([^<]*)</span>\s*</a>', page)
    assert len(visible) == bars
    assert all(v.startswith("フランジ") and "旋盤" not in v for v in visible), visible
    assert page.count('旋盤加工</span><span aria-hidden="true">フランジ') == bars
    assert "data-move-url" in page  # owners may drag
    # A floor worker sees the plan but cannot change it.
    worker_page = world.client_for(FLOOR_WORKER).get(reverse("shopfloor:schedule")).content
    assert b"data-move-url" not in worker_page
    assert b'data-testid="plan-form"' not in worker_page
    assert worker_page.count(b'data-testid="gantt-bar"') == bars


def test_a_week_far_away_or_unreadable_shows_the_current_week(
    world, django_capture_on_commit_callbacks
):
    _work(world, jobs=1)
    client = world.client_for(MEMBER)
    _planned(world, client, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    for week in ("9999-12-31", "0001-01-01", "先週"):
        response = client.get(reverse("shopfloor:schedule"), {"week": week})
        assert response.status_code == 200
        assert f"?week={(today + dt.timedelta(days=7)):%Y-%m-%d}" in response.content.decode()


def test_progress_polls_while_running_and_reloads_the_page_when_done(world):
    _work(world, jobs=1)
    client = world.client_for(MEMBER)
    client.post(reverse("shopfloor:plan"), {"objective": "makespan", "time_limit": "30"})
    run = ScheduleRun.objects.get()
    url = reverse("shopfloor:run_progress", args=[run.pk])
    ScheduleRun.objects.filter(pk=run.pk).update(
        status="running", elapsed=12.0, best_objective=480, bound=400, stage="makespan"
    )
    polling = client.get(url, HTTP_HX_REQUEST="true")
    text = polling.content.decode()
    assert "hx-trigger" in text
    assert "12 秒 / 30 秒" in text
    assert "完了まで 480 分" in text
    assert 'value="40"' in text  # 12 of 30 seconds
    assert "HX-Refresh" not in polling.headers
    page = client.get(reverse("shopfloor:schedule")).content.decode()
    assert 'data-testid="plan-progress"' in page
    assert "disabled" in page  # no second plan while one runs

    ScheduleRun.objects.filter(pk=run.pk).update(status="done")
    finished = client.get(url, HTTP_HX_REQUEST="true")
    assert finished.headers["HX-Refresh"] == "true"


def test_a_refused_plan_is_a_message_on_the_page(world):
    client = world.client_for(MEMBER)
    response = client.post(
        reverse("shopfloor:plan"), {"objective": "due_dates", "time_limit": "10"}, follow=True
    )
    assert "設備が登録されていません" in response.content.decode()
    response = client.post(
        reverse("shopfloor:plan"), {"objective": "x", "time_limit": "7"}, follow=True
    )
    assert "計画の条件を選んでください" in response.content.decode()
    assert not ScheduleRun.objects.exists()


def test_a_failed_plan_says_why(world):
    _work(world, jobs=1)
    ScheduleRun.objects.create(
        company=world.company, status="failed", origin=timezone.now(), error="理由の説明"
    )
    page = world.client_for(MEMBER).get(reverse("shopfloor:schedule")).content.decode()
    assert 'data-testid="plan-failed"' in page
    assert "理由の説明" in page


def test_moving_by_form_and_by_drag_request(world, django_capture_on_commit_callbacks):
    machine = _work(world, jobs=2)
    client = world.client_for(MEMBER)
    run = _planned(world, client, django_capture_on_commit_callbacks)
    operations = list(PlannedOperation.objects.filter(run=run, equipment=machine["nc"]))
    first, second = operations[0], operations[1]
    start = timezone.localtime(first.start)

    form_page = client.get(reverse("shopfloor:operation_move", args=[second.pk]))
    assert form_page.status_code == 200
    # The drag sends the same fields as the form, marked as an HTMX request.
    response = client.post(
        reverse("shopfloor:operation_move", args=[second.pk]) + f"?week={start.date()}",
        {
            "machine": first.resource,
            "day": start.date().isoformat(),
            "time": start.strftime("%H:%M"),
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="plan-body"' in body
    assert 'data-testid="conflicts"' in body
    assert "重なっています" in body
    assert body.count('data-conflict="true"') == 2

    home = timezone.localtime(second.start)
    response = client.post(
        reverse("shopfloor:operation_move", args=[second.pk]),
        {
            "machine": second.resource,
            "day": home.date().isoformat(),
            "time": home.strftime("%H:%M"),
        },
    )
    assert response.status_code == 302
    assert response.url.endswith(f"?week={home.date().isoformat()}")
    page = client.get(response.url).content.decode()
    assert 'data-testid="conflicts"' not in page
    assert "作業を移動しました" in page


def test_a_bad_move_is_explained_and_changes_nothing(world, django_capture_on_commit_callbacks):
    machine = _work(world, jobs=1)
    client = world.client_for(MEMBER)
    run = _planned(world, client, django_capture_on_commit_callbacks)
    operation = PlannedOperation.objects.filter(run=run, equipment=machine["nc"]).first()
    before = (operation.resource, operation.start)
    url = reverse("shopfloor:operation_move", args=[operation.pk])
    tomorrow = working_day(1).isoformat()
    response = client.post(url, {"machine": "m999-1", "day": tomorrow, "time": "10:00"})
    assert response.status_code == 200
    assert "候補にありません" in response.content.decode()  # Django's choice message
    response = client.post(url, {"machine": operation.resource, "day": "12月", "time": "25:00"})
    assert response.status_code == 200
    assert "日付" in response.content.decode()
    # A day outside the plan's period (here one no date arithmetic can go past).
    response = client.post(
        url, {"machine": operation.resource, "day": dt.date.max.isoformat(), "time": "23:50"}
    )
    assert response.status_code == 200
    assert "計画の期間" in response.content.decode()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        url, {"machine": operation.resource, "day": yesterday.isoformat(), "time": "09:00"}
    )
    assert "計画の期間" in response.content.decode()
    response = client.post(url, {"machine": "", "day": ""}, HTTP_HX_REQUEST="true")
    assert 'data-testid="move-error"' in response.content.decode()
    operation.refresh_from_db()
    assert (operation.resource, operation.start, operation.moved) == (*before, False)


def test_the_calendar_form(world):
    client = world.client_for(MEMBER)
    url = reverse("shopfloor:calendar")
    response = client.post(
        url,
        {
            "day_start": "08:00",
            "day_end": "17:00",
            "weekdays": ["0", "1"],
            "shutdown_dates": "年末",
        },
    )
    assert response.status_code == 200
    assert "「年末」は日付として読めません" in response.content.decode()
    response = client.post(url, {"day_start": "08:00", "day_end": "17:00", "shutdown_dates": ""})
    assert "稼働する曜日を一つ以上選んでください" in response.content.decode()
    response = client.post(url, {"day_start": "18:00", "day_end": "08:00", "weekdays": ["0"]})
    assert "終業時刻は始業時刻より後にしてください" in response.content.decode()
    assert not WorkCalendar.objects.exists()

    first = working_day(20)
    second = first + dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "day_start": "08:00",
            "day_end": "17:00",
            "weekdays": ["0", "1", "2", "3", "4", "5"],
            "shutdown_dates": f"{first:%Y-%m-%d}\n{second:%Y/%m/%d}",
        },
    )
    assert response.status_code == 302
    calendar = WorkCalendar.objects.get()
    assert (calendar.day_start, calendar.weekdays) == (dt.time(8), "012345")
    assert calendar.shutdown_dates == [first.isoformat(), second.isoformat()]
    again = client.get(url).content.decode()
    assert f"{first.isoformat()}\n{second.isoformat()}" in again


def test_the_steps_list_and_the_step_form(world):
    machine = machines(world.company)
    _job, (step,) = in_house_job(world.users[MEMBER], world.company, quantity=12)
    client = world.client_for(MEMBER)
    page = client.get(reverse("shopfloor:steps")).content.decode()
    assert "見込み" in page  # no time entered yet
    assert "NC旋盤 LB3000 #1" in page

    url = reverse("shopfloor:step_work", args=[step.pk])
    response = client.post(url, {"minutes": "0"})
    assert response.status_code == 200
    assert not StepWork.objects.exists()
    response = client.post(url, {"minutes": "95", "equipment": [str(machine["manual"].pk)]})
    assert response.status_code == 302
    page = client.get(reverse("shopfloor:steps")).content.decode()
    assert "95 分" in page
    assert "汎用旋盤 LEO-80A" in page


def test_the_schedule_page_takes_constant_queries(world, django_capture_on_commit_callbacks):
    client = world.client_for(MEMBER)
    _work(world, jobs=2)
    _planned(world, client, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("shopfloor:schedule"))
    _work(world, jobs=8)
    ScheduleRun.objects.all().delete()
    _planned(world, client, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("shopfloor:schedule"))
    assert len(large) == len(small)
