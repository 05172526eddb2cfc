"""The daily reports (日報) through the API: the worker's day and their reports, recording
work (with an idempotency key: a retried request answers with the entry already written),
「開始」/「終了」, correcting and deleting entries, photos, submitting; the supervisors'
review (approve, send back); the company's reasons, hourly rates and actual cost per job.
A worker reads and writes their own; owners and staff read all of the company's and review
them; nobody outside the company finds any."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from machikoba.companies.photos import max_photo_bytes, too_large_message
from machikoba.core.access import (
    CHANGE,
    EDITOR_ROLES,
    MANAGE,
    VIEW,
    get_for_user_or_404,
    has_role,
)
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.errors import ApplicationError, invalid_input
from machikoba.core.ids import BodyId, PathId
from machikoba.core.views import active_company_or_403
from machikoba.network.models import Step
from machikoba.shopfloor import selectors_reports as selectors
from machikoba.shopfloor import services_reports as services
from machikoba.shopfloor.api._router import router
from machikoba.shopfloor.choices import ReasonKind
from machikoba.shopfloor.error_codes_reports import ReportErrorCode
from machikoba.shopfloor.models import machine_key
from machikoba.shopfloor.models_reports import (
    MAX_COUNT,
    MAX_ENTRY_MINUTES,
    DailyReport,
    Reason,
    ReportEntry,
    ReportPhoto,
)
from machikoba.shopfloor.reports.rules import EntryFields

# --- schemas ----------------------------------------------------------------------------


class ShopfloorEntryOut(Schema):
    id: int
    report_id: int
    step_id: int
    job_id: int
    label: str = Field(description="part, step number and process")
    machine: str = Field(description="machine key, empty for hand work")
    minutes: int | None = Field(description="empty while the entry runs (「開始」)")
    machine_minutes: int | None
    good: int
    defect: int
    defect_reason_id: int | None
    stop_minutes: int
    stop_reason_id: int | None
    notes: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    photo_ids: list[int]
    replayed: bool = Field(False, description="a retried request: the entry already written")


class ShopfloorReportOut(Schema):
    id: int
    company_id: int
    worker_id: int
    worker_name: str
    date: dt.date
    status: str = Field(description="draft, submitted, approved or returned")
    submitted_at: dt.datetime | None
    reviewed_by_id: int | None
    reviewed_at: dt.datetime | None
    review_note: str
    actions: list[str] = Field(
        description="what the caller may do now: edit, submit, approve, return"
    )


class ReportCardOut(ShopfloorReportOut):
    total_minutes: int
    good: int
    defect: int
    entries: list[ShopfloorEntryOut]


class StepChoiceOut(Schema):
    step_id: int
    label: str
    for_partner: bool
    running: bool


class ShopfloorDayOut(Schema):
    day: dt.date
    earliest: dt.date = Field(description="the first day a report may still be written for")
    report: ReportCardOut | None
    running_entry_id: int | None
    steps: list[StepChoiceOut] = Field(description="steps the worker may report on this day")
    returned: list[ShopfloorReportOut] = Field(description="the worker's other reports sent back")
    to_review: int = Field(description="submitted reports waiting (supervisors)")


class ShopfloorReportsDayQuery(Schema):
    date: dt.date | None = Field(None, description="the report day; today when left out")


class ShopfloorReviewOut(Schema):
    day: dt.date | None
    waiting: list[ReportCardOut]
    of_day: list[ReportCardOut]
    days: list[dt.date] = Field(description="recent days with reports")


class EntryFieldsIn(Schema):
    machine: str = Field("", max_length=40, description="machine key; empty for hand work")
    minutes: int | None = Field(None, ge=1, le=MAX_ENTRY_MINUTES)
    machine_minutes: int | None = Field(None, ge=0, le=MAX_ENTRY_MINUTES)
    good: int = Field(0, ge=0, le=MAX_COUNT)
    defect: int = Field(0, ge=0, le=MAX_COUNT)
    defect_reason_id: BodyId | None = None
    stop_minutes: int = Field(0, ge=0, le=MAX_ENTRY_MINUTES)
    stop_reason_id: BodyId | None = None
    notes: str = Field("", max_length=2000)


class EntryIn(EntryFieldsIn):
    # A new entry states its minutes; one still running is begun with /reports/start.
    minutes: int = Field(ge=1, le=MAX_ENTRY_MINUTES, description="the work's minutes")
    idempotency_key: uuid.UUID = Field(description="the same key again answers with the same entry")
    step_id: BodyId
    day: dt.date | None = Field(None, description="the report day; today when left out")


class EntryEditIn(EntryFieldsIn):
    # A corrected entry states its minutes too (a running one is ended with /stop).
    minutes: int = Field(ge=1, le=MAX_ENTRY_MINUTES, description="the work's minutes")


class ShopfloorStartIn(Schema):
    idempotency_key: uuid.UUID
    step_id: BodyId
    machine: str = Field("", max_length=40)


class ReturnIn(Schema):
    note: str = Field(min_length=1, max_length=500, description="what to correct")


class ReasonOut(Schema):
    id: int
    kind: str = Field(description="stop or defect")
    code: str
    label: str
    planned: bool = Field(description="a planned stop, left out of utilisation")
    active: bool
    order: int


class ReasonsOut(Schema):
    editor: bool
    stop: list[ReasonOut]
    defect: list[ReasonOut]


class ShopfloorReasonIn(Schema):
    kind: ReasonKind
    code: str = Field(min_length=1, max_length=64)
    label: str = Field(min_length=1, max_length=60)
    planned: bool = False
    order: int = Field(0, ge=0, le=999)


class ReasonEditIn(Schema):
    code: str = Field(min_length=1, max_length=64)
    label: str = Field(min_length=1, max_length=60)
    planned: bool = False
    active: bool = True
    order: int = Field(0, ge=0, le=999)


class RatesIO(Schema):
    # Strict: a JSON true is not 1 yen.
    labour_yen_per_hour: int = Field(ge=0, le=1_000_000, strict=True)
    machine_yen_per_hour: int = Field(ge=0, le=1_000_000, strict=True)


class JobCostOut(Schema):
    job_id: int
    part_name: str
    for_partner: bool
    labour_minutes: int
    machine_minutes: int
    labour_yen: int
    machine_yen: int
    outsourced_yen: int | None
    cost_yen: int
    revenue_yen: int | None
    margin_yen: int | None
    pending_minutes: int = Field(description="minutes of reports not approved yet")


class CostsOut(Schema):
    rates: RatesIO | None
    rates_missing: bool
    jobs: list[JobCostOut]


# --- helpers ----------------------------------------------------------------------------


def _entry_out(entry: ReportEntry, *, replayed: bool = False) -> ShopfloorEntryOut:
    step = entry.step
    return ShopfloorEntryOut(
        id=entry.pk,
        report_id=entry.report_id,
        step_id=entry.step_id,
        job_id=step.job_id,
        label=f"{step.job.part_name} {step.position}. {step.process.name}",
        machine=machine_key(entry.equipment_id, entry.unit) if entry.equipment_id else "",
        minutes=entry.minutes,
        machine_minutes=entry.machine_minutes,
        good=entry.good,
        defect=entry.defect,
        defect_reason_id=entry.defect_reason_id,
        stop_minutes=entry.stop_minutes,
        stop_reason_id=entry.stop_reason_id,
        notes=entry.notes,
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        photo_ids=sorted(p.pk for p in entry.photos.all()),
        replayed=replayed,
    )


def _report_fields(user, report: DailyReport) -> dict:
    return {
        "id": report.pk,
        "company_id": report.company_id,
        "worker_id": report.worker_id,
        "worker_name": report.worker.get_full_name(),
        "date": report.date,
        "status": report.status,
        "submitted_at": report.submitted_at,
        "reviewed_by_id": report.reviewed_by_id,
        "reviewed_at": report.reviewed_at,
        "review_note": report.review_note,
        "actions": sorted(selectors.report_actions(user, report)),
    }


def _report_out(user, report: DailyReport) -> ShopfloorReportOut:
    return ShopfloorReportOut(**_report_fields(user, report))


def _card_out(user, card: selectors.ReportCard) -> ReportCardOut:
    return ReportCardOut(
        **_report_fields(user, card.report),
        total_minutes=card.total_minutes,
        good=card.good,
        defect=card.defect,
        entries=[_entry_out(row.entry) for row in card.entries],
    )


def _entry_fields(request, company, data: EntryFieldsIn) -> EntryFields:
    """The typed values as the service takes them; an unknown machine or reason is a
    refusal on its field (as the page's choices refuse it)."""
    machine = None
    if data.machine:
        machine = selectors.machine_of(company, data.machine)
        if machine is None:
            raise ApplicationError(
                ReportErrorCode.MACHINE_UNKNOWN,
                _("入力内容を確認してください。"),
                fields={"machine": [_("設備を選び直してください。")]},
            )
    reasons = {}
    for name, pk in (
        ("defect_reason_id", data.defect_reason_id),
        ("stop_reason_id", data.stop_reason_id),
    ):
        reasons[name] = selectors.reason_of(request.user, company, pk)
        if pk is not None and reasons[name] is None:
            raise invalid_input(
                ReportErrorCode.REASON_UNKNOWN, **{name: _("理由を選び直してください。")}
            )
    return EntryFields(
        equipment=machine[0] if machine else None,
        unit=machine[1] if machine else 1,
        minutes=data.minutes,
        machine_minutes=data.machine_minutes,
        good=data.good,
        defect=data.defect,
        defect_reason=reasons["defect_reason_id"],
        stop_minutes=data.stop_minutes,
        stop_reason=reasons["stop_reason_id"],
        notes=data.notes,
    )


def _machine_only(machine: str) -> EntryFieldsIn:
    """「開始」 says only the machine; the rest comes with 「終了」."""
    return EntryFieldsIn(
        machine=machine,
        minutes=None,
        machine_minutes=None,
        good=0,
        defect=0,
        defect_reason_id=None,
        stop_minutes=0,
        stop_reason_id=None,
        notes="",
    )


def _supervised_company(request):
    company = active_company_or_403(request)
    if not has_role(request.user, company, EDITOR_ROLES, VIEW):
        raise PermissionDenied
    return company


def _seed_reasons(request, company) -> None:
    """As the pages do: the company's first use of the 日報 gives it the default reasons."""
    try:
        services.reasons_ensure(actor=request.user, company=company)
    except ApplicationError:
        return


def _own_entry(request, entry_id: int) -> ReportEntry:
    return get_for_user_or_404(
        ReportEntry.objects.select_related(
            "report__company", "step__job__company", "step__process", "equipment"
        ),
        request.user,
        CHANGE,
        pk=entry_id,
    )


def _report(request, report_id: int, action: str) -> DailyReport:
    return get_for_user_or_404(
        DailyReport.objects.select_related("company", "worker", "reviewed_by"),
        request.user,
        action,
        pk=report_id,
    )


def _check_photo_sizes(photos: list[UploadedFile]) -> None:
    for photo in photos:
        if photo.size and photo.size > max_photo_bytes():
            raise ApplicationError(
                ReportErrorCode.PHOTO_INVALID,
                too_large_message(photo.size),
                fields={"photos": [too_large_message(photo.size)]},
                status_code=413,
            )


# --- the worker's day -------------------------------------------------------------------


@router.get(
    "/reports/day", response=ShopfloorDayOut, summary="The caller's report of a day (今日の日報)"
)
def shopfloor_report_day(request, query: Query[ShopfloorReportsDayQuery]):
    company = active_company_or_403(request)
    today = timezone.localdate()
    day = query.date or today
    if day > today or day < selectors.backfill_start():
        raise invalid_input(
            ReportErrorCode.DATE_INVALID,
            date=_("%(first)s から今日までの日を指定してください。")
            % {"first": selectors.backfill_start().isoformat()},
        )
    page = selectors.day_page(request.user, company, day)
    card = selectors.report_card(request.user, page.report) if page.report else None
    return ShopfloorDayOut(
        day=page.day,
        earliest=page.earliest,
        report=_card_out(request.user, card) if card else None,
        running_entry_id=page.running.pk if page.running else None,
        steps=[
            StepChoiceOut(
                step_id=c.step.pk, label=c.label, for_partner=c.for_partner, running=c.running
            )
            for c in page.steps
        ],
        returned=[_report_out(request.user, r) for r in page.returned],
        to_review=page.to_review,
    )


@router.get("/reports/mine", response=Page[ShopfloorReportOut], summary="The caller's own reports")
def shopfloor_reports_mine(request, params: Query[PageParams]):
    company = active_company_or_403(request)
    reports = (
        DailyReport.objects.for_user(request.user, VIEW)
        .filter(company=company, worker=request.user)
        .select_related("company", "worker")
        .order_by("-date")
    )
    return page_of(reports, params, lambda r: _report_out(request.user, r))


@router.post(
    "/reports/entries", response={201: ShopfloorEntryOut}, summary="Record a piece of work"
)
def shopfloor_report_entry_create(request, payload: EntryIn):
    company = active_company_or_403(request)
    _seed_reasons(request, company)
    step = get_for_user_or_404(
        Step.objects.select_related("job", "process"), request.user, VIEW, pk=payload.step_id
    )
    result = services.entry_record(
        actor=request.user,
        company=company,
        step=step,
        idempotency_key=payload.idempotency_key,
        fields=_entry_fields(request, company, payload),
        day=payload.day or timezone.localdate(),
    )
    return Status(201, _entry_out(result.entry, replayed=result.replayed))


@router.post(
    "/reports/entries/start",
    response={201: ShopfloorEntryOut},
    summary="「開始」: work starting now",
)
def shopfloor_report_entry_start(request, payload: ShopfloorStartIn):
    company = active_company_or_403(request)
    step = get_for_user_or_404(
        Step.objects.select_related("job", "process"), request.user, VIEW, pk=payload.step_id
    )
    result = services.entry_start(
        actor=request.user,
        company=company,
        step=step,
        idempotency_key=payload.idempotency_key,
        fields=_entry_fields(request, company, _machine_only(payload.machine)),
    )
    return Status(201, _entry_out(result.entry, replayed=result.replayed))


@router.post(
    "/reports/entries/{entry_id}/stop",
    response=ShopfloorEntryOut,
    summary="「終了」: the running work ends now",
)
def shopfloor_report_entry_stop(request, entry_id: PathId):
    entry = _own_entry(request, entry_id)
    return _entry_out(services.entry_stop(actor=request.user, entry=entry))


@router.get("/reports/entries/{entry_id}", response=ShopfloorEntryOut, summary="One entry")
def shopfloor_report_entry(request, entry_id: PathId):
    entry = get_for_user_or_404(
        ReportEntry.objects.select_related("step__job", "step__process"),
        request.user,
        VIEW,
        pk=entry_id,
    )
    return _entry_out(entry)


@router.put(
    "/reports/entries/{entry_id}",
    response=ShopfloorEntryOut,
    summary="Correct an entry (the worker)",
)
def shopfloor_report_entry_update(request, entry_id: PathId, payload: EntryEditIn):
    entry = _own_entry(request, entry_id)
    fields = _entry_fields(request, entry.report.company, payload)
    return _entry_out(services.entry_update(actor=request.user, entry=entry, fields=fields))


@router.delete(
    "/reports/entries/{entry_id}", response={204: None}, summary="Delete an entry (the worker)"
)
def shopfloor_report_entry_delete(request, entry_id: PathId):
    services.entry_delete(actor=request.user, entry=_own_entry(request, entry_id))
    return Status(204, None)


@router.post(
    "/reports/entries/{entry_id}/photos",
    response={201: ShopfloorEntryOut},
    summary="Add photos to an entry (JPEG, PNG or WebP; 5 an entry)",
)
def shopfloor_report_photos_add(request, entry_id: PathId, photos: File[list[UploadedFile]]):
    entry = _own_entry(request, entry_id)
    _check_photo_sizes(photos)
    fields = EntryFields(
        equipment=entry.equipment,
        unit=entry.unit,
        minutes=entry.minutes,
        machine_minutes=entry.machine_minutes,
        good=entry.good,
        defect=entry.defect,
        defect_reason=entry.defect_reason,
        stop_minutes=entry.stop_minutes,
        stop_reason=entry.stop_reason,
        notes=entry.notes,
    )
    entry = services.entry_update(actor=request.user, entry=entry, fields=fields, photos=photos)
    return Status(201, _entry_out(entry))


@router.get(
    "/reports/photos/{photo_id}",
    response={200: bytes},
    summary="A photo of an entry (image/jpeg)",
    openapi_extra={"responses": {200: {"content": {"image/jpeg": {}}}}},
)
def shopfloor_report_photo(request, photo_id: PathId):
    photo = get_for_user_or_404(ReportPhoto, request.user, VIEW, pk=photo_id)
    with photo.image.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete("/reports/photos/{photo_id}", response={204: None}, summary="Delete a photo")
def shopfloor_report_photo_delete(request, photo_id: PathId):
    photo = get_for_user_or_404(
        ReportPhoto.objects.select_related("entry__report"), request.user, CHANGE, pk=photo_id
    )
    services.entry_photo_delete(actor=request.user, photo=photo)
    return Status(204, None)


# --- a report and its review ----------------------------------------------------------------


@router.get(
    "/reports/review", response=ShopfloorReviewOut, summary="Reports to review (owners, staff)"
)
def shopfloor_report_review(request, query: Query[ShopfloorReportsDayQuery]):
    company = _supervised_company(request)
    page = selectors.review_page(request.user, company, query.date or timezone.localdate())
    return ShopfloorReviewOut(
        day=page.day,
        waiting=[_card_out(request.user, c) for c in page.waiting],
        of_day=[_card_out(request.user, c) for c in page.of_day],
        days=page.days,
    )


@router.get("/reports/{report_id}", response=ReportCardOut, summary="One report with its entries")
def shopfloor_report(request, report_id: PathId):
    report = _report(request, report_id, VIEW)
    return _card_out(request.user, selectors.report_card(request.user, report))


@router.post(
    "/reports/{report_id}/submit", response=ShopfloorReportOut, summary="Submit (the worker)"
)
def shopfloor_report_submit(request, report_id: PathId):
    report = services.report_submit(actor=request.user, report=_report(request, report_id, CHANGE))
    return _report_out(request.user, report)


@router.post(
    "/reports/{report_id}/approve", response=ShopfloorReportOut, summary="Approve (supervisors)"
)
def shopfloor_report_approve(request, report_id: PathId):
    report = services.report_approve(actor=request.user, report=_report(request, report_id, MANAGE))
    return _report_out(request.user, report)


@router.post(
    "/reports/{report_id}/return", response=ShopfloorReportOut, summary="Send back (supervisors)"
)
def shopfloor_report_return(request, report_id: PathId, payload: ReturnIn):
    report = _report(request, report_id, MANAGE)
    report = services.report_return(actor=request.user, report=report, note=payload.note)
    return _report_out(request.user, report)


# --- reasons, rates, costs ------------------------------------------------------------------


def _reason_out(reason: Reason) -> ReasonOut:
    return ReasonOut(
        id=reason.pk,
        kind=reason.kind,
        code=reason.code,
        label=reason.label,
        planned=reason.planned,
        active=reason.active,
        order=reason.order,
    )


@router.get("/reasons", response=ReasonsOut, summary="The company's stop and defect reasons")
def shopfloor_reasons(request):
    company = active_company_or_403(request)
    _seed_reasons(request, company)
    page = selectors.reasons_page(request.user, company)
    return ReasonsOut(
        editor=page.editor,
        stop=[_reason_out(r) for r in page.stop],
        defect=[_reason_out(r) for r in page.defect],
    )


@router.post("/reasons", response={201: ReasonOut}, summary="Add a reason (owners, staff)")
def shopfloor_reason_create(request, payload: ShopfloorReasonIn):
    company = active_company_or_403(request)
    reason = services.reason_create(
        actor=request.user,
        company=company,
        kind=payload.kind,
        code=payload.code,
        label=payload.label,
        planned=payload.planned,
        order=payload.order,
    )
    return Status(201, _reason_out(reason))


@router.put("/reasons/{reason_id}", response=ReasonOut, summary="Change or retire a reason")
def shopfloor_reason_update(request, reason_id: PathId, payload: ReasonEditIn):
    reason = get_for_user_or_404(Reason, request.user, CHANGE, pk=reason_id)
    reason = services.reason_update(actor=request.user, reason=reason, **payload.dict())
    return _reason_out(reason)


def _rates_out(rates) -> RatesIO | None:
    if rates is None:
        return None
    return RatesIO(
        labour_yen_per_hour=rates.labour_yen_per_hour,
        machine_yen_per_hour=rates.machine_yen_per_hour,
    )


@router.get("/costs", response=CostsOut, summary="Actual cost per job (owners, staff)")
def shopfloor_job_costs(request):
    company = _supervised_company(request)
    page = selectors.costs_page(request.user, company)
    return CostsOut(
        rates=_rates_out(page.rates),
        rates_missing=page.rates_missing,
        jobs=[
            JobCostOut(
                job_id=row.job.pk,
                part_name=row.job.part_name,
                for_partner=row.for_partner,
                labour_minutes=row.labour_minutes,
                machine_minutes=row.machine_minutes,
                labour_yen=row.labour_yen,
                machine_yen=row.machine_yen,
                outsourced_yen=row.outsourced_yen,
                cost_yen=row.cost_yen,
                revenue_yen=row.revenue_yen,
                margin_yen=row.margin_yen,
                pending_minutes=row.pending_minutes,
            )
            for row in page.rows
        ],
    )


@router.put("/costs/rates", response=RatesIO, summary="Set the hourly rates (owners, staff)")
def shopfloor_cost_rates_set(request, payload: RatesIO):
    company = _supervised_company(request)
    rates = services.cost_rates_set(
        actor=request.user,
        company=company,
        labour_yen_per_hour=payload.labour_yen_per_hour,
        machine_yen_per_hour=payload.machine_yen_per_hour,
    )
    return _rates_out(rates)
