"""The main pages of the network on a phone (390 x 844) and on a desktop, as the people who
use them: nothing wider than the screen, body text >= 16 px, every tap target >= 44 px
(core/testing/phone.py says which exceptions there are and why), and no serious or
critical axe-core violation. The demo ward supplies the data; a second quote, an admitted
lead with a team and an invited member are added so the comparison and the team
breakdown have rows."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.board import services as board
from machikoba.board.models import Request
from machikoba.companies.models import Company
from machikoba.core.testing.phone import PHONE, axe_violations, phone_problems
from machikoba.drawings.models import Document
from machikoba.network import services as network
from machikoba.network.models import Job, Order
from machikoba.web.tests.test_browser_csp import demo_ward, sign_in

pytestmark = pytest.mark.browser

__all__ = ["demo_ward"]

User = get_user_model()

HEADER_MAX = 127  # 15 % of 844 px


@pytest.fixture
def story(demo_ward):
    """The demo ward plus a second quote on the heat-treatment RFQ and a team on the
    buyer's request, led by the demo owner's shop."""
    today = timezone.localdate()
    job = Job.objects.get(drawing_number="TK-2026-014")
    rfq = job.rfqs.get()
    heat2 = User.objects.get(email="heat2@example.com")
    network.quote_submit(
        actor=heat2,
        recipient=rfq.recipients.get(company__memberships__user=heat2),
        price=58_000,
        lead_time_days=5,
        valid_until=today + dt.timedelta(days=20),
        conditions="引取は当社便で伺います。",
    )
    owner = User.objects.get(email="owner@example.com")
    request = Request.objects.get()
    admission = board.admission_request(
        actor=owner, company=job.company, request=request, nda_accepted=True
    )
    board.admission_decide(
        actor=User.objects.get(email="buyer@example.com"), admission=admission, admit=True
    )
    team = board.team_form(actor=owner, company=job.company, request=request)
    heat = Company.objects.get(memberships__user__email="heat@example.com")
    board.team_invite(actor=owner, team=team, company=heat)
    return {"job": job, "rfq": rfq, "request": request, "team": team}


def owner_paths(story):
    job = story["job"]
    document = Document.objects.get(drawing_number="TK-2026-014")
    order = Order.objects.filter(supplier=job.company).first()
    return [
        reverse("web:home"),
        reverse("network:jobs"),
        reverse("network:job_detail", args=[job.pk]),
        reverse("network:rfq_detail", args=[story["rfq"].pk]),
        reverse("network:order_detail", args=[order.pk]),
        reverse("network:handoff", args=[job.steps.get(position=1).pk]),
        reverse("network:my_work"),
        reverse("companies:directory"),
        reverse("companies:detail", args=[job.company.pk]),
        reverse("board:request_detail", args=[story["request"].pk]),
        reverse("board:team_detail", args=[story["team"].pk]),
        reverse("drawings:detail", args=[document.pk]),
        reverse("drawings:list"),
        reverse("shopfloor:schedule"),
        reverse("shopfloor:steps"),
    ]


def visits(story):
    """(who, path) for every page checked."""
    job = story["job"]
    heat_company = Company.objects.get(memberships__user__email="heat@example.com")
    pages = [("owner@example.com", path) for path in owner_paths(story)]
    pages += [
        ("worker@example.com", reverse("web:home")),
        ("worker@example.com", reverse("network:handoff", args=[job.steps.get(position=1).pk])),
        ("worker@example.com", reverse("shopfloor:steps")),
        ("heat@example.com", reverse("web:home")),
        ("heat@example.com", reverse("network:rfq_detail", args=[story["rfq"].pk])),
        ("heat@example.com", reverse("board:team_detail", args=[story["team"].pk])),
        ("heat@example.com", reverse("companies:detail", args=[heat_company.pk])),
        ("buyer@example.com", reverse("web:home")),
        ("buyer@example.com", reverse("board:request_detail", args=[story["request"].pk])),
    ]
    return pages


def check_all(page, base, story, screenshot=None):
    problems = []
    signed_in = None
    for who, path in visits(story):
        if who != signed_in:
            sign_in(page, base, who)
            signed_in = who
        response = page.goto(base + path)
        assert response is not None, (who, path)
        assert response.status == 200, (who, path)
        page.wait_for_load_state("load")
        where = f"{who} {path}"
        if page.viewport_size == PHONE:
            problems += [(where, p) for p in phone_problems(page)]
        problems += [(where, v) for v in axe_violations(page)]
    return problems


def report(problems):
    return "\n".join(f"{where}: {problem}" for where, problem in problems)


def test_main_pages_on_a_phone(story, phone_page, live_server, screenshot):
    page = phone_page
    base = live_server.url
    problems = check_all(page, base, story)
    assert not problems, report(problems)


def test_main_pages_on_a_desktop(story, page, live_server):
    problems = check_all(page, live_server.url, story)
    assert not problems, report(problems)


def test_phone_header_menu_and_cards(story, phone_page, live_server, screenshot):
    """The header is one short row; the menu opens the navigation and the company
    switch; the job route and the RFQ comparison are cards with full-width actions."""
    page = phone_page
    base = live_server.url
    sign_in(page, base, "owner@example.com")
    header = page.locator("header").bounding_box()
    assert header["height"] <= HEADER_MAX, header
    nav = page.get_by_role("navigation", name="メインメニュー")
    expect(nav).to_be_hidden()
    page.get_by_test_id("menu-button").click()
    expect(nav).to_be_visible()
    screenshot(page, "phone-menu-open")
    nav.get_by_role("link", name="案件").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("案件")
    screenshot(page, "phone-jobs")

    page.goto(f"{base}/")
    screenshot(page, "phone-home")

    job = story["job"]
    page.goto(base + reverse("network:job_detail", args=[job.pk]))
    route = page.get_by_test_id("route")
    rows = route.locator("tbody tr")
    first, viewport = rows.first.bounding_box(), page.viewport_size["width"]
    assert first["x"] >= 0, first
    assert first["x"] + first["width"] <= viewport, first
    screenshot(page, "phone-job")

    page.goto(base + reverse("network:rfq_detail", args=[story["rfq"].pk]))
    cards = page.get_by_test_id("quote-card")
    expect(cards).to_have_count(2)
    choose = cards.first.get_by_role("link", name="この会社に決める")
    box = choose.bounding_box()
    assert box["height"] >= 44, box
    # Full width: the screen less the page's and the card's padding (16 px each side).
    assert box["width"] >= viewport - 4 * 16 - 2, box
    screenshot(page, "phone-rfq-compare")
