"""Load scenario (issue 24, point 3): shops browsing the directory, registering jobs and
moving their steps, uploading drawings; officers on their dashboards; a bare Django view
measured in the same run as the yardstick. Driven by bench/load/run.py, which prepares the
database, the sessions and the tokens and passes them in LOAD_ACTORS (JSON)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random

from locust import HttpUser, between, task

ACTORS = json.loads(os.environ.get("LOAD_ACTORS", "{}"))
PDF = bytes.fromhex(os.environ.get("LOAD_PDF_HEX", "")) or b"%PDF-1.4\n%%EOF\n"
SEARCHES = [
    "/directory/",
    "/directory/?process=cutting.turning.nc_lathe",
    "/directory/?material=SUS304&process=cutting",
    "/directory/?q=%E7%A0%94%E5%89%8A",
]


class Shop(HttpUser):
    """An owner or office worker of a shop: pages with a session, writes with a token."""

    weight = 6
    wait_time = between(0.5, 2)

    def on_start(self):
        shop = random.choice(ACTORS["shops"])
        self.client.cookies.set("sessionid", shop["session"])
        self.token = {"Authorization": f"Bearer {shop['token']}"}

    @task(6)
    def directory(self):
        self.client.get(random.choice(SEARCHES), name="page: directory search")

    @task(3)
    def directory_api(self):
        self.client.get(
            "/api/companies/?process=cutting&material=SUS304",
            headers=self.token,
            name="api: directory search",
        )

    @task(3)
    def home(self):
        self.client.get("/", name="page: shop home")

    @task(2)
    def jobs(self):
        self.client.get("/jobs/", name="page: our jobs")

    @task(2)
    def move_steps(self):
        due = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
        job = self.client.post(
            "/api/network/jobs",
            headers=self.token,
            name="api: register a job",
            json={"part_name": "負荷試験シャフト", "quantity": 10, "due_date": due},
        )
        if job.status_code != 201:
            return
        job_id = job.json()["id"]
        step = self.client.post(
            f"/api/network/jobs/{job_id}/steps",
            headers=self.token,
            name="api: add a step",
            json={"process": "cutting.turning.nc_lathe", "in_house": True},
        )
        if step.status_code != 201:
            return
        step_id = step.json()["id"]
        for action in ("start", "finish"):
            self.client.post(
                f"/api/network/steps/{step_id}/transitions",
                headers=self.token,
                json={"action": action},
                name=f"api: step {action}",
            )
        self.client.get(f"/jobs/{job_id}/", name="page: a job")

    @task(1)
    def upload_drawing(self):
        self.client.post(
            "/api/drawings/documents",
            headers=self.token,
            name="api: upload a drawing",
            data={"title": "負荷試験図面", "kind": "drawing"},
            files={"file": ("load.pdf", PDF, "application/pdf")},
        )


class Officer(HttpUser):
    """A ward officer on the KPI dashboard and the ward's company list."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        self.client.cookies.set("sessionid", random.choice(ACTORS["officers"])["session"])

    @task(3)
    def dashboard(self):
        self.client.get("/kpi/", name="page: KPI dashboard")

    @task(1)
    def companies(self):
        self.client.get("/ward/companies/", name="page: ward companies")


class Yardstick(HttpUser):
    """The bare Django view (liveness: no database, the whole middleware stack)."""

    weight = 1
    wait_time = between(0.5, 1)

    @task
    def bare(self):
        self.client.get("/healthz", name="bare Django view")
