"""The drawing story in a real browser: upload, share view-only, NDA, watermarked
viewer, no download, expiry, and the owner's access log."""

import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.processes import start_worker
from machikoba.drawings.models import Grant, Revision
from machikoba.drawings.tests.samples import dxf_bytes, pdf_bytes

pytestmark = pytest.mark.browser


def _wait_ready(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Revision.objects.exclude(preview_status__in=["ready", "failed", "none"]).exists():
            return
        time.sleep(0.3)
    raise AssertionError("previews were not built in time")


def test_share_a_drawing_view_only(
    page, live_server, transactional_db, tmp_path, settings, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    owner = MembershipFactory(
        company=CompanyFactory(name="蒲田精機株式会社"),
        role=CompanyRole.OWNER,
        user__name="高橋 一郎",
    ).user
    partner = MembershipFactory(
        company=CompanyFactory(name="六郷鍍金工業株式会社"),
        role=CompanyRole.OWNER,
        user__name="丸山 次郎",
    ).user
    pdf = tmp_path / "shaft.pdf"
    pdf.write_bytes(pdf_bytes(pages=3))
    dxf = tmp_path / "plate.dxf"
    dxf.write_bytes(dxf_bytes())
    worker = start_worker({"MEDIA_ROOT": str(tmp_path)})
    try:
        sign_in(page, live_server.url, owner.email)
        # The owner's NDA text.
        page.goto(f"{live_server.url}/drawings/nda/")
        page.get_by_label("秘密保持の条項").fill("第1条 図面を第三者に開示しない。")
        page.get_by_role("button", name="新しい版として保存").click()
        for path, title in ((pdf, "シャフト"), (dxf, "プレート")):
            page.goto(f"{live_server.url}/drawings/new/")
            page.get_by_label("件名").fill(title)
            page.get_by_label("図番").fill("D-" + title)
            page.get_by_label("ファイル").set_input_files(str(path))
            page.get_by_role("button", name="登録する").click()
            expect(page.get_by_role("status")).to_contain_text("図面を登録しました")
        _wait_ready()
        page.goto(f"{live_server.url}/drawings/")
        page.get_by_role("link", name="シャフト").click()
        expect(page.get_by_test_id("preview-status")).to_contain_text("プレビューあり")
        page.get_by_role("link", name="共有する").click()
        page.get_by_label("共有先の企業").select_option(label="六郷鍍金工業株式会社")
        page.get_by_role("button", name="共有する").click()
        expect(page.get_by_role("status")).to_contain_text("共有しました")
        document_url = page.url

        # The partner sees nothing until it accepts the NDA.
        sign_in(page, live_server.url, partner.email)
        page.goto(f"{live_server.url}/drawings/")
        expect(page.get_by_role("main")).not_to_contain_text("シャフト")
        page.get_by_role("link", name="条項を読んで同意する").click()
        expect(page.get_by_test_id("nda-body")).to_contain_text("第三者に開示しない")
        # One press: the button itself is the agreement.
        page.get_by_role("button", name="条項に同意して図面を見る").click()
        page.get_by_role("link", name="シャフト").click()
        page.get_by_role("link", name=re.compile("見る")).first.click()
        expect(page.get_by_test_id("page-indicator")).to_contain_text("1 / 3")
        image = page.get_by_test_id("page-image").first
        expect(image).to_be_visible()
        src = image.get_attribute("src")
        served = page.request.get(f"{live_server.url}{src}")
        assert served.status == 200, served.text()[:500]
        assert served.headers["content-type"] == "image/png"
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        page.get_by_role("button", name="次のページ").click()
        expect(page.get_by_test_id("page-indicator")).to_contain_text("2 / 3")
        second = page.get_by_test_id("page-image").nth(1)
        expect(second).to_be_visible()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=second.element_handle()
        )
        screenshot(page, "drawing-viewer-partner")
        expect(page.get_by_role("link", name="ダウンロード")).to_have_count(0)
        download = page.request.get(f"{page.url}download/")
        assert download.status == 403

        # The grant expires: access is refused and logged.
        Grant.objects.update(expires_at=timezone.now())
        response = page.goto(page.url)
        assert response.status == 404

        # The owner reads the log.
        sign_in(page, live_server.url, owner.email)
        page.goto(document_url)
        page.get_by_role("link", name="操作記録").click()
        log = page.get_by_test_id("document-log")
        expect(log).to_contain_text("閲覧")
        expect(log).to_contain_text("拒否されたアクセス")
        expect(log).to_contain_text("秘密保持に同意")
        screenshot(page, "drawing-log-owner")
    finally:
        worker.terminate()
        worker.communicate(timeout=30)


def test_viewer_zooms_and_pans_on_a_phone(
    phone_page, live_server, transactional_db, tmp_path, settings, screenshot
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from machikoba.drawings import services
    from machikoba.drawings.tasks import build_previews

    settings.MEDIA_ROOT = tmp_path
    owner = MembershipFactory(role=CompanyRole.OWNER).user
    document = services.document_create(
        actor=owner,
        company=owner.memberships.get().company,
        title="ブラケット",
        kind="drawing",
        upload=SimpleUploadedFile("b.pdf", pdf_bytes(pages=1)),
    )
    build_previews.call(document.revisions.get().pk)
    sign_in(phone_page, live_server.url, owner.email)
    phone_page.goto(f"{live_server.url}/drawings/{document.pk}/rev/1/")
    image = phone_page.get_by_test_id("page-image").first
    expect(image).to_be_visible()
    frame = image.locator("xpath=..")
    phone_page.get_by_role("button", name="拡大").click()
    box = frame.bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone_page.mouse.move(*start)
    phone_page.mouse.down()
    phone_page.mouse.move(start[0] - 60, start[1] - 20, steps=5)
    phone_page.mouse.up()
    transform = image.evaluate("img => img.style.transform")
    assert "scale(1.5)" in transform
    assert "translate(-60px, -20px)" in transform
    assert frame.evaluate("el => el.style.touchAction") == "none"
    assert frame.evaluate("el => el.style.aspectRatio") != ""
    screenshot(phone_page, "drawing-viewer-phone-zoomed")


def test_owner_sets_retention_destroys_and_downloads_the_certificate(
    page, live_server, transactional_db, tmp_path, settings, screenshot
):
    from machikoba.drawings.tests.factories import make_document, share

    settings.MEDIA_ROOT = tmp_path
    owner = MembershipFactory(
        company=CompanyFactory(name="蒲田精機株式会社"), role=CompanyRole.OWNER
    ).user
    partner_company = CompanyFactory(name="六郷鍍金工業株式会社")
    document = make_document(owner.memberships.get().company, title="フランジ", pages=1)
    share(document, partner_company)
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/drawings/{document.pk}/")

    # Keep it three years after the deal closes; the deal closed last month.
    page.get_by_role("link", name="保存期間を設定").click()
    page.get_by_label("取引終了から指定の月数後に破棄").check()
    page.get_by_label("取引終了から破棄までの月数").fill("36")
    closed = timezone.localdate().replace(day=1) - timezone.timedelta(days=1)
    page.get_by_label("取引終了日").fill(closed.isoformat())
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_role("status")).to_contain_text("保存期間を設定しました")
    expect(page.get_by_test_id("retention")).to_contain_text(f"{closed.year + 3}/")

    # Then the buyer asks for the drawings back: destroy now, with a reason.
    page.get_by_role("link", name="今すぐ破棄する").click()
    page.get_by_role("button", name="破棄する").click()
    expect(page.get_by_role("alert")).to_contain_text("入力内容を確認してください")
    expect(page.locator(".form-error").last).to_contain_text("確認のチェックを入れてください")
    page.get_by_label("破棄の理由").fill("発注元の依頼による破棄")
    page.get_by_label(re.compile("元に戻せないことを理解しました")).check()
    page.get_by_role("button", name="破棄する").click()
    expect(page.get_by_test_id("destroyed-banner")).to_contain_text("破棄されました")
    screenshot(page, "drawing-destroyed-owner")
    with page.expect_download() as info:
        page.get_by_role("link", name="破棄証明 (PDF) をダウンロード").click()
    certificate = info.value
    assert certificate.suggested_filename.startswith("DC-")
    assert certificate.path().read_bytes().startswith(b"%PDF")
    assert [p for p in tmp_path.rglob("*") if p.is_file() and "drawings" in p.parts] == []
