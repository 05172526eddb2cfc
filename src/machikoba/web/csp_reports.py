"""Where browsers send Content-Security-Policy violation reports (the policy's report-uri).

A report says that a page tried to load or run something the policy forbids: an
injected script, a stray inline style, a missed template. It is only logged (logger
``machikoba.csp``), never stored. Anyone can post here, so a report is read up to a
size limit, its fields are cut short, and each client address gets a few log lines a
minute; the rest is dropped silently. The browser ignores the answer.
"""

import json
import logging

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from machikoba.core.views import client_ip

logger = logging.getLogger("machikoba.csp")

MAX_REPORT_BYTES = 8 * 1024
REPORTS_PER_MINUTE = 20
# The fields worth a log line, from a CSP level 2 report ("csp-report" object).
LOGGED_FIELDS = (
    "document-uri",
    "effective-directive",
    "violated-directive",
    "blocked-uri",
    "source-file",
    "line-number",
    "column-number",
    "script-sample",
)
MAX_FIELD_CHARS = 300


def _over_budget(request: HttpRequest) -> bool:
    key = f"csp-report:{client_ip(request) or ''}"
    if cache.add(key, 1, timeout=60):
        return False
    try:
        return cache.incr(key) > REPORTS_PER_MINUTE
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=60)
        return False


def _fields(body: bytes) -> dict[str, str] | None:
    try:
        report = json.loads(body)
    except ValueError:
        return None
    if not isinstance(report, dict) or not isinstance(report.get("csp-report"), dict):
        return None
    violation = report["csp-report"]
    return {
        name: str(violation[name])[:MAX_FIELD_CHARS]
        for name in LOGGED_FIELDS
        if violation.get(name) not in (None, "")
    }


@csrf_exempt  # browsers post reports without a CSRF token; nothing is changed here
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    body = request.read(MAX_REPORT_BYTES + 1)
    if len(body) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    fields = _fields(body)
    if fields is None:
        return HttpResponse(status=400)
    if not _over_budget(request):
        logger.warning("Content-Security-Policy violation: %s", json.dumps(fields))
    return HttpResponse(status=204)
