#!/usr/bin/env python
"""Load test (issue 24, point 3): gunicorn + PostgreSQL on loopback, the Locust scenario
in locustfile.py at 50 and then 200 concurrent users, each for a fixed time. Prints per
endpoint: requests/s, p95 (ms), errors, and the ratio of its p95 to the bare Django view's
p95 in the same run. Telemetry flows meanwhile when an MQTT broker answers (the demo's
simulated shop and the collector).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/machikoba \
      .venv/bin/python bench/load/run.py --seconds 60
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv" / "bin"
MANAGE = [str(VENV / "python"), str(ROOT / "manage.py")]

SETUP = r"""
import json
from django.test import Client
from machikoba.accounts.models import User
from machikoba.apitokens.services import token_create
from machikoba.core.testing.factories import force_login_with_mfa

def session(user, mfa=False):
    client = Client()
    force_login_with_mfa(client, user) if mfa else client.force_login(user)
    return client.cookies["sessionid"].value

shops = []
for email in ["owner@example.com", "heat@example.com", "heat2@example.com",
              "plating@example.com", "grinding@example.com"]:
    user = User.objects.get(email=email)
    company = user.memberships.first().company
    secret = token_create(actor=user, name="load", scopes=["network:write", "drawings:write",
        "companies:read"], lifetime_days=1, company=company)[1]
    shops.append({"session": session(user), "token": secret})
officers = [{"session": session(User.objects.get(email=e), mfa=True)}
            for e in ["officer@example.com", "officer2@example.com"]]
print(json.dumps({"shops": shops, "officers": officers}))
"""


def pdf_bytes() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    for x in range(0, 500, 25):
        sheet.line(x + 40, 40, 40, x + 40)
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def prepare(env):
    base, name = env["DATABASE_URL"].rsplit("/", 1)
    if env["DATABASE_URL"].startswith("postgres"):
        psql = ["psql", f"{base}/postgres", "-qc"]
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
        subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True)
    subprocess.run([*MANAGE, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*MANAGE, "seed_demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(
        [*MANAGE, "shell", "-c", SETUP],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1]


def start(env, port, workers):
    procs = [
        subprocess.Popen(
            [
                str(VENV / "gunicorn"),
                "machikoba.config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        ),
        subprocess.Popen(
            [*MANAGE, "db_worker", "--queue-name", "*", "--interval", "1"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    telemetry = (
        subprocess.run(
            [*MANAGE, "telemetry_simulate", "--check"], env=env, cwd=ROOT, capture_output=True
        ).returncode
        == 0
    )
    if telemetry:
        for command in ("telemetry_collect", "telemetry_simulate"):
            procs.append(
                subprocess.Popen(
                    [*MANAGE, command],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return procs, telemetry
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def load(env, port, users, seconds, work) -> list[dict]:
    prefix = work / f"u{users}"
    subprocess.run(
        [
            str(VENV / "locust"),
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(max(users // 5, 10)),
            "-t",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv") as handle:
        return list(csv.DictReader(handle))


def report(users, rows) -> int:
    bare = next((r for r in rows if r["Name"] == "bare Django view"), None)
    bare_p95 = float(bare["95%"]) if bare else 0.0
    print(f"\n{users} concurrent users")
    print(f"  {'endpoint':<28} {'req/s':>7} {'p95 ms':>8} {'errors':>7} {'p95 / bare':>10}")
    errors = 0
    for row in rows:
        name = row["Name"]
        p95 = float(row["95%"] or 0)
        ratio = f"{p95 / bare_p95:.1f}" if bare_p95 and name != "Aggregated" else ""
        print(
            f"  {name:<28} {float(row['Requests/s']):>7.1f} {p95:>8.0f}"
            f" {row['Failure Count']:>7} {ratio:>10}"
        )
        if name != "Aggregated":
            errors += int(row["Failure Count"])
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="per load level")
    parser.add_argument("--users", default="50,200")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="machikoba-load-"))
    env = dict(os.environ)
    base = env.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/machikoba")
    env.update(
        DATABASE_URL=base.rsplit("/", 1)[0] + "/machikoba_load",
        MEDIA_ROOT=str(work / "media"),
        API_RATE_LIMIT_READ="1000000",
        API_RATE_LIMIT_WRITE="1000000",
        API_RATE_LIMIT_ANONYMOUS="1000000",
        CACHE_URL=env.get("CACHE_URL", "redis://127.0.0.1:6379/7"),
    )
    env["LOAD_ACTORS"] = prepare(env)
    env["LOAD_PDF_HEX"] = pdf_bytes().hex()
    procs, telemetry = start(env, args.port, args.workers)
    errors = 0
    try:
        print(
            f"gunicorn {args.workers} workers, PostgreSQL, Redis cache; telemetry flowing:"
            f" {'yes' if telemetry else 'no (no broker)'}; {args.seconds} s per level;"
            f" load average before: {os.getloadavg()[0]:.1f}"
        )
        for users in [int(u) for u in args.users.split(",")]:
            errors += report(users, load(env, args.port, users, args.seconds, work))
        print(f"\nload average after: {os.getloadavg()[0]:.1f}; errors: {errors}; reports: {work}")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
