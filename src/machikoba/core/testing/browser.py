"""Helpers for Playwright tests."""

from __future__ import annotations

from playwright.sync_api import expect

from machikoba.core.testing.factories import TEST_PASSWORD


def sign_in(page, base_url: str, email: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real login form (a fresh session each time)."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.locator("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_test_id("active-company")).to_be_visible()
