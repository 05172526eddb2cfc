"""Every URL of the project is either declared public (with a reason) or has its
actors' outcomes declared in some app's permission matrix."""

import importlib
import pkgutil

from django.urls import URLPattern, URLResolver, get_resolver

import machikoba
from machikoba.core.testing.matrix import Case

# Routes anyone may reach, and why. Everything else needs a matrix case.
PUBLIC_ROUTES = {
    "web:language_switch": "choosing the UI language needs no account (tested in web)",
    "web:healthz": "load-balancer liveness probe; reveals nothing",
    "web:csp_report": (
        "browsers post Content-Security-Policy violation reports without a session or CSRF "
        "token; it only logs them, size- and rate-limited (tested in web/tests/test_csp.py)"
    ),
    "account_login": "the sign-in form",
    "account_signup": "self sign-up (closed by ACCOUNT_ALLOW_SIGNUPS=false)",
    "account_inactive": "tells a disabled user their account is inactive",
    "account_email_verification_sent": "says a verification mail was sent",
    "account_confirm_email": "the link in a verification mail; the key is the credential",
    "account_reset_password": "request a password-reset mail",
    "account_reset_password_done": "says the reset mail was sent",
    "account_reset_password_from_key": "the link in a reset mail; the key is the credential",
    "account_reset_password_from_key_done": "says the password was changed",
    "account_confirm_login_code": "login by code is disabled; allauth answers with a redirect",
    "mfa_authenticate": "second step of sign-in; only reachable mid-login",
    "api:openapi-json": "the API description (no data)",
    "api:openapi-view": "the API documentation page (self-hosted assets)",
    "programs:certificate_verify": (
        "anyone holding a 修了証 checks it by its printed code (64 random bits); shows only what "
        "the certificate states, rate-limited (programs/tests/test_graduation.py)"
    ),
}

# Django admin's many generated routes all pass through AdminSite.admin_view, which
# requires is_staff (and our middleware a TOTP session); the matrix samples them, its
# login included (see web/tests/test_permissions.py).
DELEGATED_NAMESPACES = {"admin"}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            yield f"{namespace}:{name}" if namespace else name, namespace


def matrix_cases() -> list[Case]:
    cases: list[Case] = []
    for module in pkgutil.walk_packages(machikoba.__path__, "machikoba."):
        package, _, name = module.name.rpartition(".")
        if package.endswith(".tests") and name.startswith("test_permissions"):
            cases.extend(importlib.import_module(module.name).MATRIX)
    return cases


def test_every_url_is_public_or_in_the_permission_matrix():
    covered = set()
    for case in matrix_cases():
        covered.add(case.route)
    uncovered = []
    for name, namespace in _walk(get_resolver().url_patterns):
        if name in PUBLIC_ROUTES or name in covered:
            continue
        if namespace in DELEGATED_NAMESPACES:
            continue
        uncovered.append(name)
    assert uncovered == [], "URL patterns with no permission matrix case: " + ", ".join(
        sorted(uncovered)
    )


def test_delegated_namespaces_are_sampled_in_the_matrix():
    routes = {case.route for case in matrix_cases()}
    assert "admin:login" in routes
    for namespace in DELEGATED_NAMESPACES:
        assert sum(r.startswith(f"{namespace}:") for r in routes) >= 3, namespace


def test_public_routes_and_matrix_name_real_urls():
    names = {name for name, _ns in _walk(get_resolver().url_patterns)}
    stale = [r for r in PUBLIC_ROUTES if r not in names]
    for case in matrix_cases():
        stale += [case.route] if case.route not in names else []
    assert stale == []
