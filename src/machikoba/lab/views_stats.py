"""The lab's statistics for its staff and the officers of its ward, for a fiscal year
(``?year=2025``), and their CSV / Excel export. Anyone else finds no such page (404): the
lab is public, its figures are not. The figures come from one selector,
``selectors.stats.lab_stats``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from machikoba.accounts.models import User
from machikoba.core.views import content_disposition
from machikoba.lab import exports
from machikoba.lab.selectors.stats import (
    FIRST_YEAR,
    current_fiscal_year,
    lab_stats,
    stats_lab,
)


class StatsRequest(HttpRequest):
    user: User


def _year(request: HttpRequest) -> tuple[int, str]:
    """The fiscal year asked for (the current one when none is asked), and what was wrong
    with the request ("" when nothing)."""
    current = current_fiscal_year()
    raw = request.GET.get("year", "").strip()
    if not raw:
        return current, ""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        return current, _(
            "年度は「2025」のように西暦の4桁で指定してください。今年度を表示しています。"
        )
    year = int(raw)
    if year < FIRST_YEAR or year > current:
        return current, _(
            "%(first)s年度から今年度までの年度を指定してください。今年度を表示しています。"
        ) % {"first": FIRST_YEAR}
    return year, ""


@login_required
@require_GET
def lab_stats_page(request: StatsRequest, lab_id: int) -> HttpResponse:
    lab = stats_lab(request.user, lab_id)
    year, problem = _year(request)
    return render(
        request,
        "lab/stats/page.html",
        {
            "stats": lab_stats(request.user, lab, year),
            "year_problem": problem,
            "definitions": exports.definitions(),
        },
    )


@login_required
@require_GET
def lab_stats_export(request: StatsRequest, lab_id: int, fmt: str) -> HttpResponse:
    lab = stats_lab(request.user, lab_id)
    if fmt not in exports.EXPORT_FORMATS:
        raise Http404
    year, problem = _year(request)
    if problem:
        messages.error(request, problem)
        return redirect(reverse("lab:stats", args=[lab.pk]))
    stats = lab_stats(request.user, lab, year)
    content, content_type = exports.stats_file(stats, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(exports.stats_filename(stats, fmt))
    response["Cache-Control"] = "private, no-store"
    return response
