"""The office's pages (ward officers): the overview (requests inbox, engagements with
their phase progress and overdue phases), the roster with workload against capacity,
proposing support to a company, declining a request, assigning a team, moving or
cancelling an engagement, the monthly hours roll-up, and the CSV/Excel downloads."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from machikoba.accounts.choices import WardRole
from machikoba.advisory import selectors, services
from machikoba.advisory.forms import AdvisorForm, AssignForm, DatesForm, ProposeForm, ReasonForm
from machikoba.advisory.models import Advisor, Engagement, SupportRequest
from machikoba.advisory.views._common import SignedInRequest, officer_required
from machikoba.companies.models import Company
from machikoba.core.access import MANAGE, SUPPORT, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.fiscal import add_months
from machikoba.core.ids import parse_id
from machikoba.core.views import content_disposition, save_form
from machikoba.programs.models import Graduation
from machikoba.wards.selectors import served_municipalities


@officer_required
@require_GET
def overview(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "advisory/office/overview.html",
        {
            "inbox": selectors.requests_inbox(user=request.user),
            "engagements": selectors.engagements_overview(user=request.user),
            "overdue": selectors.overdue_phases(user=request.user),
            "summary": selectors.officer_home_summary(user=request.user),
            "today": timezone.localdate(),
        },
    )


# --- roster ------------------------------------------------------------------------------


@officer_required
@require_GET
def roster(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "advisory/office/roster.html",
        {"rows": selectors.advisor_workload(user=request.user)},
    )


def _wards(request: SignedInRequest) -> list[Any]:
    return list(served_municipalities(request.user, WardRole.OFFICER))


def _picked_wards(wards: list[Any], data: dict[str, Any]) -> list[Any]:
    chosen = {parse_id(value) for value in data["wards"]}
    return [w for w in wards if w.pk in chosen]


@officer_required
@require_http_methods(["GET", "POST"])
def advisor_create(request: SignedInRequest) -> HttpResponse:
    wards = _wards(request)
    form = AdvisorForm(
        request.POST or None,
        wards=wards,
        initial={"capacity": 3, "active": True, "wards": [str(w.pk) for w in wards[:1]]},
    )
    done = save_form(
        request,
        form,
        lambda data: services.advisor_create(
            actor=request.user,
            email=data["email"],
            kind=data["kind"],
            organisation=data["organisation"],
            specialties=data["specialties"],
            wards=_picked_wards(wards, data),
            capacity=data["capacity"],
            hourly_fee=data["hourly_fee"],
            active=data["active"],
        ),
        success_message=_("アドバイザーを名簿に追加しました。"),
        next_url="advisory:roster",
    )
    if done:
        return done
    return render(request, "advisory/office/advisor_form.html", {"form": form, "advisor": None})


@officer_required
@require_http_methods(["GET", "POST"])
def advisor_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    advisor = get_for_user_or_404(
        Advisor.objects.select_related("user"), request.user, MANAGE, pk=pk
    )
    wards = _wards(request)
    served = {w.pk for w in wards}
    initial = {
        "kind": advisor.kind,
        "organisation": advisor.organisation,
        "specialties": advisor.specialties,
        "wards": [str(w.pk) for w in advisor.wards.all() if w.pk in served],
        "capacity": advisor.capacity,
        "hourly_fee": advisor.hourly_fee,
        "active": advisor.active,
    }
    form = AdvisorForm(request.POST or None, wards=wards, editing=True, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.advisor_update(
            actor=request.user,
            advisor=advisor,
            kind=data["kind"],
            organisation=data["organisation"],
            specialties=data["specialties"],
            wards=_picked_wards(wards, data),
            capacity=data["capacity"],
            hourly_fee=data["hourly_fee"],
            active=data["active"],
        ),
        success_message=_("アドバイザーの登録内容を変えました。"),
        next_url="advisory:roster",
    )
    if done:
        return done
    return render(request, "advisory/office/advisor_form.html", {"form": form, "advisor": advisor})


# --- requests ----------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "POST"])
def propose(request: SignedInRequest) -> HttpResponse:
    """Propose support to a company of the ward: find it by name (or come from its dojo
    graduation), then say what the advisor would help with."""
    graduation = None
    graduation_id = parse_id(request.GET.get("graduation") or request.POST.get("graduation"))
    if graduation_id is not None:
        graduation = get_for_user_or_404(Graduation, request.user, pk=graduation_id)
    text = request.GET.get("q", "")[:100]
    companies = selectors.proposable_companies(user=request.user, text=text)
    if graduation is not None:
        companies = [graduation.company, *[c for c in companies if c.pk != graduation.company_id]]
    posted_company = parse_id(request.POST.get("company"))
    if request.method == "POST" and posted_company is not None:
        chosen = get_for_user_or_404(Company, request.user, SUPPORT, pk=posted_company)
        companies = [chosen, *[c for c in companies if c.pk != chosen.pk]]
    initial: dict[str, Any] = {}
    if graduation is not None:
        initial = {"company": str(graduation.company_id), "graduation": str(graduation.pk)}
    form = ProposeForm(request.POST or None, companies=companies, initial=initial)

    def save(data: dict[str, Any]) -> SupportRequest:
        company = next(c for c in companies if c.pk == parse_id(data["company"]))
        return services.support_request_propose(
            actor=request.user,
            company=company,
            topics=data["topics"],
            description=data["description"],
            graduation=graduation,
        )

    done = save_form(
        request,
        form,
        save,
        success_message=_("派遣を提案しました。企業の回答を待っています。"),
        next_url="advisory:office",
    )
    if done:
        return done
    return render(
        request,
        "advisory/office/propose.html",
        {
            "form": form,
            "q": text,
            "companies": companies,
            "graduation": graduation,
            "graduates": [] if graduation else selectors.graduates_to_propose(user=request.user),
        },
    )


def _request(request: SignedInRequest, pk: int) -> SupportRequest:
    return get_for_user_or_404(
        SupportRequest.objects.select_related("company", "municipality", "requested_by"),
        request.user,
        MANAGE,
        pk=pk,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def request_decline(request: SignedInRequest, pk: int) -> HttpResponse:
    support = _request(request, pk)
    form = ReasonForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.support_request_decline(
            actor=request.user, request=support, reason=data["reason"]
        ),
        success_message=_("申込をお断りしました。企業に理由をお知らせしました。"),
        next_url="advisory:office",
    )
    if done:
        return done
    return render(
        request, "advisory/office/request_decline.html", {"form": form, "support": support}
    )


@officer_required
@require_http_methods(["GET", "POST"])
def assign(request: SignedInRequest, pk: int) -> HttpResponse:
    support = _request(request, pk)
    candidates = selectors.assignable_advisors(user=request.user, request=support)
    today = timezone.localdate()
    form = AssignForm(
        request.POST or None,
        candidates=candidates,
        initial={"starts_on": today, "ends_on": add_months(today, 6)},
    )
    by_pk = {row.advisor.pk: row.advisor for row in candidates}

    def save(data: dict[str, Any]) -> Engagement:
        team = [by_pk[pk] for pk in (parse_id(v) for v in data["advisors"]) if pk in by_pk]
        lead = by_pk.get(parse_id(data["lead"]) or 0)
        return services.engagement_assign(
            actor=request.user,
            request=support,
            advisors=team,
            lead=lead,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )

    done = save_form(
        request,
        form,
        save,
        success_message=_("担当のアドバイザーを決めました。企業とアドバイザーにお知らせしました。"),
        next_url=lambda engagement: reverse("advisory:engagement", args=[engagement.pk]),
    )
    if done:
        return done
    return render(
        request,
        "advisory/office/assign.html",
        {"form": form, "support": support, "candidates": candidates},
    )


# --- engagements -------------------------------------------------------------------------


def _managed(request: SignedInRequest, pk: int) -> Engagement:
    return get_for_user_or_404(
        Engagement.objects.select_related("company"), request.user, MANAGE, pk=pk
    )


@officer_required
@require_http_methods(["GET", "POST"])
def engagement_dates(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _managed(request, pk)
    form = DatesForm(
        request.POST or None, initial={"starts_on": item.starts_on, "ends_on": item.ends_on}
    )
    done = save_form(
        request,
        form,
        lambda data: services.engagement_dates_update(actor=request.user, engagement=item, **data),
        success_message=_("派遣の期間を変えました。"),
        next_url=reverse("advisory:engagement", args=[item.pk]),
    )
    if done:
        return done
    return render(request, "advisory/office/dates_form.html", {"form": form, "engagement": item})


@officer_required
@require_http_methods(["GET", "POST"])
def engagement_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _managed(request, pk)
    form = ReasonForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.engagement_cancel(
            actor=request.user, engagement=item, reason=data["reason"]
        ),
        success_message=_("派遣を中止しました。"),
        next_url=reverse("advisory:engagement", args=[item.pk]),
    )
    if done:
        return done
    return render(request, "advisory/office/cancel_form.html", {"form": form, "engagement": item})


# --- hours and downloads -----------------------------------------------------------------


@officer_required
@require_GET
def hours(request: SignedInRequest) -> HttpResponse:
    month = selectors.parse_month(request.GET.get("month"))
    rollup = selectors.hours_rollup(user=request.user, month=month)
    return render(
        request,
        "advisory/office/hours.html",
        {
            "rollup": rollup,
            "month_value": f"{month:%Y-%m}",
            "previous": f"{add_months(month, -1):%Y-%m}",
            "next": f"{add_months(month, 1):%Y-%m}",
        },
    )


@officer_required
@require_GET
def export(request: SignedInRequest, report: str, file_format: str) -> HttpResponse:
    month = selectors.parse_month(request.GET.get("month"))
    try:
        exported = services.report_export(
            actor=request.user, report=report, file_format=file_format, month=month
        )
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied from None
        raise Http404 from None
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition(exported.filename)
    response["Cache-Control"] = "private, no-store"
    return response
