from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.companies.demo import DEMO_USERS, demo_companies
from machikoba.companies.models import Company, Membership
from machikoba.companies.validators import validate_corporate_number
from machikoba.core.testing.demo_ward import demo_ward
from machikoba.lab.demo import LAB_DEMO_USERS
from machikoba.web.management.commands.seed_demo import DOJO_SHOPS

pytestmark = pytest.mark.clock_sensitive


@pytest.mark.django_db
def test_seed_demo_builds_the_ward_and_is_idempotent(settings, tmp_path):
    demo_ward(settings, tmp_path)  # seed_demo's result (built once per test process)
    counts = (
        Company.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        WardRoleAssignment.objects.count(),
    )
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    again = (
        Company.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        WardRoleAssignment.objects.count(),
    )
    assert counts == again
    assert 55 <= counts[0] <= 65
    # and the buyer outside the ward, the owners of the dojo's other shops, and the lab's
    # vendors and bank
    assert counts[1] == len(DEMO_USERS) + 1 + len(DOJO_SHOPS) + len(LAB_DEMO_USERS)
    from machikoba.board.models import Request

    request = Request.objects.get()
    assert request.company.kind == "buyer"
    assert request.processes.count() == 4
    assert sum(p.hands.count() for p in request.processes.all()) == 3
    assert {w.role for w in WardRoleAssignment.objects.all()} == {
        "officer",
        "advisor",
        "reviewer",
        "lab_staff",
        "instructor",
        "metro_viewer",
    }
    owner = User.objects.get(email="owner@example.com")
    assert owner.memberships.count() == 2  # shows the company switcher
    # The DX Lab: 8 items (2 exhibited by vendors), a training, two weeks of bookings, a
    # past event with attendance, two matchings.
    from machikoba.lab.models import Booking, Event, Item, Matching

    assert Item.objects.count() == 8
    assert Item.objects.filter(exhibitor__isnull=False).count() == 2
    assert Booking.objects.filter(status="booked").count() >= 9
    past = Event.objects.filter(ends_at__lt=timezone.now())
    assert past.filter(registrations__status="attended").exists()
    assert Matching.objects.filter(status="confirmed").count() == 2
    # A job in progress: turning started in-house, heat treatment out for quotes.
    from machikoba.network.models import Job

    job = Job.objects.get(drawing_number="TK-2026-014")
    assert [s.status for s in job.steps.order_by("position")] == [
        "in_progress",
        "requested",
        "planned",
        "planned",
    ]
    rfq = job.rfqs.get()
    assert sorted(rfq.recipients.values_list("status", flat=True)) == ["invited", "quoted"]
    # A week of turning for the machine schedule: seven own jobs and one for a partner,
    # all on machines of the right process.
    from machikoba.shopfloor.shop_problem import build_shop_problem

    shop = build_shop_problem(company=job.company)
    assert shop.skipped == []
    assert len({piece.step.job_id for piece in shop.pieces.values()}) == 9
    assert any(piece.step.job.company_id != job.company_id for piece in shop.pieces.values())


def test_demo_companies_are_varied_and_valid():
    companies = demo_companies()
    kinds = Counter(c["kind"] for c in companies)
    for kind in (
        "lathe",
        "machining",
        "sheet_metal",
        "welding",
        "heat_treatment",
        "plating",
        "grinding",
        "inspection",
    ):
        assert kinds[kind] >= 2, kind
    employees = [c["employees"] for c in companies]
    assert min(employees) >= 2
    assert max(employees) <= 50
    assert len({e // 10 for e in employees}) >= 3  # small, medium and larger shops
    assert len({c["name"] for c in companies}) == len(companies)
    for company in companies:
        validate_corporate_number(company["corporate_number"])
