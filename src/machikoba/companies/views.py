"""Directory, company profiles and profile editing."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from machikoba.companies import photos, selectors, services
from machikoba.companies.access import directory_is_public
from machikoba.companies.checklist import profile_checklist
from machikoba.companies.directory import directory_page, origin_of
from machikoba.companies.forms import (
    CapabilityForm,
    CertificationForm,
    CompanyProfileForm,
    DirectoryFilterForm,
    DXStageForm,
    EquipmentForm,
    PhotoForm,
)
from machikoba.companies.models import (
    Capability,
    Company,
    CompanyCertification,
    CompanyPhoto,
    Equipment,
)
from machikoba.companies.postal import lookup_postal_code
from machikoba.companies.profile import profile_extras
from machikoba.companies.selectors_claims import contact_email_panel
from machikoba.core.access import CHANGE, VIEW, can, get_for_user_or_404
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.core.views import save_form

PAGE_SIZE = 20


def directory(request):
    """The cluster's shop window: faceted search over every company's capabilities."""
    if not request.user.is_authenticated and not directory_is_public():
        return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
    facets = selectors.directory_facets(user=request.user)
    form = DirectoryFilterForm(request.GET or None, **facets)
    own_company = getattr(request, "active_company", None) or None
    origin = origin_of(own_company)
    query = form.to_query(origin=origin)
    page = directory_page(
        user=request.user,
        query=query,
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "query": query,
        "origin_company": own_company if origin else None,
        "view_mode": "table" if request.GET.get("view") == "table" else "cards",
        "active_filters": sum(
            1
            for name in (
                "q",
                "process",
                "material",
                "envelope",
                "tolerance",
                "certification",
                "ward",
                "within_km",
            )
            if request.GET.get(name)
        ),
        "querystring": _querystring_without_page(request),
    }
    template = "companies/directory.html"
    if request.htmx and request.htmx.target == "directory-results":
        template += "#results"
    return render(request, template, context)


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def company_detail(request, pk: int):
    if not request.user.is_authenticated and not directory_is_public():
        return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
    company = get_for_user_or_404(Company, request.user, VIEW, pk=pk, is_active=True)
    can_edit = can(request.user, CHANGE, company)
    # "What partners see": the company's own editors may look at their page as a signed-in
    # shop of another company does (no editing, nothing only the company or its ward sees).
    preview = can_edit and request.GET.get("preview") == "partner"
    context = {
        "company": company,
        "can_edit": can_edit and not preview,
        "preview": preview,
        "public_view": not request.user.is_authenticated,
        "checklist": profile_checklist(company) if can_edit and not preview else None,
        **selectors.company_profile(user=request.user, company=company),
        **contact_email_panel(user=request.user, company=company),
    }
    if request.user.is_authenticated:
        # Figures for signed-in users that other apps add (the network's reliability).
        context.update(profile_extras(user=request.user, company=company))
    if preview:
        context.update(dx_assessments=[], contact_email_visible=False, contact_email_editable=False)
    return render(request, "companies/company_detail.html", context)


@login_required
def company_edit(request, pk: int):
    company = get_for_user_or_404(Company, request.user, CHANGE, pk=pk, is_active=True)
    # The form writes what was typed onto its instance: give it a copy, so a refused
    # save never leaves the page showing values that were not stored.
    form = CompanyProfileForm(request.POST or None, instance=copy.copy(company))
    done = save_form(
        request,
        form,
        lambda data: services.company_update(
            actor=request.user,
            company=company,
            **{name: data[name] for name in form.Meta.fields},
        ),
        success_message=_("企業情報を保存しました。"),
        next_url=reverse("companies:detail", args=[company.pk]),
    )
    if done:
        return done
    return render(request, "companies/company_edit.html", {"company": company, "form": form})


@login_required
@require_GET
def postal_code_lookup(request):
    """HTMX: fill prefecture / municipality / town from a postal code (offline data)."""
    result = lookup_postal_code(request.GET.get("postal_code", ""))
    return render(request, "companies/partials/postal_lookup.html", {"result": result})


# --- profile parts ---------------------------------------------------------------

PARTS = {
    "capabilities": (Capability, CapabilityForm, _("加工能力")),
    "equipment": (Equipment, EquipmentForm, _("設備")),
    "certifications": (CompanyCertification, CertificationForm, _("認証")),
}


def _save_part(request, company, kind, form):
    if kind == "capabilities":
        return services.capability_save(
            actor=request.user,
            company=company,
            capability=form.instance,
            materials=form.cleaned_data["materials"],
        )
    if kind == "equipment":
        return services.equipment_save(actor=request.user, company=company, equipment=form.instance)
    return services.certification_save(
        actor=request.user, company=company, certification=form.instance
    )


@login_required
def part_edit(request, pk: int, kind: str, part_pk: int | None = None):
    """Add or edit one capability, machine or certification of a company."""
    if kind not in PARTS:
        raise Http404
    model, form_class, title = PARTS[kind]
    company = get_for_user_or_404(Company, request.user, CHANGE, pk=pk, is_active=True)
    instance = (
        get_for_user_or_404(model, request.user, CHANGE, pk=part_pk, company=company)
        if part_pk
        else model(company=company)
    )
    form = form_class(request.POST or None, instance=instance)
    done = save_form(
        request,
        form,
        lambda data: _save_part(request, company, kind, form),
        success_message=_("%(part)s を保存しました。") % {"part": title},
        next_url=f"{reverse('companies:detail', args=[company.pk])}#{kind}",
    )
    if done:
        return done
    return render(
        request,
        "companies/part_edit.html",
        {"company": company, "form": form, "kind": kind, "title": title, "instance": instance},
    )


@login_required
@require_POST
def part_delete(request, pk: int, kind: str, part_pk: int):
    models = {**{k: v[0] for k, v in PARTS.items()}, "photos": CompanyPhoto}
    if kind not in models:
        raise Http404
    company = get_for_user_or_404(Company, request.user, VIEW, pk=pk, is_active=True)
    part = get_for_user_or_404(models[kind], request.user, CHANGE, pk=part_pk, company=company)
    services.profile_part_delete(actor=request.user, part=part)
    messages.success(request, _("削除しました。"))
    return redirect(f"{reverse('companies:detail', args=[company.pk])}#{kind}")


@login_required
@limit_upload_size(photos.max_photo_bytes)
def photo_add(request, pk: int):
    company = get_for_user_or_404(Company, request.user, CHANGE, pk=pk, is_active=True)
    posted = request.method == "POST"  # bound even when the upload was stopped early
    form = PhotoForm(request.POST if posted else None, request.FILES if posted else None)
    refuse_oversized(request, form, photos.too_large_message)
    done = save_form(
        request,
        form,
        lambda data: services.photo_add(
            actor=request.user, company=company, upload=data["image"], caption=data["caption"]
        ),
        success_message=_("写真を追加しました。"),
        next_url=f"{reverse('companies:detail', args=[company.pk])}#photos",
    )
    if done:
        return done
    return render(request, "companies/photo_add.html", {"company": company, "form": form})


@login_required
def dx_stage(request, pk: int):
    company = get_for_user_or_404(Company, request.user, CHANGE, pk=pk, is_active=True)
    form = DXStageForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.dx_stage_record(
            actor=request.user,
            company=company,
            stage=data["stage"],
            assessed_on=data["assessed_on"],
            note=data["note"],
        ),
        success_message=_("DX段階を記録しました。"),
        next_url=f"{reverse('companies:detail', args=[company.pk])}#dx",
    )
    if done:
        return done
    history = selectors.company_profile(user=request.user, company=company)["dx_assessments"]
    return render(
        request, "companies/dx_stage.html", {"company": company, "form": form, "history": history}
    )


def photo_file(request, pk: int, photo_pk: int):
    """Photos are served through the access layer (media is never a public folder)."""
    if not request.user.is_authenticated and not directory_is_public():
        raise Http404
    photo = get_for_user_or_404(CompanyPhoto, request.user, VIEW, pk=photo_pk, company_id=pk)
    with photo.image.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
