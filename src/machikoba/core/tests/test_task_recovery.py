"""Tasks left RUNNING by a dead worker run again; their effects happen once."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from machikoba.core import task_recovery
from machikoba.core.models import Notification, TaskEffect, TaskWorker
from machikoba.core.notifications import KINDS
from machikoba.core.task_recovery import effect_once, requeue_orphans, running_task
from machikoba.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

DEAD_PID = 2**22 + 12345  # above Linux's pid_max: never a live process


def _row(worker_ids, status="RUNNING", path="machikoba.core.tasks.deliver_email", **extra):
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=path,
        backend_name="default",
        run_after=timezone.now(),
        worker_ids=list(worker_ids),
        **extra,
    )


def _worker(worker_id, *, age=0.0, here=True, pid=None):
    return TaskWorker.objects.create(
        worker_id=worker_id,
        hostname=task_recovery.host_key() if here else "elsewhere|boot|1",
        pid=os.getpid() if pid is None else pid,
        started_at=timezone.now() - dt.timedelta(seconds=age),
        heartbeat_at=timezone.now() - dt.timedelta(seconds=age),
    )


def test_a_task_of_a_worker_that_never_registered_or_vanished_runs_again():
    row = _row(["gone"])
    assert requeue_orphans() == {"requeued": 1, "abandoned": 0}
    row.refresh_from_db()
    assert row.status == "READY"
    # Claimed again by the next worker, it is the second attempt.
    assert row.worker_ids == ["gone"]


def test_two_live_workers_keep_their_tasks_here_and_on_another_host():
    _worker("a")
    _worker("b", here=False, pid=DEAD_PID)  # another machine: its pids mean nothing here
    first, second = _row(["a"]), _row(["x", "b"])
    assert requeue_orphans() == {"requeued": 0, "abandoned": 0}
    assert {r.status for r in DBTaskResult.objects.filter(pk__in=[first.pk, second.pk])} == {
        "RUNNING"
    }


def test_a_worker_whose_heartbeat_stopped_loses_its_task(settings):
    settings.MACHIKOBA_TASK_LEASE_SECONDS = 30
    _worker("late", here=False, age=31)
    _worker("fresh", here=False, age=29)
    late, fresh = _row(["late"]), _row(["fresh"])
    requeue_orphans()
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert (late.status, fresh.status) == ("READY", "RUNNING")


def test_a_dead_pid_on_this_host_is_noticed_before_the_lease_runs_out():
    _worker("killed", pid=DEAD_PID)  # heartbeat fresh, process gone (kill -9)
    row = _row(["killed"])
    requeue_orphans()
    row.refresh_from_db()
    assert row.status == "READY"


def test_a_task_that_killed_its_worker_too_often_is_failed_not_retried(settings):
    settings.MACHIKOBA_TASK_MAX_ATTEMPTS = 3
    row = _row(["w1", "w2", "w3"])
    assert requeue_orphans() == {"requeued": 0, "abandoned": 1}
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert row.exception_class_path.endswith("WorkerLost")


def test_a_task_failed_by_a_stop_signal_goes_back_but_a_real_failure_stays():
    stopped = _row(["gone"], status="FAILED", exception_class_path="builtins.SystemExit")
    broken = _row(["gone"], status="FAILED", exception_class_path="builtins.ValueError")
    requeue_orphans()
    stopped.refresh_from_db()
    broken.refresh_from_db()
    assert (stopped.status, broken.status) == ("READY", "FAILED")


def test_requeue_interrupted_only_takes_back_this_workers_interrupted_task():
    mine = _row(["me"], status="FAILED", exception_class_path="django.db.utils.OperationalError")
    theirs = _row(["other"], status="RUNNING")
    assert task_recovery.requeue_interrupted(str(mine.pk), "me")
    assert not task_recovery.requeue_interrupted(str(theirs.pk), "me")
    mine.refresh_from_db()
    assert (mine.status, mine.exception_class_path) == ("READY", "")


def test_old_effect_records_and_worker_rows_are_pruned():
    TaskEffect.objects.create(key="old:sent")
    TaskEffect.objects.filter(key="old:sent").update(done_at=timezone.now() - dt.timedelta(days=31))
    TaskEffect.objects.create(key="new:sent")
    _worker("ancient", here=False, age=2 * 86400)
    requeue_orphans()
    assert list(TaskEffect.objects.values_list("key", flat=True)) == ["new:sent"]
    assert not TaskWorker.objects.exists()


def test_an_effect_happens_once_per_task_and_again_after_a_failed_attempt():
    runs = []

    def killed_half_way():
        with effect_once("sent") as first:
            runs.append(first)
            raise RuntimeError("killed half-way")  # rolled back: not recorded

    with running_task("task-1", 1), pytest.raises(RuntimeError):
        killed_half_way()
    with running_task("task-1", 2), effect_once("sent") as first:
        runs.append(first)
    with running_task("task-1", 3), effect_once("sent") as first:
        runs.append(first)
    assert runs == [True, True, False]
    assert task_recovery.is_retry() is False  # outside any task again


def test_an_email_task_run_twice_sends_once_with_a_stable_message_id(settings):
    from machikoba.core.tasks import deliver_email

    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    payload = {
        "subject": "件名",
        "body": "本文",
        "from_email": "noreply@example.test",
        "to": ["a@example.test"],
        "cc": [],
        "bcc": [],
        "reply_to": [],
        "headers": {},
        "alternatives": [],
    }
    with running_task("mail-7", 1):
        assert deliver_email.call(payload) == 1
    with running_task("mail-7", 2):  # the worker died after sending; the task runs again
        assert deliver_email.call(payload) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].message()["Message-ID"].startswith("<machikoba.mail-7@")


def test_a_notice_task_run_twice_stores_and_mails_once(settings):
    from machikoba.core.tasks import deliver_user_notification

    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = UserFactory(email="notice@example.test")
    kind = next(iter(KINDS))
    params = _params_for(kind)
    for attempt in (1, 2):
        with running_task("notice-3", attempt):
            deliver_user_notification.call([user.pk], kind, params, "/x/")
    assert Notification.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1


def _params_for(kind):
    """Every %(name)s the notice's text names, with a dummy value."""
    _label, subject, body = KINDS[kind]
    names = set(re.findall(r"%\((\w+)\)s", str(subject) + str(body)))
    return dict.fromkeys(names, "x")
