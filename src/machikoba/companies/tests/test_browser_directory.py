"""Directory search and profile editing in a real browser (desktop and phone)."""

import re

import pytest
from playwright.sync_api import expect

from machikoba.accounts.models import User
from machikoba.companies.demo import DEMO_PASSWORD, demo_companies
from machikoba.companies.models import Company
from machikoba.core.testing import demo_ward as demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_ward(transactional_db, settings, tmp_path):
    demo.demo_ward(settings, tmp_path)
    return demo_companies()


def sign_in_owner(page, base_url):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill("owner@example.com")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_test_id("active-company")).to_be_visible()


def test_search_the_directory_with_filters(page, live_server, demo_ward, screenshot):
    sign_in_owner(page, live_server.url)
    page.get_by_role("link", name="企業を探す").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("企業を探す")
    total = Company.objects.filter(is_active=True, kind="shop").count()  # buyers are not listed
    expect(page.get_by_test_id("result-count")).to_contain_text(f"{total}社")

    page.get_by_label("工程").select_option(value="cutting.turning.nc_lathe")
    page.get_by_label("材料").select_option(value="SUS304")
    page.get_by_label("加工できる大きさ (mm 以上)").fill("300")
    page.get_by_label("認証").select_option(value="iso9001")
    page.get_by_label("自社からの距離 (km 以内)").fill("5")
    page.get_by_label("並び順").select_option(value="distance")
    page.get_by_role("button", name="検索").click()
    expect(page).to_have_url(re.compile(r"process=cutting\.turning\.nc_lathe"))
    expect(page.get_by_test_id("result-count")).to_contain_text("4社")
    cards = page.get_by_test_id("result-cards").locator("h3")
    expect(cards.first).to_have_text("有限会社高橋精機製作所")
    screenshot(page, "directory-filtered")

    # The URL is shareable: opening it again gives the same answer.
    url = page.url
    page.goto(url)
    expect(page.get_by_test_id("result-count")).to_contain_text("4社")

    # Free text in Japanese narrows the list as one types (HTMX).
    page.get_by_role("link", name="条件をクリア").click()
    page.get_by_label("キーワード").fill("めっき")
    expect(page.get_by_test_id("result-count")).not_to_contain_text(f"{total}社")
    expect(page.get_by_test_id("result-cards")).to_contain_text("鍍金")

    page.get_by_role("link", name="表").click()
    expect(page.get_by_test_id("result-table")).to_be_visible()
    screenshot(page, "directory-table")


def test_directory_on_a_phone(phone_page, live_server, demo_ward, screenshot):
    phone_page.goto(f"{live_server.url}/directory/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("企業を探す")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    # On a phone the filters fold away behind one tap.
    expect(phone_page.get_by_label("工程")).to_be_hidden()
    phone_page.get_by_text("条件で絞り込む").click()
    phone_page.get_by_label("工程").select_option(value="heat_treatment")
    expect(phone_page.get_by_test_id("result-cards")).to_contain_text("熱処理")
    screenshot(phone_page, "directory-phone-anonymous")
    phone_page.get_by_test_id("result-cards").locator("h3 a").first.click()
    expect(phone_page.get_by_test_id("company-name")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "profile-phone-anonymous")


def test_edit_profile_with_postal_code_autofill(page, live_server, demo_ward, screenshot):
    sign_in_owner(page, live_server.url)
    company = User.objects.get(email="owner@example.com").memberships.get(role="owner").company
    page.goto(f"{live_server.url}/companies/{company.pk}/edit/")
    page.get_by_label("町名・番地・建物").fill("")
    page.get_by_label("郵便番号").fill("146-0092")
    expect(page.locator("#postal-lookup")).to_contain_text("東京都大田区下丸子")
    expect(page.get_by_label("都道府県")).to_have_value("東京都")
    expect(page.get_by_label("市区町村")).to_have_value("大田区")
    expect(page.get_by_label("町名・番地・建物")).to_have_value("下丸子")
    page.get_by_label("町名・番地・建物").fill("下丸子2丁目3番4号")
    page.get_by_label("従業員数").fill("18")
    screenshot(page, "profile-edit")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_role("status")).to_contain_text("企業情報を保存しました")
    expect(page.locator("main")).to_contain_text("〒146-0092 東京都大田区下丸子2丁目3番4号")
    screenshot(page, "profile-after-edit")

    # A wrong 法人番号 is explained beside the field and nothing is saved.
    page.goto(f"{live_server.url}/companies/{company.pk}/edit/")
    page.get_by_label("法人番号").fill("1000012050002")
    page.get_by_role("button", name="保存する").click()
    expect(page.locator("#id_corporate_number_error")).to_contain_text("チェックデジット")
    expect(page.get_by_label("法人番号")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "profile-edit-error")
    company.refresh_from_db()
    assert company.corporate_number != "1000012050002"
