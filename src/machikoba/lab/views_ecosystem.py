"""Pages of the 産学官金 consortium: partners (the office's), projects (the office runs them,
the participants read them, documents behind an access check) and DX-loan referrals (the
officer's, the company's, and the bank's: only those addressed to it). Views call
selectors and services only.

Who reaches what: the office of a ward (lab staff and officers) its partners and projects;
a row of another ward, another company's project or a referral not addressed to one's bank
is a 404; a row one may read but not change is a 403."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, MANAGE, VIEW, get_for_user_or_404
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.core.views import content_disposition, run_and_flash, save_form
from machikoba.drawings.sniffing import too_large_message
from machikoba.lab.choices import ProjectStatus, ReferralStatus
from machikoba.lab.forms_ecosystem import (
    DocumentForm,
    ParticipantForm,
    PartnerForm,
    ProjectForm,
    ProjectStatusForm,
    ReferralForm,
    ReferralOutcomeForm,
)
from machikoba.lab.models_ecosystem import (
    LoanReferral,
    Partner,
    Project,
    ProjectDocument,
    ProjectParticipant,
)
from machikoba.lab.selectors import ecosystem as selectors
from machikoba.lab.services import partners as partner_services
from machikoba.lab.services import projects as project_services
from machikoba.lab.services import referrals as referral_services
from machikoba.wards.models import Municipality


class SignedInRequest(HttpRequest):
    user: User


def _require_office(request: SignedInRequest) -> None:
    if not selectors.is_office(request.user):
        raise PermissionDenied


def _ward(form: PartnerForm | ProjectForm, data: dict[str, Any]) -> Municipality:
    """The ward chosen on the form (or the office's only one)."""
    ward = form.ward(data)
    if ward is None:  # the office serves no ward any more
        raise PermissionDenied
    return ward


# --- partners ------------------------------------------------------------------------------


@login_required
@require_GET
def partner_list(request: SignedInRequest) -> HttpResponse:
    _require_office(request)
    return render(
        request,
        "lab/ecosystem/partners.html",
        {
            "partners": selectors.partner_list(request.user),
            "nav_officer": selectors.is_officer(request.user),
        },
    )


def _partner_data(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": data["kind"],
        "name": data["name"],
        "company": data.get("company"),
        "contact_name": data.get("contact_name", ""),
        "contact_email": data.get("contact_email", ""),
        "note": data.get("note", ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def partner_create(request: SignedInRequest) -> HttpResponse:
    _require_office(request)
    form = PartnerForm(
        request.POST or None,
        wards=selectors.office_municipalities(request.user),
        companies=selectors.linkable_companies(request.user),
    )
    done = save_form(
        request,
        form,
        lambda data: partner_services.partner_create(
            actor=request.user, municipality=_ward(form, data), **_partner_data(data)
        ),
        success_message=_("連携先を登録しました。"),
        next_url=reverse("lab:partner_list"),
    )
    return done or render(
        request, "lab/ecosystem/partner_form.html", {"form": form, "partner": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    partner = get_for_user_or_404(Partner, request.user, CHANGE, pk=pk)
    initial = {
        "kind": partner.kind,
        "name": partner.name,
        "company": partner.company_id,
        "contact_name": partner.contact_name,
        "contact_email": partner.contact_email,
        "note": partner.note,
    }
    form = PartnerForm(
        request.POST or None,
        initial=initial,
        wards=[partner.municipality],
        companies=selectors.linkable_companies(request.user),
        editing=True,
    )
    done = save_form(
        request,
        form,
        lambda data: partner_services.partner_update(
            actor=request.user, partner=partner, **_partner_data(data)
        ),
        success_message=_("連携先を保存しました。"),
        next_url=reverse("lab:partner_list"),
    )
    return done or render(
        request, "lab/ecosystem/partner_form.html", {"form": form, "partner": partner}
    )


@login_required
@require_POST
def partner_deactivate(request: SignedInRequest, pk: int) -> HttpResponse:
    partner = get_for_user_or_404(Partner, request.user, CHANGE, pk=pk)
    run_and_flash(
        request,
        lambda: partner_services.partner_deactivate(actor=request.user, partner=partner),
        _("「%(name)s」の参加を終了しました。") % {"name": partner.name},
    )
    return redirect("lab:partner_list")


@login_required
@require_POST
def partner_reactivate(request: SignedInRequest, pk: int) -> HttpResponse:
    partner = get_for_user_or_404(Partner, request.user, CHANGE, pk=pk)
    run_and_flash(
        request,
        lambda: partner_services.partner_reactivate(actor=request.user, partner=partner),
        _("「%(name)s」の参加を再開しました。") % {"name": partner.name},
    )
    return redirect("lab:partner_list")


# --- projects ------------------------------------------------------------------------------


@login_required
@require_GET
def project_list(request: SignedInRequest) -> HttpResponse:
    if not (selectors.is_office(request.user) or selectors.has_company(request.user)):
        raise PermissionDenied
    status = request.GET.get("status", "")
    return render(
        request,
        "lab/ecosystem/projects.html",
        {
            "rows": selectors.project_list(request.user, status=status),
            "is_office": selectors.is_office(request.user),
            "nav_officer": selectors.is_officer(request.user),
            "status": status if status in ProjectStatus.values else "",
            "statuses": ProjectStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: SignedInRequest) -> HttpResponse:
    _require_office(request)
    form = ProjectForm(request.POST or None, wards=selectors.office_municipalities(request.user))
    done = save_form(
        request,
        form,
        lambda data: project_services.project_create(
            actor=request.user,
            municipality=_ward(form, data),
            kind=data["kind"],
            title=data["title"],
            summary=data["summary"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        ),
        success_message=_("連携プロジェクトを登録しました。参加者を加えてください。"),
        next_url=lambda project: reverse("lab:project_detail", args=[project.pk]),
    )
    return done or render(
        request, "lab/ecosystem/project_form.html", {"form": form, "project": None}
    )


def _project_page(
    request: SignedInRequest,
    project: Project,
    *,
    participant_form: ParticipantForm | None = None,
    document_form: DocumentForm | None = None,
    status_form: ProjectStatusForm | None = None,
) -> HttpResponse:
    page = selectors.project_page(request.user, project)
    context: dict[str, Any] = {"page": page, "project": project}
    if page.may_change:
        context["participant_form"] = participant_form or ParticipantForm(
            companies=selectors.participant_companies(request.user),
            partners=selectors.participant_partners(request.user, project),
        )
        context["document_form"] = document_form or DocumentForm()
        context["status_form"] = status_form or ProjectStatusForm(
            choices=page.next_statuses, initial={"outcome": project.outcome}
        )
    return render(request, "lab/ecosystem/project.html", context)


@login_required
@require_GET
def project_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    project = get_for_user_or_404(
        Project.objects.select_related("municipality"), request.user, VIEW, pk=pk
    )
    return _project_page(request, project)


def _changeable_project(request: SignedInRequest, pk: int) -> Project:
    return get_for_user_or_404(
        Project.objects.select_related("municipality"), request.user, CHANGE, pk=pk
    )


def _project_url(project: Project) -> str:
    return reverse("lab:project_detail", args=[project.pk])


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    project = _changeable_project(request, pk)
    initial = {
        "kind": project.kind,
        "title": project.title,
        "summary": project.summary,
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "outcome": project.outcome,
    }
    form = ProjectForm(
        request.POST or None, initial=initial, wards=[project.municipality], editing=True
    )
    done = save_form(
        request,
        form,
        lambda data: project_services.project_update(
            actor=request.user,
            project=project,
            kind=data["kind"],
            title=data["title"],
            summary=data["summary"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            outcome=data["outcome"],
        ),
        success_message=_("連携プロジェクトを保存しました。"),
        next_url=_project_url(project),
    )
    return done or render(
        request, "lab/ecosystem/project_form.html", {"form": form, "project": project}
    )


@login_required
@require_POST
def project_status(request: SignedInRequest, pk: int) -> HttpResponse:
    project = _changeable_project(request, pk)
    page = selectors.project_page(request.user, project)
    form = ProjectStatusForm(request.POST, choices=page.next_statuses)
    done = save_form(
        request,
        form,
        lambda data: project_services.project_transition(
            actor=request.user, project=project, to=data["to"], outcome=data["outcome"]
        ),
        success_message=_("プロジェクトの状態を変えました。"),
        next_url=_project_url(project),
    )
    return done or _project_page(request, project, status_form=form)


@login_required
@require_POST
def participant_add(request: SignedInRequest, pk: int) -> HttpResponse:
    project = _changeable_project(request, pk)
    form = ParticipantForm(
        request.POST,
        companies=selectors.participant_companies(request.user),
        partners=selectors.participant_partners(request.user, project),
    )
    done = save_form(
        request,
        form,
        lambda data: project_services.participant_add(
            actor=request.user,
            project=project,
            company=data.get("company"),
            partner=data.get("partner"),
            role=data.get("role", ""),
        ),
        success_message=_("参加者を加えました。"),
        next_url=_project_url(project),
    )
    return done or _project_page(request, project, participant_form=form)


@login_required
@require_POST
def participant_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    participant = get_for_user_or_404(
        ProjectParticipant.objects.select_related("project"), request.user, CHANGE, pk=pk
    )
    run_and_flash(
        request,
        lambda: project_services.participant_remove(actor=request.user, participant=participant),
        _("参加者を外しました。"),
    )
    return redirect(_project_url(participant.project))


@login_required
@require_http_methods(["POST"])
@limit_upload_size(project_services.document_max_bytes)
def document_add(request: SignedInRequest, pk: int) -> HttpResponse:
    project = _changeable_project(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    refuse_oversized(request, form, too_large_message)
    done = save_form(
        request,
        form,
        lambda data: project_services.document_add(
            actor=request.user, project=project, title=data["title"], upload=data["file"]
        ),
        success_message=_("資料を登録しました。"),
        next_url=_project_url(project),
    )
    return done or _project_page(request, project, document_form=form)


@login_required
@require_GET
def document_download(request: SignedInRequest, pk: int) -> FileResponse:
    document = get_for_user_or_404(ProjectDocument, request.user, VIEW, pk=pk)
    if not document.file.name:
        raise Http404
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=document.mime)
    response["Content-Disposition"] = content_disposition(document.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    document = get_for_user_or_404(
        ProjectDocument.objects.select_related("project"), request.user, CHANGE, pk=pk
    )
    run_and_flash(
        request,
        lambda: project_services.document_remove(actor=request.user, document=document),
        _("資料を削除しました。"),
    )
    return redirect(_project_url(document.project))


# --- DX-loan referrals ---------------------------------------------------------------------


@login_required
@require_GET
def referral_list(request: SignedInRequest) -> HttpResponse:
    officer = selectors.is_officer(request.user)
    if not (officer or selectors.has_company(request.user)):
        raise PermissionDenied
    status = request.GET.get("status", "")
    return render(
        request,
        "lab/ecosystem/referrals.html",
        {
            "rows": selectors.referral_list(request.user, status=status),
            "is_officer": officer,
            "nav_officer": officer,
            "status": status if status in ReferralStatus.values else "",
            "statuses": ReferralStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request: SignedInRequest) -> HttpResponse:
    if not selectors.is_officer(request.user):
        raise PermissionDenied
    banks = selectors.referral_banks(request.user)
    form = ReferralForm(
        request.POST or None,
        companies=selectors.referable_companies(request.user),
        banks=banks,
    )
    done = save_form(
        request,
        form,
        lambda data: referral_services.referral_create(
            actor=request.user,
            company=data["company"],
            bank=data["bank"],
            amount_requested=data["amount_requested"],
            purpose=data["purpose"],
        ),
        success_message=_("DX融資の紹介を送りました。"),
        next_url=lambda referral: reverse("lab:referral_detail", args=[referral.pk]),
    )
    return done or render(
        request,
        "lab/ecosystem/referral_form.html",
        {"form": form, "has_banks": banks.exists()},
    )


def _referral(request: SignedInRequest, pk: int, action: str = VIEW) -> LoanReferral:
    return get_for_user_or_404(
        LoanReferral.objects.select_related("company", "bank", "municipality"),
        request.user,
        action,
        pk=pk,
    )


def _referral_page(
    request: SignedInRequest, referral: LoanReferral, *, form: ReferralOutcomeForm | None = None
) -> HttpResponse:
    page = selectors.referral_page(request.user, referral)
    context: dict[str, Any] = {"page": page, "referral": referral}
    if page.may_record:
        context["outcome_form"] = form or ReferralOutcomeForm(choices=page.outcome_choices)
    return render(request, "lab/ecosystem/referral.html", context)


@login_required
@require_GET
def referral_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _referral_page(request, _referral(request, pk))


@login_required
@require_POST
def referral_outcome(request: SignedInRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk, CHANGE)
    page = selectors.referral_page(request.user, referral)
    if not page.is_bank:
        raise PermissionDenied  # the officer withdraws; only the bank records an outcome
    if not page.may_record:
        # Decided or withdrawn already: the service says so.
        run_and_flash(
            request,
            lambda: referral_services.referral_outcome_record(
                actor=request.user, referral=referral, status=request.POST.get("status", "")
            ),
            _("結果を記録しました。"),
        )
        return redirect("lab:referral_detail", pk=referral.pk)
    form = ReferralOutcomeForm(request.POST, choices=page.outcome_choices)
    done = save_form(
        request,
        form,
        lambda data: referral_services.referral_outcome_record(
            actor=request.user,
            referral=referral,
            status=data["status"],
            amount_approved=data.get("amount_approved"),
            note=data.get("note", ""),
        ),
        success_message=_("結果を記録しました。"),
        next_url=reverse("lab:referral_detail", args=[referral.pk]),
    )
    return done or _referral_page(request, referral, form=form)


@login_required
@require_POST
def referral_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk, MANAGE)
    run_and_flash(
        request,
        lambda: referral_services.referral_withdraw(actor=request.user, referral=referral),
        _("DX融資の紹介を取り下げました。"),
    )
    return redirect("lab:referral_detail", pk=referral.pk)
