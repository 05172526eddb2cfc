"""The network plan in a real browser: the owner opens the plan from the job page, reads
the proposal (the cheaper heat treater, the plater, dates and the timeline), and sends
it as RFQs with one button."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.network.models import Rfq
from machikoba.network.tests.factories import make_job
from machikoba.network.tests.test_network_plan import HEAT, HOME, PLATING, _past_quote, _shop

pytestmark = pytest.mark.browser

ROUTE = (("cutting.turning.nc_lathe", True), (HEAT, False), (PLATING, False))


def test_the_owner_turns_the_plan_into_rfqs(
    page, live_server, transactional_db, settings, tmp_path, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    owner = MembershipFactory(
        company=CompanyFactory(name="蒲田精機株式会社", latitude=HOME[0], longitude=HOME[1]),
        role=CompanyRole.OWNER,
    )
    heat = _shop("大森熱処理株式会社", km_east=1.5, lead_time_days=4)
    rival = _shop("羽田熱錬工業株式会社", km_east=6, lead_time_days=3)
    plater = _shop("六郷鍍金工業株式会社", km_east=3, code=PLATING, lead_time_days=5)
    _past_quote(owner.company, heat, HEAT, price=70_000)
    _past_quote(owner.company, rival, HEAT, price=95_000)
    job = make_job(owner.user, owner.company, route=ROUTE)
    base = live_server.url

    sign_in(page, base, owner.user.email)
    page.goto(f"{base}{reverse('network:job_detail', args=[job.pk])}")
    page.get_by_role("link", name="ネットワーク計画").click()
    expect(page.get_by_role("heading", name="ネットワーク計画")).to_be_visible()
    expect(page.get_by_test_id("plan-due")).to_contain_text("間に合います")
    heat_row = page.get_by_test_id("plan-row-2")
    expect(heat_row.get_by_test_id("plan-performer")).to_have_text("大森熱処理株式会社")
    expect(heat_row.get_by_test_id("plan-price")).to_contain_text("70,000円")
    heat_row.get_by_text("ほかの候補 1 社").click()
    expect(heat_row.get_by_test_id("plan-others")).to_contain_text("羽田熱錬工業株式会社")
    expect(page.get_by_test_id("plan-row-3").get_by_test_id("plan-performer")).to_have_text(
        "六郷鍍金工業株式会社"
    )
    expect(page.get_by_test_id("plan-timeline").locator(".bg-blue-900")).to_have_count(2)
    screenshot(page, "network-plan")

    page.get_by_role("button", name="この提案で見積依頼を送る").click()
    expect(page.get_by_role("status")).to_contain_text("この提案で見積依頼を 2 件送りました")
    recipients = sorted(r.recipients.get().company.name for r in Rfq.objects.filter(job=job))
    assert recipients == [plater.name, heat.name]
