"""The ward office's pages of the programmes: its programmes and cohorts, creating and
changing them, sessions, instructors and handouts, and the three reports (funnel,
attendance grid, overdue) with their CSV / Excel downloads. Officers only (their second
factor is enforced by the MFA middleware); another ward's programme or cohort is "not
found". Handouts are uploaded by officers and the cohort's instructors too, and
downloaded by everyone the access layer lets see them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.choices import WardRole
from machikoba.accounts.decorators import officer_required
from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, DELETE, VIEW, can, get_for_user_or_404
from machikoba.core.fiscal import fiscal_year as fiscal_year_of
from machikoba.core.fiscal import fiscal_year_label
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.core.views import content_disposition, run_and_flash, safe_next, save_form
from machikoba.programs.forms_office import (
    CohortForm,
    InstructorsForm,
    MaterialForm,
    ProgramForm,
    SessionForm,
)
from machikoba.programs.models import Cohort, Program, Session, SessionMaterial
from machikoba.programs.report_downloads import report_download
from machikoba.programs.selectors import office as selectors
from machikoba.programs.services import materials as material_services
from machikoba.programs.services import programs as services
from machikoba.wards.selectors import municipalities, served_municipalities

EXPORT_FORMATS = ("csv", "xlsx")


class SignedInRequest(HttpRequest):
    user: User


def _posted(request: HttpRequest) -> Any:
    """The form's data on a POST, even an empty one (no box ticked is an answer too)."""
    return request.POST if request.method == "POST" else None


def _cohort(request: SignedInRequest, pk: int) -> Cohort:
    return get_for_user_or_404(
        Cohort.objects.select_related("program__municipality"), request.user, CHANGE, pk=pk
    )


# --- programmes ---------------------------------------------------------------------------


@officer_required
@require_GET
def office(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "programs/office/home.html",
        {"rows": selectors.office_home(user=request.user)},
    )


def _program_form(request: SignedInRequest, **kwargs: Any) -> ProgramForm:
    return ProgramForm(
        _posted(request),
        wards=served_municipalities(request.user, WardRole.OFFICER),
        all_wards=municipalities(request.user),
        **kwargs,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def program_create(request: SignedInRequest) -> HttpResponse:
    form = _program_form(request)
    done = save_form(
        request,
        form,
        lambda data: services.program_create(actor=request.user, **data),
        success_message=_("プログラムを作りました。続けて期を作ってください。"),
        next_url=lambda program: reverse("programs:cohort_create", args=[program.pk]),
    )
    return done or render(request, "programs/office/program_form.html", {"form": form})


@officer_required
@require_http_methods(["GET", "POST"])
def program_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    program = get_for_user_or_404(Program, request.user, CHANGE, pk=pk)
    initial = {
        "kind": program.kind,
        "name": program.name,
        "description": program.description,
        "participant_role": program.participant_role,
        "wards_only": program.wards_only,
        "max_per_company": program.max_per_company,
        "min_sessions_attended": program.min_sessions_attended,
        "requires_plan_accepted": program.requires_plan_accepted,
        "partner_wards": [str(pk) for pk in program.partner_wards.values_list("pk", flat=True)],
    }
    form = _program_form(request, initial=initial, editing=True)
    done = save_form(
        request,
        form,
        lambda data: services.program_update(actor=request.user, program=program, **data),
        success_message=_("プログラムを変更しました。"),
        next_url=reverse("programs:office"),
    )
    return done or render(
        request, "programs/office/program_form.html", {"form": form, "program": program}
    )


# --- cohorts ------------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "POST"])
def cohort_create(request: SignedInRequest, pk: int) -> HttpResponse:
    program = get_for_user_or_404(Program, request.user, CHANGE, pk=pk)
    form = CohortForm(
        _posted(request),
        initial={"fiscal_year": fiscal_year_of(timezone.localdate()), "capacity": 20},
    )
    done = save_form(
        request,
        form,
        lambda data: services.cohort_create(actor=request.user, program=program, **data),
        success_message=_("期を作りました。続けて講義回を登録してください。"),
        next_url=lambda cohort: reverse("programs:cohort_office", args=[cohort.pk]),
    )
    return done or render(
        request, "programs/office/cohort_form.html", {"form": form, "program": program}
    )


@officer_required
@require_GET
def cohort_office(request: SignedInRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    page = selectors.cohort_office_page(user=request.user, cohort=cohort)
    return render(request, "programs/office/cohort.html", {"page": page, "cohort": cohort})


@officer_required
@require_http_methods(["GET", "POST"])
def cohort_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    initial = {
        "fiscal_year": cohort.fiscal_year,
        "name": cohort.name,
        "capacity": cohort.capacity,
        "applications_open_at": cohort.applications_open_at,
        "applications_close_at": cohort.applications_close_at,
    }
    form = CohortForm(_posted(request), initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.cohort_update(actor=request.user, cohort=cohort, **data),
        success_message=_("期を変更しました。"),
        next_url=reverse("programs:cohort_office", args=[cohort.pk]),
    )
    return done or render(
        request,
        "programs/office/cohort_form.html",
        {"form": form, "program": cohort.program, "cohort": cohort},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def cohort_instructors(request: SignedInRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    candidates = selectors.instructor_candidates(user=request.user, program=cohort.program)
    current = [str(pk) for pk in cohort.instructors.values_list("pk", flat=True)]
    form = InstructorsForm(
        _posted(request), candidates=candidates, initial={"instructors": current}
    )
    done = save_form(
        request,
        form,
        lambda data: services.cohort_instructors_set(
            actor=request.user, cohort=cohort, instructors=data["instructors"]
        ),
        success_message=_("講師を設定しました。"),
        next_url=reverse("programs:cohort_office", args=[cohort.pk]),
    )
    return done or render(
        request,
        "programs/office/instructors_form.html",
        {"form": form, "cohort": cohort, "candidates": candidates},
    )


# --- sessions -----------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "POST"])
def session_create(request: SignedInRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    candidates = selectors.instructor_candidates(user=request.user, program=cohort.program)
    taken = set(cohort.sessions.values_list("number", flat=True))
    next_number = next(n for n in range(1, 100) if n not in taken)
    form = SessionForm(_posted(request), candidates=candidates, initial={"number": next_number})
    done = save_form(
        request,
        form,
        lambda data: services.session_create(actor=request.user, cohort=cohort, **data),
        success_message=_("講義回を登録しました。"),
        next_url=reverse("programs:cohort_office", args=[cohort.pk]),
    )
    return done or render(
        request, "programs/office/session_form.html", {"form": form, "cohort": cohort}
    )


@officer_required
@require_http_methods(["GET", "POST"])
def session_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    session = get_for_user_or_404(Session, request.user, VIEW, pk=pk)
    cohort = _cohort(request, session.cohort_id)
    candidates = selectors.instructor_candidates(user=request.user, program=cohort.program)
    initial = {
        "number": session.number,
        "title": session.title,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "place": session.place,
        "online_url": session.online_url,
        "instructor": str(session.instructor_id or ""),
    }
    form = SessionForm(_posted(request), candidates=candidates, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.session_update(actor=request.user, session=session, **data),
        success_message=_("講義回を変更しました。"),
        next_url=reverse("programs:cohort_office", args=[cohort.pk]),
    )
    return done or render(
        request,
        "programs/office/session_form.html",
        {"form": form, "cohort": cohort, "session": session},
    )


# --- handouts ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@limit_upload_size(material_services.material_max_bytes)
def material_upload(request: SignedInRequest, pk: int) -> HttpResponse:
    """The handouts of a session: the list, and a form to add one (officers and the
    cohort's instructors)."""
    session = get_for_user_or_404(
        Session.objects.select_related("cohort__program"), request.user, CHANGE, pk=pk
    )
    posted = request.method == "POST"  # bound even when the upload was stopped early
    form = MaterialForm(request.POST if posted else None, request.FILES if posted else None)
    refuse_oversized(request, form, material_services.material_too_large_message)
    here = reverse("programs:material_upload", args=[session.pk])
    done = save_form(
        request,
        form,
        lambda data: material_services.material_upload(
            actor=request.user, session=session, title=data["title"], file=data["file"]
        ),
        success_message=_("講義資料を登録しました。"),
        next_url=here,
    )
    if done:
        return done
    return render(
        request,
        "programs/office/materials.html",
        {
            "form": form,
            "session": session,
            "materials": SessionMaterial.objects.for_user(request.user, VIEW)
            .filter(session=session)
            .select_related("uploaded_by"),
            "is_office": can(request.user, CHANGE, session.cohort),
        },
    )


@login_required
@require_POST
def material_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    material = get_for_user_or_404(SessionMaterial, request.user, DELETE, pk=pk)
    session_pk = material.session_id
    run_and_flash(
        request,
        lambda: material_services.material_delete(actor=request.user, material=material),
        _("講義資料を削除しました。"),
    )
    return redirect(safe_next(request, reverse("programs:material_upload", args=[session_pk])))


@login_required
@require_GET
def material(request: SignedInRequest, pk: int) -> FileResponse:
    """A handout, for the cohort's participants, its instructors and the ward's officers."""
    item = get_for_user_or_404(SessionMaterial, request.user, VIEW, pk=pk)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.mime,
    )
    response["Content-Disposition"] = content_disposition(item.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- reports ------------------------------------------------------------------------------


def _export(
    request: SignedInRequest,
    *,
    report: str,
    filename: str,
    sheet: str,
    table: tuple[Sequence[Any], Sequence[Sequence[Any]]],
    target: Cohort | None = None,
    fiscal_year: int | None = None,
) -> HttpResponse | None:
    """The report as a download when ``?format=csv`` or ``xlsx`` asks for one."""
    file_format = request.GET.get("format", "")
    if file_format not in EXPORT_FORMATS:
        return None
    return report_download(
        request.user,
        file_format=file_format,
        report=report,
        filename=filename,
        sheet=sheet,
        table=table,
        target=target,
        fiscal_year=fiscal_year,
    )


def _requested_year(request: HttpRequest) -> int | None:
    text = request.GET.get("year", "")
    if text.isdigit() and len(text) == 4:
        return int(text)
    return None


@officer_required
@require_GET
def funnel(request: SignedInRequest) -> HttpResponse:
    result = selectors.funnel(user=request.user, fiscal_year=_requested_year(request))
    download = _export(
        request,
        report="funnel",
        filename=_("講座の実績_%(year)d年度") % {"year": result.fiscal_year},
        sheet=_("実績"),
        table=selectors.funnel_table(result),
        fiscal_year=result.fiscal_year,
    )
    if download:
        return download
    years = [(year, fiscal_year_label(year)) for year in result.years]
    return render(
        request,
        "programs/office/funnel.html",
        {"funnel": result, "years": years, "year_label": fiscal_year_label(result.fiscal_year)},
    )


@officer_required
@require_GET
def attendance_grid(request: SignedInRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    grid = selectors.attendance_grid(user=request.user, cohort=cohort)
    download = _export(
        request,
        report="attendance_grid",
        filename=_("出欠表_%(program)s_%(cohort)s")
        % {"program": cohort.program.name, "cohort": cohort.name},
        sheet=_("出欠"),
        table=selectors.attendance_grid_table(grid),
        target=cohort,
        fiscal_year=cohort.fiscal_year,
    )
    if download:
        return download
    return render(request, "programs/office/attendance_grid.html", {"grid": grid, "cohort": cohort})


@officer_required
@require_GET
def overdue(request: SignedInRequest) -> HttpResponse:
    result = selectors.overdue(user=request.user)
    download = _export(
        request,
        report="overdue",
        filename=_("講座の対応待ち_%(day)s") % {"day": result.today.isoformat()},
        sheet=_("対応待ち"),
        table=selectors.overdue_table(result),
    )
    if download:
        return download
    return render(request, "programs/office/overdue.html", {"overdue": result})
