"""Closed networks (LGWAN): no page, stylesheet or script loads anything from outside."""

import re
from pathlib import Path

import pytest

from machikoba.core.testing.factories import force_login_with_mfa
from machikoba.core.testing.matrix import ADMIN, MEMBER, OFFICER

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@pytest.mark.parametrize(
    ("actor", "url"),
    [
        (None, "/accounts/login/"),
        (None, "/accounts/signup/"),
        (None, "/accounts/password/reset/"),
        (None, "/api/docs"),
        (MEMBER, "/"),
        (MEMBER, "/accounts/2fa/"),
        (OFFICER, "/ward/"),
        (ADMIN, "/admin/"),
    ],
)
def test_pages_reference_only_this_server(client, world, actor, url):
    if actor:
        force_login_with_mfa(client, world.users[actor])
    response = client.get(url)
    assert response.status_code == 200
    assert EXTERNAL.findall(response.content.decode()) == []


def test_self_hosted_assets_load_nothing_remote():
    for path in STATIC_DIR.rglob("*"):
        if path.suffix in {".css", ".js"}:
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"@import\s+url\(\s*['\"]?https?://", text), path
            assert not re.search(r"url\(\s*['\"]?https?://", text), path
