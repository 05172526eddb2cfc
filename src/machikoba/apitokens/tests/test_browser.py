"""The API tokens page on a phone: issue a token, copy its secret, use it, revoke it."""

import pytest
from playwright.sync_api import expect

from machikoba.apitokens.models import ApiToken
from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.browser import sign_in
from machikoba.core.testing.factories import MembershipFactory
from machikoba.core.testing.phone import axe_check, phone_checks

pytestmark = pytest.mark.browser


def test_issue_use_and_revoke_a_token_on_a_phone(
    phone_page, live_server, transactional_db, screenshot
):
    member = MembershipFactory(role=CompanyRole.OWNER)
    page = phone_page
    sign_in(page, live_server.url, member.user.email)
    page.goto(f"{live_server.url}/settings/api-tokens/")
    expect(page.get_by_test_id("token-none")).to_be_visible()
    phone_checks(page, "api tokens, empty")

    page.get_by_label("名前").fill("生産管理システム")
    page.get_by_label("案件・見積・発注").select_option("write")
    page.get_by_role("button", name="発行する").click()
    secret = page.get_by_test_id("token-secret").input_value()
    assert secret.startswith("mkb_")
    expect(page.get_by_test_id("token-card")).to_have_count(1)
    expect(page.get_by_test_id("token-last-used")).to_contain_text("まだ使われていません")
    screenshot(page, "api-tokens-issued-phone")
    phone_checks(page, "api tokens, issued")
    axe_check(page, "api tokens, issued")

    answer = page.request.get(
        f"{live_server.url}/api/network/jobs", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200

    page.goto(f"{live_server.url}/settings/api-tokens/")
    expect(page.get_by_test_id("token-secret")).to_have_count(0)
    expect(page.get_by_test_id("token-last-used")).not_to_contain_text("まだ使われていません")
    page.get_by_role("button", name="失効させる").click()
    expect(page.get_by_test_id("token-state")).to_have_text("失効")
    assert ApiToken.objects.get().revoked_at is not None
    answer = page.request.get(
        f"{live_server.url}/api/network/jobs", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 401
