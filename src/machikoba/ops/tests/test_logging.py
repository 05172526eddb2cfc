"""Request ids, the access-log line and the JSON log format; the task id in the worker's
log lines (a real ``db_worker`` process)."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from machikoba.core.testing.matrix import MEMBER
from machikoba.core.testing.processes import ROOT
from machikoba.core.testing.processes import test_database_url as database_url
from machikoba.ops.logging import JsonFormatter, RequestContextFilter, request_id_var


@pytest.fixture
def json_lines():
    """The root logger's output as the production console handler writes it (the filter
    and the JSON formatter of settings.LOGGING), parsed line by line."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    access = logging.getLogger("machikoba.access")
    level = access.level
    access.setLevel(logging.INFO)
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        access.setLevel(level)


def _access_lines(lines):
    return [line for line in lines if line["logger"] == "machikoba.access"]


def test_a_request_gets_a_fresh_id_on_its_response(client, db):
    first = client.get(reverse("web:healthz"))["X-Request-ID"]
    second = client.get(reverse("web:healthz"))["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_sane_incoming_request_id_is_kept(client, db):
    response = client.get(reverse("web:healthz"), HTTP_X_REQUEST_ID="nginx-5f2c9a1e.77")
    assert response["X-Request-ID"] == "nginx-5f2c9a1e.77"


@pytest.mark.parametrize(
    "given",
    ["short", "a" * 129, "id with spaces", "id\r\nX-Injected: 1", '"quoted"', "ä" * 10],
)
def test_an_insane_incoming_request_id_is_replaced(client, db, given):
    response = client.get(reverse("web:healthz"), HTTP_X_REQUEST_ID=given)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_access_line_names_request_user_route_status_and_duration(client, world, json_lines):
    member = world.users[MEMBER]
    client.force_login(member)
    response = client.get(reverse("web:home"), HTTP_X_REQUEST_ID="req-access-0001")
    assert response.status_code == 200
    (line,) = _access_lines(json_lines())
    assert line["request_id"] == "req-access-0001"
    assert line["method"] == "GET"
    assert line["path"] == "/"
    assert line["route"] == "web:home"
    assert line["status"] == 200
    assert line["user_id"] == member.pk
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["message"].startswith("GET / 200 ")
    assert "task_id" not in line


def test_an_anonymous_request_logs_no_user_and_an_unknown_address_no_route(client, db, json_lines):
    client.get("/no-such-page/")
    (line,) = _access_lines(json_lines())
    assert line["user_id"] is None
    assert line["route"] == "unmatched"
    assert line["status"] == 404


def test_credentials_in_the_path_stay_out_of_the_log(client, db, json_lines):
    token = "Zq7secret-guest-link-token-4411"
    client.get(reverse("network:guest_rfq", args=[token]))
    (line,) = _access_lines(json_lines())
    assert token not in json.dumps(line)
    assert line["path"] == "/r/[redacted]/"


def test_lines_written_while_a_request_runs_carry_its_id(json_lines):
    token = request_id_var.set("req-inner-0002")
    try:
        logging.getLogger("machikoba.services.example").warning("見積を送りました %s", 3)
    finally:
        request_id_var.reset(token)
    logging.getLogger("machikoba.services.example").warning("outside")
    inside, outside = json_lines()
    assert inside["request_id"] == "req-inner-0002"
    assert inside["message"] == "見積を送りました 3"
    assert inside["level"] == "WARNING"
    assert "request_id" not in outside


def test_the_json_formatter_keeps_extras_and_tracebacks_and_survives_odd_values(json_lines):
    logger = logging.getLogger("machikoba.ops.example")
    try:
        raise ValueError("broken")
    except ValueError:
        logger.exception("failed", extra={"company_id": 7, "when": object()})
    (line,) = json_lines()
    assert line["company_id"] == 7
    assert line["when"].startswith("<object object")
    assert "ValueError: broken" in line["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


@pytest.mark.worker
def test_the_worker_logs_name_the_task_they_belong_to(transactional_db, tmp_path):
    from machikoba.core.tasks import deliver_email

    result = deliver_email.enqueue({"to": []})
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(),
            "MACHIKOBA_ENV": "development",
            "LOG_FORMAT": "json",
            "PYTHONPATH": str(ROOT / "src"),
            "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(tmp_path),
        }
    )
    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--queue-name",
            "*",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = []
    for text in (finished.stdout + finished.stderr).splitlines():
        try:
            lines.append(json.loads(text))
        except ValueError:
            continue
    mine = [line for line in lines if line.get("task_id") == str(result.id)]
    assert mine, finished.stdout + finished.stderr
    assert any(str(result.id) in line["message"] for line in mine)
    # Lines after the task (the worker's own) carry no task id.
    assert lines[-1].get("task_id") is None
