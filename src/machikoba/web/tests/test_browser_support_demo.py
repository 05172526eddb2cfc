"""The ward's support office in the demo, on a phone: each role of 大田区 opens its pages of
the DX道場, the leader course and the advisor dispatch from the demo data (a cohort half-way
through, homework, last year's graduates, three engagements). Every page passes the phone
rules and axe, and runs under the Content-Security-Policy with nothing refused."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.advisory.choices import PhaseKind
from machikoba.advisory.models import Engagement
from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.programs.choices import ApplicationStatus, ProgramKind
from machikoba.programs.models import Application, Cohort
from machikoba.web.tests.test_browser_csp import Watch, demo_ward, sign_in, sign_in_with_code

pytestmark = pytest.mark.browser

__all__ = ["demo_ward"]  # the fixture, imported for this module's tests


def test_every_role_of_the_ward_finds_its_support_pages_on_a_phone(
    demo_ward, phone_page, live_server, screenshot
):
    page, base = phone_page, live_server.url
    watch = Watch(page)
    # The dojo's cohort owner@ sits in (the KPI demo adds a 実践編 of the dojo this year).
    dojo = Cohort.objects.get(
        program__kind=ProgramKind.DOJO,
        fiscal_year=fiscal_year(timezone.localdate()),
        applications__participant__email="owner@example.com",
    )
    owner_seat = Application.objects.get(
        cohort=dojo, participant__email="owner@example.com", status=ApplicationStatus.ACCEPTED
    )
    engagement = Engagement.objects.get(company=owner_seat.company)
    assert engagement.phases.get(kind=PhaseKind.ROLLOUT).status == "in_progress"

    # The owner: the support card on the home page leads to the seat and the homework.
    sign_in(page, base, "owner@example.com")
    expect(page.get_by_test_id("home-support")).to_be_visible()
    phone_checks(page, "owner home")
    page.get_by_test_id("home-application").filter(has_text="DX道場").click()
    expect(page).to_have_url(f"{base}{reverse('programs:application', args=[owner_seat.pk])}")
    for name, path in (
        ("programs list", reverse("programs:list")),
        ("my applications", reverse("programs:mine")),
        ("worksheet", reverse("programs:worksheet", args=[owner_seat.pk])),
        ("roi", reverse("programs:roi", args=[owner_seat.pk])),
        ("plan", reverse("programs:plan", args=[owner_seat.pk])),
        ("advisory company", reverse("advisory:company")),
        ("engagement (owner)", reverse("advisory:engagement", args=[engagement.pk])),
    ):
        watch.visit(base + path)
        phone_checks(page, name)
        axe_check(page, name)
    watch.visit(base + reverse("programs:worksheet", args=[owner_seat.pk]))
    expect(page.get_by_test_id("priority-matrix")).to_be_visible()
    screenshot(page, "support-demo-worksheet")
    watch.visit(base + reverse("advisory:engagement", args=[engagement.pk]))
    screenshot(page, "support-demo-engagement-owner")

    # The officer of 大田区: the programmes, the funnel, the grid, the dispatch.
    sign_in_with_code(page, base, "officer@example.com")
    watch.visit(base + reverse("web:officer_home"))
    expect(page.get_by_test_id("support-office")).to_be_visible()
    for name, path in (
        ("officer home", reverse("web:officer_home")),
        ("programs office", reverse("programs:office")),
        ("funnel", reverse("programs:funnel")),
        ("cohort office", reverse("programs:cohort_office", args=[dojo.pk])),
        ("attendance grid", reverse("programs:attendance_grid", args=[dojo.pk])),
        ("overdue", reverse("programs:overdue")),
        ("advisory office", reverse("advisory:office")),
        ("roster", reverse("advisory:roster")),
        ("hours", reverse("advisory:hours")),
    ):
        watch.visit(base + path)
        phone_checks(page, name)
        axe_check(page, name)
    watch.visit(base + reverse("programs:funnel"))
    screenshot(page, "support-demo-funnel")
    watch.visit(base + reverse("programs:attendance_grid", args=[dojo.pk]))
    screenshot(page, "support-demo-attendance-grid")

    # The advisor: their engagements, the owner's among them.
    # Advisors and instructors sign in with a password only.
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("メールアドレス").fill("advisor@example.com")
    page.get_by_label("パスワード").fill("machikoba-demo")
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{base}{reverse('advisory:home')}")
    for name, path in (
        ("advisor home", reverse("advisory:home")),
        ("engagement (advisor)", reverse("advisory:engagement", args=[engagement.pk])),
        ("visit form", reverse("advisory:visit_create", args=[engagement.pk])),
    ):
        watch.visit(base + path)
        phone_checks(page, name)
        axe_check(page, name)

    # The instructor: their cohorts and a session's screen with its QR code.
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("メールアドレス").fill("instructor@example.com")
    page.get_by_label("パスワード").fill("machikoba-demo")
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{base}{reverse('programs:teaching')}")
    session = dojo.sessions.order_by("number").last()
    for name, path in (
        ("teaching", reverse("programs:teaching")),
        ("session screen", reverse("programs:session", args=[session.pk])),
        ("plan review", reverse("programs:plan", args=[owner_seat.pk])),
    ):
        watch.visit(base + path)
        phone_checks(page, name)
        axe_check(page, name)
    expect(page.get_by_role("heading").first).to_be_visible()
