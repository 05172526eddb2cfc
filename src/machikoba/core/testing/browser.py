"""Helpers for Playwright tests."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from machikoba.core.testing.factories import TEST_PASSWORD, totp_now


def sign_in(page, base_url: str, email: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real login form (a fresh session each time)."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.locator("main").get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_test_id("active-company")).to_be_visible()


# The last TOTP code each e-mail signed in with (allauth refuses a code used before).
_last_code: dict[str, str] = {}


def sign_in_ward(page, base_url: str, email: str, *, totp: bool = False) -> None:
    """Sign in someone without a company (an officer, a reviewer, an advisor …) through the
    real login form, with the TOTP step when ``totp`` (officers); wait for their home."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン", exact=True).click()
    if totp:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
        remaining = 30 - time.time() % 30
        # A code is good for its own 30-second period only, and only once: a second sign-in
        # within the period waits for the next code.
        if remaining < 5 or _last_code.get(email) == totp_now():
            time.sleep(remaining + 0.2)
        _last_code[email] = totp_now()
        page.get_by_label("コード").fill(_last_code[email])
        page.locator("main").get_by_role("button", name="ログイン", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
