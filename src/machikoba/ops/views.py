"""Operations: readiness, metrics, and the platform admins' audit trail.

``/healthz`` (web) says the process answers; ``/readyz`` says whether it can work (the
database, the cache, file storage, the task queue); ``/metrics`` is for Prometheus, from
the addresses in ``METRICS_ALLOWED_IPS`` or with ``METRICS_TOKEN``, a 404 for anyone else.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from machikoba.accounts.rules import is_platform_admin
from machikoba.core.exports import csv_writer
from machikoba.core.pagination import page_number
from machikoba.core.views import client_ip
from machikoba.ops import selectors, services
from machikoba.ops.collectors import stored_record_collectors
from machikoba.ops.forms import AuditFilterForm
from machikoba.ops.health import run_checks
from machikoba.ops.metrics import exposition

# --- readiness --------------------------------------------------------------------------


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every check passed, 503 naming the one that did not."""
    results = run_checks()
    ready = all(result.ok for result in results)
    body = {
        "status": "ok" if ready else "fail",
        "checks": {result.name: result.as_json() for result in results},
    }
    return JsonResponse(body, status=200 if ready else 503)


# --- metrics ----------------------------------------------------------------------------


def _allowed_address(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in settings.MACHIKOBA_METRICS_ALLOWED_IPS:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def _has_token(request: HttpRequest) -> bool:
    token = settings.MACHIKOBA_METRICS_TOKEN
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


def metrics_allowed(request: HttpRequest) -> bool:
    return _has_token(request) or _allowed_address(client_ip(request))


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404
    output, content_type = exposition(stored_record_collectors())
    return HttpResponse(output, content_type=content_type)


# --- the audit trail --------------------------------------------------------------------


def _platform_admin_or_403(request: HttpRequest) -> None:
    if not is_platform_admin(request.user):
        raise PermissionDenied


@login_required
@require_GET
def audit_events(request: HttpRequest) -> HttpResponse:
    """Every audit event of the platform, filtered, newest first (platform admins only)."""
    _platform_admin_or_403(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    number = page_number(request.GET.get("page"))
    events: list[Any] = []
    more = False
    if not form.is_bound or form.is_valid():
        queryset = selectors.audit_events(user=request.user, filters=filters)  # type: ignore[arg-type]
        events, more = selectors.audit_page(queryset, number)
    services.audit_trail_read(
        actor=request.user,  # type: ignore[arg-type]  # a platform admin
        page="list",
        filters=filters,
        ip_address=client_ip(request),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ops/audit_events.html",
        {
            "form": form,
            "events": events,
            "page": number,
            "has_next": more,
            "query": query.urlencode(),
        },
    )


class _Pending:
    """What the CSV writer wrote since the last ``take``: a streamed response's chunk."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, value: str) -> None:
        self.text += value

    def take(self) -> str:
        text, self.text = self.text, ""
        return text


@login_required
@require_GET
def audit_events_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered trail as CSV (UTF-8 with a BOM, formulas escaped; at most
    ``selectors.EXPORT_LIMIT`` rows, newest first)."""
    _platform_admin_or_403(request)
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_("絞り込みの条件を確認してください。"), status=400)
    filters = form.filters() if form.is_bound else {}
    events = selectors.audit_events(user=request.user, filters=filters)  # type: ignore[arg-type]
    services.audit_trail_read(
        actor=request.user,  # type: ignore[arg-type]  # a platform admin
        page="export",
        filters=filters,
        ip_address=client_ip(request),
    )
    header = [
        _("日時"),
        _("実行者"),
        _("実行者ID"),
        _("操作コード"),
        _("操作"),
        _("対象の種類"),
        _("対象ID"),
        _("対象"),
        _("企業"),
        _("企業ID"),
        _("IPアドレス"),
        _("変更前"),
        _("変更後"),
    ]

    def lines() -> Iterator[str]:
        pending = _Pending()
        writer = csv_writer(pending)
        writer.writerow(header)
        yield "\ufeff" + pending.take()
        for row in selectors.audit_export_rows(events):
            writer.writerow(row)
            yield pending.take()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
