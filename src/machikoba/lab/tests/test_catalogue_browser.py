"""The catalogue on a phone (390 × 844): an anonymous visitor finds the lab, filters its
items by kind and reads a cobot's page; a vendor's owner signs in, opens their exhibits,
rewrites the specs and adds a photo; the lab's staff keep the lab's settings, items,
trainings and vendors. Every page passes the phone rules and axe; screenshots of each are
saved."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.browser import sign_in, sign_in_ward
from machikoba.core.testing.factories import MembershipFactory, jpeg_bytes
from machikoba.core.testing.factories_lab import (
    make_exhibitor,
    make_item,
    make_item_photo,
    make_lab,
    make_lab_staff,
    make_training,
    make_vendor,
    open_day,
)
from machikoba.core.testing.phone import axe_check, phone_checks
from machikoba.lab.choices import ItemKind
from machikoba.lab.models import Item, ItemPhoto, OpeningHours
from machikoba.lab.selectors.trainings import missing_trainings

pytestmark = [pytest.mark.browser, pytest.mark.clock_sensitive]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _checked(page, screenshot, name):
    page.wait_for_load_state("networkidle")
    phone_checks(page, name)
    axe_check(page, name)
    screenshot(page, name)


def _catalogue():
    lab = make_lab(description="大田区の町工場のための DX の体験施設です。買う前に試せます。")
    vendor = make_exhibitor(lab, make_vendor(name="蒲田ITソリューションズ株式会社"))
    cobot = make_item(
        lab,
        use_cases="溶接前後のワークの段取り、検査工程の搬送",
        specs="可搬重量 10kg\nリーチ 1249mm",
        safety_notes="稼働中は可動範囲に立ち入らない。講習の修了が必要です。",
    )
    make_item_photo(cobot)
    make_training(lab, [cobot])
    make_item(
        lab, kind=ItemKind.PRINTER_3D, name="3Dプリンター", maker="テスト社", summary="治具を一晩で"
    )
    software = make_item(
        lab,
        kind=ItemKind.SOFTWARE,
        exhibitor=vendor,
        name="生産管理クラウド",
        summary="受注から出荷まで、スマートフォンで",
    )
    return lab, vendor, cobot, software


def test_an_anonymous_visitor_reads_the_catalogue_on_a_phone(phone_page, live_server, screenshot):
    lab, _vendor, cobot, _software = _catalogue()
    page = phone_page
    page.goto(f"{live_server.url}/lab/")
    _checked(page, screenshot, "lab-catalogue-list-phone")
    page.get_by_role("link", name=lab.name).click()
    expect(page.get_by_test_id("lab-address")).to_contain_text("南蒲田")
    expect(page.get_by_test_id("item-card")).to_have_count(3)
    expect(page.get_by_test_id("vendor-badge")).to_contain_text("蒲田ITソリューションズ株式会社")
    _checked(page, screenshot, "lab-catalogue-lab-phone")
    page.get_by_test_id("kind-filter").get_by_role("link", name="協働ロボット (1)").click()
    expect(page.get_by_test_id("item-card")).to_have_count(1)
    page.get_by_role("link", name=cobot.name).click()
    expect(page.get_by_test_id("item-safety")).to_contain_text("可動範囲")
    expect(page.get_by_test_id("item-trainings")).to_contain_text("協働ロボット安全講習")
    expect(page.get_by_test_id("item-photos").locator("img")).to_have_count(1)
    expect(page.get_by_test_id("item-edit-links")).to_have_count(0)
    _checked(page, screenshot, "lab-catalogue-item-phone")


def test_a_vendor_edits_their_exhibit_on_a_phone(phone_page, live_server, screenshot, tmp_path):
    _lab, vendor, _cobot, software = _catalogue()
    owner = vendor.memberships.get().user
    page = phone_page
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/lab/vendor/exhibits/")
    expect(page.get_by_test_id("exhibit")).to_have_count(1)
    _checked(page, screenshot, "lab-vendor-exhibits-phone")
    page.get_by_test_id("exhibit-edit").click()
    expect(page.locator("[name=capacity]")).to_have_count(0)
    page.get_by_label("仕様").fill("クラウド型\n10ユーザーまで月額 2万円")
    page.get_by_label("町工場での使いみち").fill("受注・工程・出荷の管理を紙から置き換え")
    _checked(page, screenshot, "lab-vendor-exhibit-form-phone")
    page.get_by_test_id("item-save").click()
    expect(page.get_by_test_id("item-specs")).to_contain_text("10ユーザーまで")
    software.refresh_from_db()
    assert software.use_cases == "受注・工程・出荷の管理を紙から置き換え"

    page.get_by_role("link", name="写真を追加・削除").click()
    photo = tmp_path / "screen.jpg"
    photo.write_bytes(jpeg_bytes(800, 600))
    page.locator("input[name=image]").set_input_files(str(photo))
    page.get_by_label("説明 (任意)").fill("ダッシュボードの画面")
    page.get_by_test_id("photo-add").click()
    expect(page.get_by_test_id("photo-list").locator("img")).to_have_count(1)
    _checked(page, screenshot, "lab-vendor-photos-phone")
    assert ItemPhoto.objects.filter(item=software).count() == 1
    assert Item.objects.get(pk=software.pk).capacity == 1


def test_staff_keep_the_lab_on_a_phone(phone_page, live_server, screenshot):
    """The lab's staff, on a phone: the settings' hub, the week (Saturday closed), a
    closure, a new item, a training, a pass recorded by hand and a vendor registered."""
    lab, _vendor, cobot, _software = _catalogue()
    staff = make_lab_staff()
    person = MembershipFactory(role=CompanyRole.STAFF).user
    page = phone_page
    base = live_server.url
    sign_in_ward(page, base, staff.email)
    page.goto(f"{base}/lab/{lab.pk}/settings/")
    expect(page.get_by_test_id("settings-items").locator("tbody tr")).to_have_count(3)
    _checked(page, screenshot, "lab-office-settings-phone")

    page.goto(f"{base}/lab/{lab.pk}/settings/hours/")
    page.get_by_label("土曜日 は開館").uncheck()
    _checked(page, screenshot, "lab-office-hours-phone")
    page.get_by_test_id("hours-save").click()
    expect(page.get_by_test_id("rules-summary")).to_be_visible()
    assert not OpeningHours.objects.filter(lab=lab, weekday=5).exists()

    page.goto(f"{base}/lab/{lab.pk}/settings/closures/")
    day = open_day(lab, 10)
    page.get_by_label("休館の初日").fill(day.isoformat())
    page.get_by_label("休館の最終日").fill(day.isoformat())
    page.get_by_label("理由").fill("空調の点検")
    page.get_by_test_id("closure-add").click()
    expect(page.get_by_test_id("closure-list")).to_contain_text("空調の点検")
    _checked(page, screenshot, "lab-office-closures-phone")

    page.goto(f"{base}/lab/{lab.pk}/settings/items/new/")
    page.locator("select[name=kind]").select_option(ItemKind.MEASURING)
    page.locator("input[name=name]").fill("三次元測定機")
    page.locator("input[name=summary]").fill("試作品の寸法を自動で測る")
    _checked(page, screenshot, "lab-office-item-form-phone")
    page.get_by_test_id("item-save").click()
    expect(page.get_by_test_id("photo-form")).to_be_visible()
    assert Item.objects.filter(lab=lab, name="三次元測定機", active=True).exists()

    page.goto(f"{base}/lab/{lab.pk}/trainings/")
    _checked(page, screenshot, "lab-office-trainings-phone")
    page.get_by_test_id("training-records").click()
    page.get_by_label("受講者のメールアドレス").fill(person.email)
    page.get_by_test_id("record-save").click()
    expect(page.get_by_test_id("record-row")).to_have_count(1)
    _checked(page, screenshot, "lab-office-records-phone")
    assert missing_trainings(person, cobot, timezone.localdate()) == []

    page.goto(f"{base}/lab/{lab.pk}/settings/vendors/new/")
    page.get_by_label("ベンダーの名称").fill("大森クラウド株式会社")
    page.get_by_label("担当者のメールアドレス").fill("sales@omori-cloud.example")
    _checked(page, screenshot, "lab-office-vendor-form-phone")
    page.get_by_test_id("vendor-save").click()
    expect(
        page.get_by_test_id("vendor-row").filter(has_text="大森クラウド株式会社")
    ).to_contain_text("招待中")
    _checked(page, screenshot, "lab-office-vendors-phone")
