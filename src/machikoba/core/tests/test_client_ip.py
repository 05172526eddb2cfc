"""The client's address, read the one way the deployment configures: behind N trusted
reverse proxies the Nth X-Forwarded-For entry from the right, else the peer."""

import pytest
from django.test import RequestFactory

from machikoba.core.views import client_ip

PROXY = "10.0.0.2"


def _request(forwarded=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_header_is_ignored(settings):
    settings.MACHIKOBA_TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("203.0.113.5", remote="198.51.100.1")) == "198.51.100.1"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        # The client wrote the left part itself; the proxy appended the real address.
        (1, "192.0.2.66, 203.0.113.5", "203.0.113.5"),
        (1, "192.0.2.66,203.0.113.5", "203.0.113.5"),
        # Two proxies: the outer one appended the client, the inner one the outer proxy.
        (2, "192.0.2.66, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (1, "2001:db8::5", "2001:db8::5"),
    ],
)
def test_behind_proxies_the_nth_address_from_the_right(settings, count, forwarded, expected):
    settings.MACHIKOBA_TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(forwarded)) == expected


@pytest.mark.parametrize(
    ("count", "forwarded"),
    [
        (1, None),  # not through the proxy: the peer it came from
        (1, ""),
        (2, "203.0.113.5"),  # shorter than the configured chain
        (1, "192.0.2.66, not-an-address"),
        (1, "203.0.113.5:4711"),
    ],
)
def test_a_header_that_does_not_fit_falls_back_to_the_peer(settings, count, forwarded):
    settings.MACHIKOBA_TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(forwarded)) == PROXY
