"""Every main page works under the enforced Content-Security-Policy: no inline script, no
eval, no inline style. Each actor of the demo ward (owner, floor worker, ward officer,
platform admin, a shop on a one-time link, a visitor) opens its pages in Chromium; the
browser's `securitypolicyviolation` events, its "Refused to …" console messages and the
reports it posts to our report-uri are collected, and there must be none. The widgets
(the drawing viewer, the directory's filters, the machine Gantt, htmx partial loads) are
used, to prove they still work without inline code."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from machikoba.companies.demo import DEMO_PASSWORD
from machikoba.companies.models import Company
from machikoba.core.testing import browser
from machikoba.core.testing import demo_ward as demo
from machikoba.core.testing.factories import CompanyFactory, totp_now
from machikoba.drawings.models import Document
from machikoba.network import services as network
from machikoba.network.models import Job
from machikoba.network.tests.factories import deadline

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Recorded in every document before any of its own scripts run.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    [event.effectiveDirective, event.blockedURI, event.sourceFile, event.lineNumber].join(" ")
  );
});
"""


class Watch:
    """What the browser refused on a page, three ways."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.reports: list[str] = []
        page.context.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("request", self._request)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.console.append(message.text)

    def _request(self, request):
        if "/csp-report/" in request.url:
            self.reports.append(request.post_data or "")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None, url
        assert response.status == 200, (url, response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, (url, policy)
        self.page.wait_for_load_state("load")
        self.assert_clean(url)

    def assert_clean(self, where: str) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")
        assert violations == [], (where, violations)
        assert self.console == [], (where, self.console)
        assert self.reports == [], (where, self.reports)


@pytest.fixture
def demo_ward(transactional_db, settings, tmp_path):
    # With the drawings' previews and the owner's machine plan the worker would compute.
    demo.demo_ward(settings, tmp_path, worked=True)


def sign_in(page, base, email):
    browser.sign_in(page, base, email, DEMO_PASSWORD)


def sign_in_with_code(page, base, email):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.get_by_label("コード").fill(totp_now())
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


def owner_pages(base):
    job = Job.objects.get(drawing_number="TK-2026-014")
    rfq = job.rfqs.get()
    step = job.steps.get(position=1)
    document = Document.objects.get(drawing_number="TK-2026-014")
    owner_company = job.company
    from machikoba.board.models import Request

    request = Request.objects.get()
    paths = [
        reverse("web:home"),
        reverse("web:notifications"),
        reverse("web:notification_settings"),
        reverse("mfa_index"),
        reverse("companies:directory"),
        reverse("companies:detail", args=[owner_company.pk]),
        reverse("companies:edit", args=[owner_company.pk]),
        reverse("drawings:list"),
        reverse("drawings:create"),
        reverse("drawings:nda_edit"),
        reverse("drawings:detail", args=[document.pk]),
        reverse("drawings:log", args=[document.pk]),
        reverse("drawings:retention", args=[document.pk]),
        reverse("network:jobs"),
        reverse("network:job_create"),
        reverse("network:job_detail", args=[job.pk]),
        reverse("network:job_plan", args=[job.pk]),
        reverse("network:rfq_detail", args=[rfq.pk]),
        reverse("network:step_suggestions", args=[job.steps.get(position=3).pk]),
        reverse("network:my_work"),
        reverse("network:handoff", args=[step.pk]),
        reverse("board:board"),
        reverse("board:request_detail", args=[request.pk]),
        reverse("messaging:inbox"),
        reverse("shopfloor:schedule"),
        reverse("shopfloor:steps"),
        reverse("shopfloor:calendar"),
    ]
    return [base + path for path in paths]


def test_every_main_page_runs_under_the_policy(demo_ward, page, live_server, screenshot):
    base = live_server.url
    watch = Watch(page)

    # A visitor.
    for path in ("/accounts/login/", reverse("companies:directory")):
        watch.visit(base + path)

    # The shop owner: every main page, then the widgets.
    sign_in(page, base, "owner@example.com")
    for url in owner_pages(base):
        watch.visit(url)

    # The drawing viewer (Alpine's CSP build): page, zoom, pan.
    document = Document.objects.get(drawing_number="TK-2026-014")
    watch.visit(f"{base}{reverse('drawings:viewer', args=[document.pk, 1])}")
    image = page.get_by_test_id("page-image").first
    expect(image).to_be_visible()
    frame = image.locator("xpath=..")
    assert frame.evaluate("el => el.style.aspectRatio") != ""
    page.get_by_role("button", name="拡大").click()
    box = frame.bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] - 40, start[1] - 10, steps=4)
    page.mouse.up()
    transform = image.evaluate("img => img.style.transform")
    assert "scale(1.5)" in transform
    assert "translate(-40px, -10px)" in transform
    expect(image).to_have_attribute("src", re.compile(r"size=zoom$"))
    page.get_by_role("button", name="縮小").click()
    expect(image).to_have_attribute("src", re.compile(r"\.png$"))
    expect(page.get_by_role("button", name="前のページ")).to_be_disabled()
    watch.assert_clean("drawing viewer")

    # The directory: the filters start open on a wide screen, and a filter loads the
    # results through htmx.
    watch.visit(f"{base}{reverse('companies:directory')}")
    filters = page.locator("main details[data-open-wide]")
    expect(filters).to_have_attribute("open", "")
    page.get_by_label("キーワード").fill("鍍金")
    expect(page).to_have_url(re.compile(r"q=%E9%8D%8D%E9%87%91|q=鍍金"))
    expect(page.locator("#directory-results")).to_contain_text("鍍金")
    watch.assert_clean("directory filter (htmx)")

    # The machine Gantt: bars are placed by the page script, from data attributes.
    watch.visit(f"{base}{reverse('shopfloor:schedule')}")
    bar = page.get_by_test_id("gantt-bar").first
    expect(bar).to_be_visible()
    assert bar.evaluate("el => el.style.left").endswith("%")
    assert bar.evaluate("el => el.style.width").endswith("%")
    columns = page.get_by_test_id("gantt").locator("[data-grid-columns]")
    assert "repeat(" in columns.evaluate("el => el.style.gridTemplateColumns")
    watch.assert_clean("machine gantt")

    # The job's schedule: planned/actual bars and today/due lines.
    job = Job.objects.get(drawing_number="TK-2026-014")
    watch.visit(f"{base}{reverse('network:job_detail', args=[job.pk])}")
    marker = page.get_by_test_id("gantt").locator("[data-left]").first
    assert marker.evaluate("el => el.style.left").endswith("%")

    # The company switch menu (a form, no script) still works.
    switch = page.get_by_test_id("company-switch")
    switch.locator("summary").click()
    switch.get_by_role("button").first.click()
    expect(page.get_by_role("status")).to_contain_text("切り替えました")
    watch.assert_clean("company switch")
    screenshot(page, "csp-owner")

    # The floor worker.
    sign_in(page, base, "worker@example.com")
    for name in ("web:home", "network:my_work", "shopfloor:steps"):
        watch.visit(base + reverse(name))

    # The ward officer (TOTP) and the platform admin.
    sign_in_with_code(page, base, "officer@example.com")
    for name in ("web:officer_home", "companies:directory", "companies:import_upload"):
        watch.visit(base + reverse(name))
    sign_in_with_code(page, base, "admin@example.com")
    company = Company.objects.order_by("pk").first()
    for path in (
        reverse("admin:index"),
        reverse("admin:companies_company_changelist"),
        reverse("admin:companies_company_change", args=[company.pk]),
        reverse("api:openapi-view"),
    ):
        watch.visit(base + path)

    # A shop without an account, on a one-time link.
    owner = job.company.memberships.get(user__email="owner@example.com").user
    shop = CompanyFactory(name="六郷研削所")
    rfq = network.rfq_send(
        actor=owner,
        job=job,
        steps=[job.steps.get(position=4)],
        recipients=[shop],
        deadline=deadline(),
        message="研削代 0.2 mm",
    )
    _link, token = network.guest_link_issue(
        actor=owner, recipient=rfq.recipients.get(), channel="print"
    )
    page.context.clear_cookies()
    watch.visit(f"{base}/r/{token}/")
    page.wait_for_timeout(300)  # reports are posted after the page, asynchronously
    watch.assert_clean("the end")


def test_pages_at_phone_size_run_under_the_policy(demo_ward, phone_page, live_server, screenshot):
    base = live_server.url
    page = phone_page
    watch = Watch(page)
    watch.visit(f"{base}{reverse('companies:directory')}")
    # On a phone the filters start closed, and open with a tap.
    filters = page.locator("main details[data-open-wide]")
    expect(filters).not_to_have_attribute("open", "")
    filters.locator("summary").click()
    expect(filters).to_have_attribute("open", "")
    sign_in(page, base, "worker@example.com")
    job = Job.objects.get(drawing_number="TK-2026-014")
    for path in (
        reverse("web:home"),
        reverse("network:my_work"),
        reverse("network:handoff", args=[job.steps.get(position=1).pk]),
        reverse("shopfloor:steps"),
    ):
        watch.visit(base + path)
    screenshot(page, "csp-worker-phone")
    page.wait_for_timeout(300)
    watch.assert_clean("the end")


def test_a_violation_is_seen_and_reported(demo_ward, page, live_server):
    """The watch is not blind: an inline script on one of our pages is refused,
    the event fires and the browser posts a report to our endpoint."""
    base = live_server.url
    watch = Watch(page)
    page.goto(f"{base}/accounts/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(500)
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))
    page.wait_for_timeout(500)
    assert watch.reports, "the browser posted no report to the report-uri"
