"""Running real project processes (the task worker) against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[4]


def test_database_url() -> str:
    """A DATABASE_URL naming the database this test process is using right now."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(connection.settings_dict['NAME']).resolve()}"
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{connection.settings_dict['NAME']}"


def start_worker(extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": test_database_url(),
            "MACHIKOBA_ENV": "development",
            "DEBUG": "0",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    env.update(extra_env or {})
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_s3_server(port: int) -> subprocess.Popen:
    """A real S3-compatible HTTP server (moto in server mode) on 127.0.0.1:``port``,
    ready to answer when this returns."""
    import socket
    import time

    server = subprocess.Popen(  # noqa: S603 - moto's own server module, fixed arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the S3 server exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the S3 server did not start within 30 s")


def run_queued_tasks(task_suffix: str = "") -> list:
    """Run the tasks the database backend holds, in order, as the worker would; their
    return values. (Tests that need the real worker process use ``start_worker``.)"""
    from django_tasks_db.models import DBTaskResult

    results = []
    for queued in DBTaskResult.objects.filter(
        status="READY", task_path__endswith=task_suffix
    ).order_by("enqueued_at"):
        arguments = queued.args_kwargs
        results.append(queued.task.call(*arguments["args"], **arguments["kwargs"]))
        queued.delete()
    return results


class SmtpInbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port
