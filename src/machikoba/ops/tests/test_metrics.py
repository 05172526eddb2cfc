"""/metrics: the Prometheus text format (parsed with prometheus-client's own parser), the
request metrics, what is read from the database at scrape time, multiprocess mode, and
who may read it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from machikoba.core.tasks import deliver_email
from machikoba.core.testing.factories import CompanyFactory
from machikoba.core.testing.factories_telemetry import make_machine
from machikoba.core.testing.processes import ROOT
from machikoba.drawings.tasks import build_previews
from machikoba.ops.collectors import PREVIEW_TASK
from machikoba.shopfloor.choices import RunStatus
from machikoba.shopfloor.models import ScheduleRun
from machikoba.telemetry.choices import Source
from machikoba.telemetry.models import IngestStats, UnknownSource


@pytest.fixture(autouse=True)
def _per_process(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)


def scrape(client, **headers) -> dict[str, float]:
    """Every sample of a scrape, keyed "name{label="value",…}" (labels sorted)."""
    response = client.get(reverse("ops:metrics"), **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def test_requests_are_counted_by_method_route_and_status(client, db):
    key = 'machikoba_http_requests_total{method="GET",route="web:healthz",status="200"}'
    before = scrape(client).get(key, 0)
    client.get(reverse("web:healthz"))
    client.get(reverse("web:healthz"))
    client.get("/no-such-page/")
    after = scrape(client)
    assert after[key] == before + 2
    assert after['machikoba_http_requests_total{method="GET",route="unmatched",status="404"}'] >= 1
    count = 'machikoba_http_request_duration_seconds_count{method="GET",route="web:healthz"}'
    assert after[count] >= 2
    bucket = (
        'machikoba_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="web:healthz"}'
    )
    assert after[bucket] == after[count]


def test_a_made_up_method_is_counted_as_other(client, db):
    client.generic("BREW", reverse("web:healthz"))
    samples = scrape(client)
    assert any('method="other"' in key for key in samples)
    assert not any('method="BREW"' in key for key in samples)


def test_the_task_queue_depth_and_age_come_from_the_task_rows(client, db):
    now = timezone.now()
    waiting = deliver_email.enqueue({"to": []})
    deliver_email.enqueue({"to": []})
    DBTaskResult.objects.filter(pk=waiting.id).update(enqueued_at=now - dt.timedelta(minutes=5))
    running = DBTaskResult.objects.get(pk=deliver_email.enqueue({"to": []}).id)
    running.claim("worker-a")
    DBTaskResult.objects.filter(pk=running.pk).update(started_at=now - dt.timedelta(minutes=2))
    for finished_at in (now - dt.timedelta(minutes=10), now - dt.timedelta(hours=3)):
        failed = DBTaskResult.objects.get(pk=deliver_email.enqueue({"to": []}).id)
        failed.set_failed(ValueError("x"))
        DBTaskResult.objects.filter(pk=failed.pk).update(finished_at=finished_at)

    samples = scrape(client)
    assert samples['machikoba_tasks_ready{queue="mail"}'] == 2
    assert samples['machikoba_tasks_ready{queue="default"}'] == 0
    assert samples['machikoba_tasks_ready{queue="planning"}'] == 0
    assert 300 <= samples['machikoba_tasks_oldest_ready_age_seconds{queue="mail"}'] < 400
    assert samples['machikoba_tasks_oldest_ready_age_seconds{queue="default"}'] == 0
    assert samples['machikoba_tasks_running{queue="mail"}'] == 1
    assert 120 <= samples['machikoba_tasks_oldest_running_age_seconds{queue="mail"}'] < 220
    # Only the failure of the last hour.
    assert samples['machikoba_tasks_failed_last_hour{queue="mail"}'] == 1


def test_a_task_due_later_is_not_waiting_and_an_overdue_one_waits_from_its_time(client, db):
    now = timezone.now()
    deliver_email.using(run_after=now + dt.timedelta(hours=1)).enqueue({"to": []})
    overdue = deliver_email.using(run_after=now - dt.timedelta(minutes=1)).enqueue({"to": []})
    DBTaskResult.objects.filter(pk=overdue.id).update(enqueued_at=now - dt.timedelta(hours=2))
    samples = scrape(client)
    assert samples['machikoba_tasks_ready{queue="mail"}'] == 1
    assert 60 <= samples['machikoba_tasks_oldest_ready_age_seconds{queue="mail"}'] < 160


def _preview_run(started_ago: dt.timedelta, seconds: float) -> None:
    row = DBTaskResult.objects.get(pk=build_previews.enqueue(1).id)
    started = timezone.now() - started_ago
    DBTaskResult.objects.filter(pk=row.pk).update(
        status="SUCCESSFUL", started_at=started, finished_at=started + dt.timedelta(seconds=seconds)
    )


def test_preview_durations_are_read_from_the_preview_task_rows(client, db):
    assert build_previews.module_path == PREVIEW_TASK
    _preview_run(dt.timedelta(minutes=10), 3)
    _preview_run(dt.timedelta(minutes=20), 45)
    _preview_run(dt.timedelta(hours=3), 1)  # finished before the hour: left out
    deliver_email.enqueue({"to": []})  # another task: left out
    samples = scrape(client)
    assert samples['machikoba_preview_duration_seconds_bucket{le="2.0"}'] == 0
    assert samples['machikoba_preview_duration_seconds_bucket{le="5.0"}'] == 1
    assert samples['machikoba_preview_duration_seconds_bucket{le="60.0"}'] == 2
    assert samples['machikoba_preview_duration_seconds_bucket{le="+Inf"}'] == 2
    assert samples["machikoba_preview_duration_seconds_gcount{}"] == 2
    assert samples["machikoba_preview_duration_seconds_gsum{}"] == pytest.approx(48, abs=0.01)


def test_plan_durations_are_read_from_the_schedule_runs(client, db):
    company = CompanyFactory()
    now = timezone.now()
    for status, seconds, ago in (
        (RunStatus.DONE, 8, dt.timedelta(minutes=5)),
        (RunStatus.DONE, 25, dt.timedelta(minutes=30)),
        (RunStatus.FAILED, 1.5, dt.timedelta(minutes=40)),
        (RunStatus.DONE, 4, dt.timedelta(hours=2)),
    ):
        ScheduleRun.objects.create(
            company=company,
            origin=now,
            status=status,
            started_at=now - ago,
            finished_at=now - ago + dt.timedelta(seconds=seconds),
        )
    ScheduleRun.objects.create(company=company, origin=now, status=RunStatus.QUEUED)
    samples = scrape(client)
    assert samples['machikoba_plan_duration_seconds_bucket{le="10.0",status="done"}'] == 1
    assert samples['machikoba_plan_duration_seconds_bucket{le="30.0",status="done"}'] == 2
    assert samples['machikoba_plan_duration_seconds_gcount{status="done"}'] == 2
    assert samples['machikoba_plan_duration_seconds_bucket{le="2.0",status="failed"}'] == 1
    assert not any('status="queued"' in key for key in samples)


def test_telemetry_ingest_per_source_comes_from_the_collectors_counters(client, db):
    company = CompanyFactory()
    last_seen = timezone.now() - dt.timedelta(seconds=30)
    for received, stored, seen in (
        (100, 80, last_seen),
        (50, 40, last_seen - dt.timedelta(hours=1)),
    ):
        IngestStats.objects.create(
            machine=make_machine(company, source=Source.MQTT),
            received=received,
            stored=stored,
            duplicates=3,
            malformed=2,
            rate_limited=1,
            last_seen=seen,
        )
    make_machine(company, source=Source.OPCUA, active=False)
    UnknownSource.objects.create(
        source=Source.MQTT, key="stray", count=9, first_seen=last_seen, last_seen=last_seen
    )
    samples = scrape(client)
    assert samples['machikoba_telemetry_messages_received_total{source="mqtt"}'] == 150
    assert samples['machikoba_telemetry_intervals_stored_total{source="mqtt"}'] == 120
    assert samples['machikoba_telemetry_duplicates_total{source="mqtt"}'] == 6
    assert samples['machikoba_telemetry_refused_total{reason="malformed",source="mqtt"}'] == 4
    assert samples['machikoba_telemetry_refused_total{reason="rate_limited",source="mqtt"}'] == 2
    assert samples['machikoba_telemetry_refused_total{reason="skewed",source="mqtt"}'] == 0
    assert samples[
        'machikoba_telemetry_last_ingest_timestamp_seconds{source="mqtt"}'
    ] == pytest.approx(last_seen.timestamp())
    assert 'machikoba_telemetry_last_ingest_timestamp_seconds{source="opcua"}' not in samples
    assert samples['machikoba_telemetry_machines{active="true",source="mqtt"}'] == 2
    assert samples['machikoba_telemetry_machines{active="false",source="opcua"}'] == 1
    assert samples['machikoba_telemetry_unknown_messages_total{source="mqtt"}'] == 9


def test_the_scrape_reads_the_database_in_a_few_queries(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        scrape(client)


# --- multiprocess mode ------------------------------------------------------------------

_COUNT_IN_ANOTHER_PROCESS = """
from machikoba.ops.metrics import observe_request
observe_request("GET", "web:multiprocess_probe", 200, 0.02)
"""


def test_several_processes_are_summed_with_a_multiprocess_directory(
    client, db, tmp_path, monkeypatch
):
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path), PYTHONPATH=str(ROOT / "src"))
    for _ in range(2):  # two gunicorn workers, each counting one request
        subprocess.run(
            [sys.executable, "-c", _COUNT_IN_ANOTHER_PROCESS], env=env, check=True, timeout=120
        )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = scrape(client)
    key = 'machikoba_http_requests_total{method="GET",route="web:multiprocess_probe",status="200"}'
    assert samples[key] == 2
    # The database's metrics are there once, whichever process answers.
    assert 'machikoba_tasks_ready{queue="mail"}' in samples
    # Per-process metrics are not summed across processes.
    assert not any(key.startswith("process_") for key in samples)


def test_without_a_multiprocess_directory_the_process_reports_itself(client, db):
    samples = scrape(client)
    assert any(key.startswith("process_") or key.startswith("python_") for key in samples)


# --- who may read it --------------------------------------------------------------------


def test_only_allowed_addresses_or_the_token_read_metrics(client, db, settings):
    settings.MACHIKOBA_METRICS_ALLOWED_IPS = ["127.0.0.1", "::1", "10.20.0.0/16"]
    settings.MACHIKOBA_METRICS_TOKEN = "s3cret-scraper-token"
    url = reverse("ops:metrics")
    assert client.get(url).status_code == 200  # the test client is 127.0.0.1
    assert client.get(url, REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get(url, REMOTE_ADDR="203.0.113.9").status_code == 404
    assert (
        client.get(url, REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope").status_code
        == 404
    )
    assert (
        client.get(
            url, REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token"
        ).status_code
        == 200
    )
    assert client.post(url).status_code == 405


def test_no_token_configured_means_no_token_works(client, db, settings):
    settings.MACHIKOBA_METRICS_ALLOWED_IPS = []
    settings.MACHIKOBA_METRICS_TOKEN = ""
    url = reverse("ops:metrics")
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_behind_the_proxy_the_client_address_decides(client, db, settings):
    # nginx on the same machine connects from 127.0.0.1; the client is who it names.
    settings.MACHIKOBA_TRUSTED_PROXY_COUNT = 1
    url = reverse("ops:metrics")
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert client.get(url, HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200
