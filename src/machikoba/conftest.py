"""Fixtures for the whole suite: the test world, PostgreSQL / Chromium requirements,
the session clock (core/testing/clock.py), and Playwright on Debian's Chromium with a
screenshot saved when a browser test fails."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
CHROMIUM = os.environ.get("MACHIKOBA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _own_test_database():
    """settings.py names the test database after the process that read the settings. A
    process forked after that (mutmut's workers under `make mutation`) renames it after
    itself, so two forks never share, and clobber, one database. A no-op otherwise."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        test = database.get("TEST") or {}
        if test.get("NAME"):
            test["NAME"] = re.sub(r"\d+(?=(\.sqlite3)?$)", str(os.getpid()), test["NAME"])


def pytest_configure(config):
    from machikoba.core.testing import clock

    _own_test_database()
    # A transactional test's flush by DELETE instead of TRUNCATE (core/testing/flush.py).
    from machikoba.core.testing import flush

    flush.install()

    # The session clock plugin (MACHIKOBA_TEST_CLOCK); its own pytest_configure runs now.
    if not config.pluginmanager.is_registered(clock):
        config.pluginmanager.register(clock, "machikoba-clock")
    if os.environ.get("MACHIKOBA_REQUIRE_POSTGRES"):
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(
                f"MACHIKOBA_REQUIRE_POSTGRES is set but the database engine is {engine}"
            )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashers cost ~0.3 s per password on purpose; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request through the test client leaves its language active in the thread (the
    # LocaleMiddleware activates it); the next test on the same worker would read English.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_caches():
    # Lockout counters, used TOTP codes and rate limits live in the cache.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data_survives_flushes(request, django_db_blocker):
    """Transactional tests end with a flush that also empties the reference data the
    migrations loaded (process taxonomy, materials, the special wards …); put it back,
    committed, before the next test that uses the database."""
    if {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        from machikoba.companies.models import ProcessCategory
        from machikoba.companies.reference_data import load_reference_data
        from machikoba.wards.models import Municipality
        from machikoba.wards.reference import load_special_wards

        with django_db_blocker.unblock():
            if not ProcessCategory.objects.exists():
                load_reference_data()
            if not Municipality.objects.exists():
                load_special_wards()


@pytest.fixture
def world(db):
    from machikoba.core.testing.matrix import World

    return World.build()


# --- browser tests -----------------------------------------------------------------


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("MACHIKOBA_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made
    # by the test itself (setting up data) are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(chromium, request, viewport):
    context = chromium.new_context(viewport=viewport, locale="ja-JP")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(chromium, request, live_server):
    yield from _new_page(chromium, request, {"width": 1280, "height": 900})


@pytest.fixture
def phone_page(chromium, request, live_server):
    yield from _new_page(chromium, request, {"width": 390, "height": 844})


@pytest.fixture
def screenshot(request):
    """Save a named screenshot under var/test-artifacts/screens (for review, not asserts)."""

    def take(page, name: str):
        target = ARTIFACTS / "screens"
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"), full_page=True)

    return take
