"""Many wards on one platform, in a real browser over the demo (大田区, 墨田区, 葛飾区): the
墨田区 officer signs in with TOTP, sees only 墨田区 companies in the officer's views, finds an
大田区 company's officer page "not found", and imports a list whose rows all become 墨田区
companies (a row of 大田区 is refused first, nothing stored). Then the 大田区 owner sends an
RFQ to a 墨田区 shop and the job goes on as before: quote, award, order accepted."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from machikoba.companies.demo import DEMO_PASSWORD
from machikoba.companies.models import Company
from machikoba.companies.validators import corporate_number_with_check_digit
from machikoba.core.testing.factories import SUMIDA, ward
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.network.models import Job, Order
from machikoba.network.tests.test_browser_story import ask_one_shop, award_and_accept
from machikoba.web.tests.test_browser_csp import demo_ward, sign_in, sign_in_with_code

pytestmark = pytest.mark.browser

__all__ = ["demo_ward"]

HEADER = "会社名,フリガナ,法人番号,郵便番号,所在地,従業員数\n"


def _number(i: int) -> str:
    return corporate_number_with_check_digit(f"{830000000000 + i:012d}")


def _csv(tmp_path, name, rows) -> str:
    path = tmp_path / name
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def _import(page, base, path):
    page.goto(f"{base}{reverse('companies:import_upload')}")
    expect(page.get_by_test_id("import-ward")).to_contain_text("墨田区")
    page.get_by_label("企業の一覧ファイル").set_input_files(path)
    page.get_by_role("button", name="アップロードして確認する").click()
    page.get_by_role("button", name="取り込む").click()
    run_queued_tasks()
    page.reload()


def test_a_wards_officer_works_on_its_ward_and_the_network_crosses_borders(
    demo_ward, page, live_server, tmp_path, settings, screenshot
):
    settings.MEDIA_ROOT = tmp_path  # demo_ward set it too; the import's file lands here
    base = live_server.url
    sumida = ward(SUMIDA)
    ota_company = Company.objects.filter(ward__code="131113").first()
    sumida_names = set(Company.objects.filter(ward=sumida).values_list("name", flat=True))
    assert sumida_names
    assert ota_company

    # officer2@ (墨田区) signs in with TOTP: its home and its companies are 墨田区's.
    sign_in_with_code(page, base, "officer2@example.com")
    page.goto(f"{base}{reverse('web:officer_home')}")
    expect(page.get_by_test_id("ward-name")).to_have_text("墨田区の概況")
    expect(page.get_by_test_id("company-total")).to_have_text(str(len(sumida_names)))
    page.get_by_role("link", name=re.compile("^区の企業")).first.click()
    listed = page.get_by_test_id("ward-company")
    expect(listed.first).to_be_visible()
    shown = {t.split("\n")[0].strip() for t in listed.all_inner_texts()}
    assert shown <= sumida_names
    assert ota_company.name not in shown
    screenshot(page, "ward-companies-sumida")
    # The 大田区 company's officer pages are not found for it (its profile stays public).
    response = page.goto(f"{base}{reverse('companies:company_ward', args=[ota_company.pk])}")
    assert response.status == 404
    response = page.goto(f"{base}{reverse('companies:detail', args=[ota_company.pk])}")
    assert response.status == 200
    expect(page.get_by_test_id("contact-email")).to_have_count(0)

    # A list with a 大田区 row: refused with the row's reason, nothing stored.
    before = Company.objects.count()
    _import(
        page,
        base,
        _csv(
            tmp_path,
            "墨田区_企業一覧_誤り.csv",
            [
                ["太平精工株式会社", "タイヘイセイコウ", _number(1), "130-0012", "太平1-2-3", "8"],
                ["蒲田精機株式会社", "カマタセイキ", _number(2), "144-0051", "西蒲田1-1-1", "5"],
            ],
        ),
    )
    expect(page.get_by_test_id("error-report")).to_contain_text("大田区")
    assert Company.objects.count() == before
    # The corrected list: both rows become 墨田区 companies, confirmed.
    _import(
        page,
        base,
        _csv(
            tmp_path,
            "墨田区_企業一覧.csv",
            [
                ["太平精工株式会社", "タイヘイセイコウ", _number(1), "130-0012", "太平1-2-3", "8"],
                ["錦糸加工所", "キンシカコウショ", _number(3), "", "", "3"],
            ],
        ),
    )
    expect(page.get_by_test_id("import-counts")).to_have_text("作成 2 社・更新 0 社")
    imported = Company.objects.filter(corporate_number__in=[_number(1), _number(3)])
    assert {(c.ward_id, c.ward_confirmed_at is not None) for c in imported} == {(sumida.pk, True)}

    # The network ignores the border: the 大田区 owner asks the 墨田区 plater for a quote.
    job = Job.objects.get(drawing_number="TK-2026-014")
    plater = Company.objects.get(memberships__user__email="plating@example.com")
    assert job.company.ward.code == "131113"
    assert plater.ward == sumida
    rfq_url = ask_one_shop(page, base, job, 3, plater.name)
    sign_in(page, base, "plating@example.com")
    page.goto(rfq_url)
    page.get_by_label("金額 (円・税抜)").fill("39000")
    page.get_by_label("納期 (受注からの日数)").fill("3")
    page.get_by_role("button", name="見積を提出").click()
    expect(page.get_by_role("status")).to_contain_text("見積を提出しました")
    award_and_accept(page, base, rfq_url, plater.name, "plating@example.com")
    order = Order.objects.get(job=job, supplier=plater)
    assert order.status == "accepted"
    assert job.steps.get(position=3).status == "ordered"


def test_the_metro_viewer_sees_the_wards_figures_on_a_phone(
    demo_ward, phone_page, live_server, screenshot
):
    phone_page.goto(f"{live_server.url}/accounts/login/")
    phone_page.get_by_label("メールアドレス").fill("metro@example.com")
    phone_page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    phone_page.locator("main").get_by_role("button", name="ログイン").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("区ごとの状況")
    rows = phone_page.get_by_test_id("metro-ward")
    expect(rows).to_have_count(23)
    expect(phone_page.get_by_test_id("metro-wards")).to_contain_text("墨田区")
    phone_page.wait_for_load_state("networkidle")
    phone_checks(phone_page, "metro home")
    axe_check(phone_page, "metro home")
    screenshot(phone_page, "home-phone-metro")
