"""The API's areas: the first segment of an operation's path (``/api/<area>/…``). A token
is granted read or write per area; write includes read. ``accounts`` (who the token acts
as) is readable with any token."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

AREAS: dict[str, str | _StrPromise] = {
    "companies": _("企業ディレクトリ"),
    "network": _("案件・見積・発注"),
    "drawings": _("図面"),
    "messaging": _("メッセージ"),
    "board": _("オープン掲示板・共同受注"),
    "shopfloor": _("日報・設備・生産計画"),
    "telemetry": _("設備モニタリング"),
    "programs": _("DX道場・リーダー講座"),
    "advisory": _("専門家派遣"),
    "subsidies": _("DX補助金"),
    "lab": _("DXラボ"),
    "kpi": _("KPI"),
}
ALWAYS_READABLE = frozenset({"accounts"})
READ = "read"
WRITE = "write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def area_of(path: str) -> str | None:
    """The area of an API path such as ``/api/network/jobs/3`` (``network``)."""
    parts = [part for part in path.split("/") if part]
    if len(parts) < 2 or parts[0] != "api":
        return None
    return parts[1]


def required_scope(method: str, path: str) -> tuple[str | None, str]:
    return area_of(path), READ if method.upper() in SAFE_METHODS else WRITE


def allows(scopes: list[str], area: str | None, level: str) -> bool:
    if area is None:
        return False
    if area in ALWAYS_READABLE and level == READ:
        return True
    if f"{area}:{WRITE}" in scopes:
        return True
    return level == READ and f"{area}:{READ}" in scopes


def scope_choices() -> list[str]:
    return [f"{area}:{level}" for area in AREAS for level in (READ, WRITE)]
