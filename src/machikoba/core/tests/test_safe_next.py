"""``next`` is followed only to a page of this site (core.views.safe_next)."""

import pytest
from django.test import RequestFactory

from machikoba.core.views import safe_next

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example/login",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "///evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "http://testserver/jobs/",  # this site, but not over HTTPS when the request is
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_off_site_next_goes_to_the_fallback(target):
    request = RequestFactory().post("/x/", {"next": target}, secure=True)
    assert safe_next(request, "/home/") == "/home/"
    request = RequestFactory().post(f"/x/?next={target}", secure=True)
    assert safe_next(request, "/home/") == "/home/"


@pytest.mark.parametrize("target", ["/jobs/7/", "/my-work/?tab=today", "https://testserver/jobs/"])
def test_a_page_of_this_site_is_kept(target):
    request = RequestFactory().post("/x/", {"next": target}, secure=True)
    assert safe_next(request, "/home/") == target


def test_the_referer_is_read_only_when_asked_and_checked_the_same_way():
    request = RequestFactory().post("/x/", HTTP_REFERER="/jobs/7/")
    assert safe_next(request, "/home/") == "/home/"
    assert safe_next(request, "/home/", referer=True) == "/jobs/7/"
    request = RequestFactory().post("/x/", HTTP_REFERER="https://evil.example/")
    assert safe_next(request, "/home/", referer=True) == "/home/"


def test_without_next_the_fallback():
    assert safe_next(RequestFactory().post("/x/"), "/home/") == "/home/"
