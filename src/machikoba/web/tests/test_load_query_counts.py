"""Every endpoint of the load scenario (bench/load/locustfile.py, issue 24 point 3) costs a
bounded number of queries that does not grow with the data.

Each endpoint is measured as the scenario calls it (a shop's session for pages, its API
token for the API, a ward officer signed in with a second factor), once at a small size
and again after adding three times as many rows of what it lists or touches (companies and
capabilities for the directory, jobs and steps for the job pages and writes, documents for
the upload, the ward's companies and their records for the officer's pages); each test
also checks that the rows shown did grow. The two counts must be equal, and each stays
under its own ceiling (the count measured when this was written plus a small margin): a
query per row (N+1) fails the first check, a new fixed query that nobody meant fails the
second.

A GET is sent once before it is measured (session, role and facet caches warm, as in a
long load run); a write is measured with its after-commit callbacks run (queueing its
tasks, a drawing's previews or a notice, is part of what the request costs).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from machikoba.apitokens.services import token_create
from machikoba.companies.models import (
    Capability,
    CertificationKind,
    CompanyCertification,
    Material,
    ProcessCategory,
)
from machikoba.companies.services import capability_save, certification_save
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, ward
from machikoba.core.testing.matrix import MEMBER, OFFICER, OTHER_COMPANY, World
from machikoba.drawings.tests import samples
from machikoba.drawings.tests.factories import make_document
from machikoba.kpi.models import SurveyRound
from machikoba.kpi.tests import kpi_data
from machikoba.lab.choices import ProjectKind
from machikoba.lab.models import Lab
from machikoba.lab.models_ecosystem import Partner
from machikoba.network import services as network
from machikoba.network.tests.factories import make_job, process
from machikoba.programs.choices import ProgramKind
from machikoba.programs.models import Program
from machikoba.subsidies.choices import ApplicationStatus
from machikoba.subsidies.models import Call

# Rows of each kind at the small size; the large size adds three times as many again.
SMALL = 3
MORE = 3 * SMALL

# The ceilings: the count measured at both sizes, the same on SQLite and PostgreSQL (in the
# comment), plus a margin of two for a harmless fixed query; past it, look at what came.
DIRECTORY_PAGE_MAX = 18  # 14, 15 (a process), 16 (a process and a material), 14 (text)
DIRECTORY_API_MAX = 12  # 10
SHOP_HOME_MAX = 32  # 30: the to-do list, members, first steps, the ward's support card
OUR_JOBS_MAX = 12  # 10
A_JOB_PAGE_MAX = 16  # 14
REGISTER_A_JOB_MAX = 30  # 28, of which 12 check constraints in full_clean (3 queries each)
ADD_A_STEP_MAX = 37  # 35
STEP_START_MAX = 36  # 34
STEP_FINISH_MAX = 34  # 32
UPLOAD_A_DRAWING_MAX = 50  # 48 (with the preview task queued after commit)
KPI_DASHBOARD_MAX = 69  # 67: a few per indicator, none per record
WARD_COMPANIES_MAX = 11  # 9
BARE_VIEW_MAX = 0  # /healthz touches no database at all

# The scenario's searches and its API search, verbatim from the locustfile.
SEARCHES = [
    "/directory/",
    "/directory/?process=cutting.turning.nc_lathe",
    "/directory/?material=SUS304&process=cutting",
    "/directory/?q=%E7%A0%94%E5%89%8A",
]
API_SEARCH = "/api/companies/?process=cutting&material=SUS304"
TOKEN_SCOPES = ["network:write", "drawings:write", "companies:read"]
JSON = "application/json"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    # The scenario runs with the rate limits out of the way (bench/load/run.py).
    settings.API_RATE_LIMITS = {"read": 1_000_000, "write": 1_000_000, "anonymous": 1_000_000}


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Measured:
    count: int
    sql: list[str]

    def shape(self) -> Counter[str]:
        """The queries with their literal values blanked, to compare two sizes."""
        return Counter(re.sub(r"'[^']*'|\b\d+\b", "?", sql) for sql in self.sql)


def _measure(send: Callable, django_capture_on_commit_callbacks) -> Measured:
    # The after-commit callbacks run as the inner context closes, still counted.
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = send()
    assert response.status_code in (200, 201), (response.status_code, response.content[:500])
    return Measured(len(captured), [q["sql"] for q in captured.captured_queries])


def _assert_bounded(small: Measured, large: Measured, ceiling: int) -> None:
    """The same count at both sizes (else the queries the large size added, most repeated
    first: the N+1), and no more than ``ceiling``."""
    grown = large.shape() - small.shape()
    assert large.count == small.count, (
        f"{small.count} queries at the small size, {large.count} at the large one; added:\n"
        + "\n".join(f"{n} × {sql[:300]}" for sql, n in grown.most_common(5))
    )
    assert large.count <= ceiling, f"{large.count} queries, at most {ceiling}:\n" + "\n".join(
        sql[:200] for sql in large.sql
    )


def _token_client(world: World) -> Client:
    _, secret = token_create(
        actor=world.users[MEMBER],
        name="load",
        scopes=TOKEN_SCOPES,
        lifetime_days=1,
        company=world.company,
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


# --- the data that grows ------------------------------------------------------------------

_shops = itertools.count()


def _add_shops(count: int) -> None:
    """Shops the four searches and the API search all find: an NC lathe for SUS304 and
    S45C, a cylindrical grinder (研削), an ISO 9001 certificate."""
    lathe = ProcessCategory.objects.get(code="cutting.turning.nc_lathe")
    grinder = ProcessCategory.objects.get(code="grinding.cylindrical")
    materials = list(Material.objects.filter(code__in=["SUS304", "S45C"]))
    iso = CertificationKind.objects.get(code="iso9001")
    for _ in range(count):
        number = next(_shops)
        company = CompanyFactory(name=f"負荷精機{number}株式会社", name_kana=f"フカセイキ{number}")
        for category, envelope in ((lathe, 400), (grinder, 300)):
            capability_save(
                actor=None,
                company=company,
                capability=Capability(
                    process=category, max_length_mm=envelope, best_tolerance_mm=Decimal("0.01")
                ),
                materials=materials,
            )
        certification_save(
            actor=None, company=company, certification=CompanyCertification(kind=iso)
        )


def _add_jobs(world: World, count: int) -> None:
    """``count`` jobs of the shop (four steps each, the first in-house) and ``count`` jobs
    of another shop where it performs the later steps."""
    owner = world.users[MEMBER]
    partner = world.users[OTHER_COMPANY]
    for _ in range(count):
        make_job(owner, world.company)
        theirs = make_job(partner, world.other_company)
        theirs.steps.filter(position__gte=2).update(performer=world.company)


# --- the shop's pages ---------------------------------------------------------------------


@pytest.mark.parametrize("url", SEARCHES)
def test_the_directory_searches(world, django_capture_on_commit_callbacks, url):
    client = world.client_for(MEMBER)

    def send():
        return client.get(url)

    _add_shops(SMALL)
    send()
    small = _measure(send, django_capture_on_commit_callbacks)
    rows = len(send().context["page"].object_list)
    _add_shops(MORE)
    large = _measure(send, django_capture_on_commit_callbacks)
    assert len(send().context["page"].object_list) == rows + MORE
    _assert_bounded(small, large, DIRECTORY_PAGE_MAX)


def test_the_directory_api_search(world, django_capture_on_commit_callbacks):
    client = _token_client(world)

    def send():
        return client.get(API_SEARCH)

    _add_shops(SMALL)
    send()
    small = _measure(send, django_capture_on_commit_callbacks)
    rows = send().json()["count"]
    _add_shops(MORE)
    large = _measure(send, django_capture_on_commit_callbacks)
    assert send().json()["count"] == rows + MORE
    _assert_bounded(small, large, DIRECTORY_API_MAX)


def test_the_shop_home(world, django_capture_on_commit_callbacks):
    client = world.client_for(MEMBER)

    def send():
        return client.get("/")

    _add_jobs(world, SMALL)
    send()
    small = _measure(send, django_capture_on_commit_callbacks)
    _add_jobs(world, MORE)
    large = _measure(send, django_capture_on_commit_callbacks)
    start = next(item for item in send().context["todo"] if item.kind == "start")
    assert start.count == SMALL + MORE
    _assert_bounded(small, large, SHOP_HOME_MAX)


def test_our_jobs(world, django_capture_on_commit_callbacks):
    client = world.client_for(MEMBER)

    def send():
        return client.get("/jobs/")

    _add_jobs(world, SMALL)
    send()
    small = _measure(send, django_capture_on_commit_callbacks)
    _add_jobs(world, MORE)
    large = _measure(send, django_capture_on_commit_callbacks)
    page = send()
    assert len(page.context["own"]) == SMALL + MORE
    assert len(page.context["performing"]) == SMALL + MORE
    _assert_bounded(small, large, OUR_JOBS_MAX)


# --- the scenario's writes and the job page -----------------------------------------------


def _flow(world, client, extra_steps: int, capture) -> dict[str, Measured]:
    """The scenario's ``move_steps`` on a job whose route has ``extra_steps`` more steps:
    register a job, add a step, start and finish the first step, open the job's page."""
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    measured: dict[str, Measured] = {}
    payload = {"part_name": "負荷試験シャフト", "quantity": 10, "due_date": due}
    job_id = None

    def register():
        nonlocal job_id
        response = client.post("/api/network/jobs", payload, content_type=JSON)
        job_id = response.json()["id"]
        return response

    measured["register a job"] = _measure(register, capture)
    owner = world.users[MEMBER]
    job = world.company.jobs.get(pk=job_id)
    lathe = process("cutting.turning.nc_lathe")
    for _ in range(extra_steps):
        network.step_add(actor=owner, job=job, process=lathe, in_house=True)
    measured["add a step"] = _measure(
        lambda: client.post(
            f"/api/network/jobs/{job_id}/steps",
            {"process": "cutting.turning.nc_lathe", "in_house": True},
            content_type=JSON,
        ),
        capture,
    )
    first = job.steps.get(position=1).pk
    for action in ("start", "finish"):
        measured[f"step {action}"] = _measure(
            lambda action=action: client.post(
                f"/api/network/steps/{first}/transitions", {"action": action}, content_type=JSON
            ),
            capture,
        )
    assert job.steps.count() == extra_steps + 1
    page = world.client_for(MEMBER)
    page.get(f"/jobs/{job_id}/")
    measured["a job"] = _measure(lambda: page.get(f"/jobs/{job_id}/"), capture)
    return measured


FLOW_CEILINGS = {
    "register a job": REGISTER_A_JOB_MAX,
    "add a step": ADD_A_STEP_MAX,
    "step start": STEP_START_MAX,
    "step finish": STEP_FINISH_MAX,
    "a job": A_JOB_PAGE_MAX,
}


@pytest.mark.parametrize("endpoint", list(FLOW_CEILINGS))
def test_the_scenarios_writes_and_the_job_page(world, django_capture_on_commit_callbacks, endpoint):
    client = _token_client(world)
    _add_jobs(world, SMALL)
    _flow(world, client, SMALL, django_capture_on_commit_callbacks)  # warm
    small = _flow(world, client, SMALL, django_capture_on_commit_callbacks)[endpoint]
    _add_jobs(world, MORE)
    large = _flow(world, client, SMALL + MORE, django_capture_on_commit_callbacks)[endpoint]
    _assert_bounded(small, large, FLOW_CEILINGS[endpoint])


def test_the_drawing_upload(world, django_capture_on_commit_callbacks):
    client = _token_client(world)
    pdf = samples.pdf_bytes(pages=1)

    def send():
        return client.post(
            "/api/drawings/documents",
            {
                "title": "負荷試験図面",
                "kind": "drawing",
                "file": SimpleUploadedFile("load.pdf", pdf, content_type="application/pdf"),
            },
        )

    for _ in range(SMALL):
        make_document(world.company)
    send()
    small = _measure(send, django_capture_on_commit_callbacks)
    for _ in range(MORE):
        make_document(world.company)
    large = _measure(send, django_capture_on_commit_callbacks)
    uploads = 3  # the warm-up and the two measured
    assert world.company.documents.count() == SMALL + MORE + uploads
    _assert_bounded(small, large, UPLOAD_A_DRAWING_MAX)


def test_the_bare_django_view(world, django_capture_on_commit_callbacks):
    client = Client()
    small = _measure(lambda: client.get("/healthz"), django_capture_on_commit_callbacks)
    _add_shops(SMALL)
    large = _measure(lambda: client.get("/healthz"), django_capture_on_commit_callbacks)
    _assert_bounded(small, large, BARE_VIEW_MAX)


# --- the ward officer's pages -------------------------------------------------------------


def _add_ward_companies(count: int) -> None:
    """Companies of 大田区, every other one confirmed by the ward."""
    for index in range(count):
        CompanyFactory(ward_confirmed_at=timezone.now() if index % 2 else None)


def test_the_ward_companies(world, django_capture_on_commit_callbacks):
    client = world.client_for(OFFICER)

    def send():
        return client.get("/ward/companies/")

    _add_ward_companies(SMALL)
    send()
    small = _measure(send, django_capture_on_commit_callbacks)
    rows = len(send().context["page"].object_list)
    _add_ward_companies(MORE)
    large = _measure(send, django_capture_on_commit_callbacks)
    assert len(send().context["page"].object_list) == rows + MORE
    _assert_bounded(small, large, WARD_COMPANIES_MAX)


@dataclass
class WardYear:
    """What 大田区 runs in a year: the dojo and the leader course, a subsidy call, the lab,
    a university partner, the survey rounds of this year and the last."""

    dojo: Program
    leaders: Program
    call: Call
    lab: Lab
    university: Partner
    rounds: dict[int, SurveyRound]


def _ward_year() -> WardYear:
    ota = ward()
    return WardYear(
        dojo=kpi_data.programme(ota),
        leaders=kpi_data.programme(ota, ProgramKind.LEADER),
        call=kpi_data.call(ota),
        lab=kpi_data.lab(ota),
        university=kpi_data.university(ota),
        rounds={year: kpi_data.survey(ota, year) for year in (kpi_data.YEAR - 1, kpi_data.YEAR)},
    )


def _add_ward_records(year: WardYear, count: int) -> None:
    """``count`` shops of 大田区 (each with a partner shop) and a year of records of each,
    as of ``kpi_data.NOW``: what every indicator of the dashboard counts."""
    ota = ward()
    earlier = kpi_data.NOW - dt.timedelta(days=120)
    last_year = kpi_data.NOW - dt.timedelta(days=365)
    on = earlier.date().isoformat()
    ends = (kpi_data.TODAY + dt.timedelta(days=60)).isoformat()
    for _ in range(count):
        shop = kpi_data.shop(ota, process="cutting.turning.nc_lathe")
        partner = kpi_data.shop(ota, process="grinding.cylindrical")
        person = MembershipFactory(company=shop).user
        # the survey: value added and DX engagement, this year and the last
        for fiscal_year, round_ in year.rounds.items():
            sales = 110 if fiscal_year == kpi_data.YEAR else 100
            kpi_data.answer(round_, shop, dx="done", value_added=(sales, 40), employees=12)
        # measure 1: graduations (one followed up a year on), an advisor engagement
        kpi_data.graduate(year.dojo, shop, on)
        kpi_data.graduate(
            year.dojo,
            partner,
            last_year.date().isoformat(),
            invested=True,
            invested_on=on,
        )
        kpi_data.graduate(year.leaders, shop, on)
        kpi_data.engagement(ota, shop, on)
        # measure 2: grants of two stages, a completion report
        for stage in (1, 2):
            application = kpi_data.applied(
                year.call,
                shop,
                stage=stage,
                status=ApplicationStatus.GRANTED,
                submitted=earlier,
                decided=earlier,
            )
        kpi_data.completion(application, submitted=kpi_data.NOW, felt_efficiency=True)
        # measure 3: the lab, matchings, joint work, the network, a university project
        kpi_data.entry(year.lab, earlier, user=person, company=shop)
        kpi_data.event(year.lab, earlier)
        kpi_data.lab_matching(year.lab, shop, partner, on)
        kpi_data.team(shop, awarded=earlier, members=(partner,))
        kpi_data.project(ota, ProjectKind.CO_DEVELOPMENT, on, ends, companies=(shop, partner))
        kpi_data.project(
            ota, ProjectKind.PBL, on, ends, companies=(shop,), partners=(year.university,)
        )
        kpi_data.award(shop, partner, earlier)


# What ``_add_ward_records`` adds per shop to some of the figures: dojo and leader course
# graduations, subsidy applications, joint work (a team, a co-development), lab visits.
COUNTED_PER_SHOP = {"M1.P1": 1, "M1.P2": 1, "M2.KSI": 2, "M3.KGI": 2, "M3.KSI": 1}


def _counted(response) -> dict[str, int]:
    """The numerators of the figures in ``COUNTED_PER_SHOP``, as the dashboard shows them."""
    items = [
        item
        for measure in response.context["board"].measures
        for item in (measure.kgi, measure.ksi, measure.outcome, *measure.outputs)
        if item is not None
    ]
    return {
        item.code: int(item.shown.result.figure.numerator)
        for item in items
        if item.code in COUNTED_PER_SHOP
    }


def test_the_kpi_dashboard(world, frozen_clock, django_capture_on_commit_callbacks):
    frozen_clock.move_to(kpi_data.NOW)
    client = world.client_for(OFFICER)

    def send():
        return client.get("/kpi/")

    year = _ward_year()
    _add_ward_records(year, SMALL)
    send()
    small = _measure(send, django_capture_on_commit_callbacks)
    assert _counted(send()) == {code: n * SMALL for code, n in COUNTED_PER_SHOP.items()}
    _add_ward_records(year, MORE)
    large = _measure(send, django_capture_on_commit_callbacks)
    # The figures were computed from every record, at both sizes.
    shops = SMALL + MORE
    assert _counted(send()) == {code: n * shops for code, n in COUNTED_PER_SHOP.items()}
    _assert_bounded(small, large, KPI_DASHBOARD_MAX)
