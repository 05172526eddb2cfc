"""The engagement page its team, its company and the ward's officers share (each sees the
actions they may take), and the team's work on it: visits, phases, evidence,
measurements, closing, the closing report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.advisory import selectors, services
from machikoba.advisory.closing_report_pdf import closing_report_pdf
from machikoba.advisory.forms import (
    AfterForm,
    CloseForm,
    EvidenceForm,
    MeasurementForm,
    NoteForm,
    VisitForm,
)
from machikoba.advisory.models import Engagement, Measurement, Phase, PhaseEvidence, Visit
from machikoba.advisory.services.engagements import evidence_max_bytes
from machikoba.advisory.views._common import SignedInRequest
from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.errors import ApplicationError
from machikoba.core.uploads import limit_upload_size, refuse_oversized
from machikoba.core.views import content_disposition, run_and_flash, save_form
from machikoba.drawings.sniffing import too_large_message


def _engagement(request: SignedInRequest, pk: int) -> Engagement:
    return get_for_user_or_404(
        Engagement.objects.select_related("company", "municipality", "request"),
        request.user,
        VIEW,
        pk=pk,
    )


def _back(engagement_pk: int) -> HttpResponse:
    return redirect("advisory:engagement", pk=engagement_pk)


@login_required
@require_GET
def engagement(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _engagement(request, pk)
    page = selectors.engagement_page(user=request.user, engagement=item)
    return render(
        request,
        "advisory/engagement.html",
        {"page": page, "engagement": item, "today": timezone.localdate()},
    )


# --- visits ------------------------------------------------------------------------------


def _team_page(request: SignedInRequest, item: Engagement) -> selectors.EngagementPage:
    page = selectors.engagement_page(user=request.user, engagement=item)
    if not page.is_team:
        raise PermissionDenied
    return page


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _engagement(request, pk)
    _team_page(request, item)
    initial = {"date": timezone.localdate()}
    form = VisitForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> Visit:
        starts_at, ends_at = form.times()
        return services.visit_log(
            actor=request.user,
            engagement=item,
            starts_at=starts_at,
            ends_at=ends_at,
            work_done=data["work_done"],
            next_steps=data["next_steps"],
        )

    done = save_form(
        request,
        form,
        save,
        success_message=_("訪問を記録しました。企業に確認をお願いしました。"),
        next_url=lambda _visit: reverse("advisory:engagement", args=[item.pk]),
    )
    if done:
        return done
    return render(
        request,
        "advisory/visit_form.html",
        {"form": form, "engagement": item, "editing": False},
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    visit = get_for_user_or_404(
        Visit.objects.select_related("engagement__company", "advisor"), request.user, VIEW, pk=pk
    )
    if not services.is_visit_author(request.user, visit):
        raise PermissionDenied
    local_start = timezone.localtime(visit.starts_at)
    initial = {
        "date": local_start.date(),
        "start": local_start.time().replace(second=0, microsecond=0),
        "end": timezone.localtime(visit.ends_at).time().replace(second=0, microsecond=0),
        "work_done": visit.work_done,
        "next_steps": visit.next_steps,
    }
    form = VisitForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> Visit:
        starts_at, ends_at = form.times()
        return services.visit_update(
            actor=request.user,
            visit=visit,
            starts_at=starts_at,
            ends_at=ends_at,
            work_done=data["work_done"],
            next_steps=data["next_steps"],
        )

    done = save_form(
        request,
        form,
        save,
        success_message=_("訪問記録を直しました。"),
        next_url=lambda _visit: reverse("advisory:engagement", args=[visit.engagement_id]),
    )
    if done:
        return done
    return render(
        request,
        "advisory/visit_form.html",
        {"form": form, "engagement": visit.engagement, "visit": visit, "editing": True},
    )


# --- phases ------------------------------------------------------------------------------


def _phase(request: SignedInRequest, pk: int) -> Phase:
    return get_for_user_or_404(
        Phase.objects.select_related("engagement__company"), request.user, VIEW, pk=pk
    )


def _phase_button(
    request: SignedInRequest, pk: int, call: Callable[..., Any], success: str
) -> HttpResponse:
    phase = _phase(request, pk)
    run_and_flash(request, lambda: call(actor=request.user, phase=phase), success)
    return _back(phase.engagement_id)


@login_required
@require_POST
def phase_start(request: SignedInRequest, pk: int) -> HttpResponse:
    return _phase_button(request, pk, services.phase_start, _("フェーズを開始しました。"))


@login_required
@require_POST
def phase_complete(request: SignedInRequest, pk: int) -> HttpResponse:
    return _phase_button(request, pk, services.phase_complete, _("フェーズを完了しました。"))


def _phase_page(
    request: SignedInRequest,
    phase: Phase,
    *,
    note_form: NoteForm | None = None,
    evidence_form: EvidenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.engagement_page(user=request.user, engagement=phase.engagement)
    if not page.may_change:
        raise PermissionDenied
    row = next(r for r in page.phases if r.phase.pk == phase.pk)
    return render(
        request,
        "advisory/phase.html",
        {
            "engagement": phase.engagement,
            "phase": row.phase,
            "row": row,
            "note_form": note_form or NoteForm(initial={"note": phase.note}),
            "evidence_form": evidence_form or EvidenceForm(),
        },
        status=status,
    )


@login_required
@require_GET
def phase_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _phase_page(request, _phase(request, pk))


@login_required
@require_POST
def phase_note(request: SignedInRequest, pk: int) -> HttpResponse:
    phase = _phase(request, pk)
    form = NoteForm(request.POST)
    done = save_form(
        request,
        form,
        lambda data: services.phase_note_update(actor=request.user, phase=phase, note=data["note"]),
        success_message=_("メモを保存しました。"),
        next_url=lambda _phase: reverse("advisory:phase", args=[phase.pk]),
    )
    return done or _phase_page(request, phase, note_form=form)


@login_required
@require_http_methods(["POST"])
@limit_upload_size(evidence_max_bytes)
def evidence_add(request: SignedInRequest, pk: int) -> HttpResponse:
    phase = _phase(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    refuse_oversized(request, form, too_large_message)
    done = save_form(
        request,
        form,
        lambda data: services.evidence_add(
            actor=request.user, phase=phase, title=data["title"], upload=data["file"]
        ),
        success_message=_("証跡を登録しました。"),
        next_url=lambda _evidence: reverse("advisory:phase", args=[phase.pk]),
    )
    return done or _phase_page(request, phase, evidence_form=form)


@login_required
@require_GET
def evidence_download(request: SignedInRequest, pk: int) -> FileResponse:
    evidence = get_for_user_or_404(PhaseEvidence, request.user, VIEW, pk=pk)
    if not evidence.file.name:
        raise Http404
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=evidence.mime)
    response["Content-Disposition"] = content_disposition(evidence.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


# --- measurements ------------------------------------------------------------------------


def _changer_page(request: SignedInRequest, item: Engagement) -> None:
    page = selectors.engagement_page(user=request.user, engagement=item)
    if not page.may_change:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def measurement_add(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _engagement(request, pk)
    _changer_page(request, item)
    form = MeasurementForm(request.POST or None, initial={"before_on": timezone.localdate()})
    done = save_form(
        request,
        form,
        lambda data: services.measurement_add(actor=request.user, engagement=item, **data),
        success_message=_("効果の指標を追加しました。"),
        next_url=lambda _m: reverse("advisory:engagement", args=[item.pk]),
    )
    if done:
        return done
    return render(request, "advisory/measurement_form.html", {"form": form, "engagement": item})


@login_required
@require_http_methods(["GET", "POST"])
def measurement_after(request: SignedInRequest, pk: int) -> HttpResponse:
    measurement = get_for_user_or_404(
        Measurement.objects.select_related("engagement__company"), request.user, VIEW, pk=pk
    )
    item = measurement.engagement
    _changer_page(request, item)
    initial = {
        "after_value": measurement.after_value,
        "after_on": measurement.after_on or timezone.localdate(),
    }
    form = AfterForm(request.POST or None, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.measurement_record_after(
            actor=request.user, measurement=measurement, **data
        ),
        success_message=_("導入後の値を記録しました。"),
        next_url=lambda _m: reverse("advisory:engagement", args=[item.pk]),
    )
    if done:
        return done
    return render(
        request,
        "advisory/measurement_form.html",
        {"form": form, "engagement": item, "measurement": measurement},
    )


# --- closing -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def engagement_close(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _engagement(request, pk)
    page = selectors.engagement_page(user=request.user, engagement=item)
    if not (page.is_office or page.is_lead):
        raise PermissionDenied
    form = CloseForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.engagement_close(
            actor=request.user, engagement=item, summary=data["summary"]
        ),
        success_message=_("派遣を完了にしました。"),
        next_url=lambda _e: reverse("advisory:engagement", args=[item.pk]),
    )
    if done:
        return done
    return render(
        request, "advisory/close_form.html", {"form": form, "engagement": item, "page": page}
    )


@login_required
@require_GET
def closing_report(request: SignedInRequest, pk: int) -> HttpResponse:
    item = _engagement(request, pk)
    page = selectors.engagement_page(user=request.user, engagement=item)
    try:
        content = closing_report_pdf(page)
    except ApplicationError as error:  # pragma: no cover - nothing refuses today
        raise Http404(str(error.message)) from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"closing-report-ENG-{item.pk}.pdf", inline=True
    )
    response["Cache-Control"] = "private, no-store"
    return response
