"""The dashboard pages, for the wards' officers and the metro viewer: every indicator as
the three measures' trees, one indicator with its trend and the records behind it (and
their CSV), the wards side by side, and a ward's own targets. Anyone else signed in finds
no such page (404); a visitor is sent to sign in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from machikoba.accounts.models import User
from machikoba.core.exports import SPREADSHEET_TYPES
from machikoba.core.views import content_disposition, save_form
from machikoba.kpi import exports
from machikoba.kpi.choices import Measure
from machikoba.kpi.forms_targets import PublicationForm, TargetForm, form_prefix
from machikoba.kpi.selectors import dashboard as selectors
from machikoba.kpi.selectors.drilldown import drilldown
from machikoba.kpi.selectors.figures import Reader, readable_wards, reader_of
from machikoba.kpi.services import publication_set, target_set


class DashboardRequest(HttpRequest):
    user: User


def _reader(request: DashboardRequest) -> Reader:
    reader = reader_of(request.user)
    if reader is None:
        raise Http404
    return reader


def _filter_context(reader: Reader, filters: selectors.Filters) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "filters": filters,
        "year_choices": selectors.year_choices(filters.year, today),
        "ward_choices": selectors.ward_choices(reader),
        "size_choices": selectors.size_choices(),
        "process_choices": selectors.top_processes(),
    }


@login_required
@require_GET
def dashboard(request: DashboardRequest) -> HttpResponse:
    reader = _reader(request)
    today = timezone.localdate()
    filters = selectors.filters_from(reader, request.GET, today=today)
    return render(
        request,
        "kpi/dashboard/page.html",
        {
            "board": selectors.dashboard(reader, filters, today=today),
            "reader": reader,
            **_filter_context(reader, filters),
        },
    )


@login_required
@require_GET
def indicator(request: DashboardRequest, code: str) -> HttpResponse:
    reader = _reader(request)
    today = timezone.localdate()
    filters = selectors.filters_from(reader, request.GET, today=today)
    page = selectors.indicator_page(reader, code, filters, today=today)
    ward_id = filters.ward.pk if filters.ward is not None else None
    return render(
        request,
        "kpi/dashboard/indicator.html",
        {
            "page": page,
            "drill": drilldown(reader, page.result, ward_id),
            "reader": reader,
            "measure_label": Measure(page.definition.indicator.measure).label,
            **_filter_context(reader, filters),
        },
    )


@login_required
@require_GET
def indicator_csv(request: DashboardRequest, code: str) -> HttpResponse:
    reader = _reader(request)
    today = timezone.localdate()
    filters = selectors.filters_from(reader, request.GET, today=today)
    if filters.problems:
        for problem in filters.problems:
            messages.error(request, problem)
        return redirect(reverse("kpi:indicator", args=[code]) + "?" + filters.query)
    content, name = exports.indicator_records_csv(reader, code, filters)
    response = HttpResponse(content, content_type=SPREADSHEET_TYPES["csv"])
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def compare(request: DashboardRequest) -> HttpResponse:
    reader = _reader(request)
    today = timezone.localdate()
    comparison = selectors.comparison(reader, request.GET, today=today)
    return render(
        request,
        "kpi/dashboard/compare.html",
        {
            "comparison": comparison,
            "reader": reader,
            "year_choices": selectors.year_choices(comparison.year, today),
            "indicators": selectors.current_definitions(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: DashboardRequest) -> HttpResponse:
    reader = _reader(request)
    ward = selectors.officer_ward(reader, request.GET.get("ward", ""))
    rows = selectors.target_rows(reader, ward)
    forms = {
        row.code: TargetForm(prefix=form_prefix(row.code), initial=row.initial) for row in rows
    }
    publication = selectors.publication_of(reader, ward)
    publication_form = PublicationForm(
        initial={
            "enabled": publication.enabled if publication else False,
            "introduction": publication.introduction if publication else "",
        }
    )
    here = reverse("kpi:targets") + "?" + urlencode({"ward": ward.code})
    if request.method == "POST":
        if request.POST.get("form") == "publication":
            publication_form = PublicationForm(request.POST)
            done = save_form(
                request,
                publication_form,
                lambda data: publication_set(
                    actor=request.user,
                    municipality=ward,
                    enabled=data["enabled"],
                    introduction=data["introduction"],
                ),
                success_message=_("公開ページの設定を保存しました。"),
                next_url=here + "#publication",
            )
        else:
            code = request.POST.get("indicator", "")
            row = next((r for r in rows if r.code == code), None)
            if row is None:
                messages.error(request, _("目標を設定する指標を選んでください。"))
                return redirect(here)
            form = TargetForm(request.POST, prefix=form_prefix(code))
            forms[code] = form
            indicator = row.definition.indicator
            done = save_form(
                request,
                form,
                lambda data: target_set(
                    actor=request.user, municipality=ward, indicator=indicator, **data
                ),
                success_message=_("%(code)s の区の目標を保存しました。") % {"code": code},
                next_url=here + "#target-" + form_prefix(code),
            )
        if done is not None:
            return done
    return render(
        request,
        "kpi/dashboard/targets.html",
        {
            "ward": ward,
            "wards": readable_wards(reader).filter(pk__in=reader.officer_wards),
            "rows": [(row, forms[row.code]) for row in rows],
            "publication": publication,
            "publication_form": publication_form,
        },
    )
