"""Writes of the daily reports (日報): a worker's entries (typed minutes, or 「開始」 and
「終了」 for a running one), photos, submitting the day; the supervisor's approval and
send-back. The reasons and hourly rates are written by ``reports.master_data`` (re-exported
here), the checks live in ``reports.rules``.

The rules:

- A worker writes only their own report, for a company they work for, on a step that
  company performs (its in-house steps and the steps it does for partners: ``performer``).
  Not a step of a cancelled job, nor one finished before the report's day (work is
  reported on the day it was done; the day a step was finished still counts).
- Entries are written while the report is a draft or was sent back; a submitted or
  approved report is locked (``internal_reports.EDITABLE_STATES``).
- Every new entry carries the form's idempotency key: a retry of the same submission (a
  flaky connection, a double tap) finds the entry it already wrote and writes nothing.
  A photo is checked and re-encoded before anything is written, so a bad one leaves no
  row and no file.
- Only owners and staff review, and not their own report unless they are an owner (in a
  small shop the owner is the only one to approve it). Only approved entries count as
  measured times and costs (``selectors_reports.approved_entries``).
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Sequence
from dataclasses import replace

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, full_clean_or_raise, invalid_input
from machikoba.core.notifications import notify_users
from machikoba.network.models import Step

from .choices import ReportStatus
from .error_codes_reports import ReportErrorCode
from .internal_reports import BACKFILL_DAYS, EDITABLE_STATES, lock_report, report_transition
from .models_reports import MAX_ENTRY_MINUTES, DailyReport, ReportEntry, ReportPhoto
from .reports.master_data import cost_rates_set, reason_create, reason_update, reasons_ensure
from .reports.rules import (
    EntryFields,
    EntryResult,
    apply_fields,
    check_fields,
    check_step,
    prepare_photos,
    require_member,
    require_supervisor,
    require_worker,
    store_photos,
)

__all__ = [
    "EntryFields",
    "EntryResult",
    "cost_rates_set",
    "entry_delete",
    "entry_photo_delete",
    "entry_record",
    "entry_start",
    "entry_stop",
    "entry_update",
    "reason_create",
    "reason_update",
    "reasons_ensure",
    "report_approve",
    "report_return",
    "report_submit",
]

ENTRY_FIELDS = [
    "step",
    "equipment",
    "unit",
    "started_at",
    "ended_at",
    "minutes",
    "machine_minutes",
    "good",
    "defect",
    "defect_reason",
    "stop_minutes",
    "stop_reason",
]


# --- the report of a day ---------------------------------------------------------------------


def _report_for(actor: User, company: Company, day: dt.date | None) -> DailyReport:
    """The worker's report of ``day`` (today by default), made on first use and locked;
    refused when it is no longer open for entries."""
    today = timezone.localdate()
    day = day or today
    if not today - dt.timedelta(days=BACKFILL_DAYS) <= day <= today:
        existing = DailyReport.objects.filter(company=company, worker=actor, date=day).first()
        if existing is None or existing.status not in EDITABLE_STATES:
            raise ApplicationError(
                ReportErrorCode.DATE_INVALID,
                _("日報を書けるのは、今日から %(days)s 日前までです。") % {"days": BACKFILL_DAYS},
            )
    report, _created = DailyReport.objects.get_or_create(company=company, worker=actor, date=day)
    report = lock_report(report)
    _require_open(report)
    return report


def _require_open(report: DailyReport) -> None:
    if report.status not in EDITABLE_STATES:
        raise ApplicationError(
            ReportErrorCode.LOCKED,
            _(
                "%(date)s の日報は「%(status)s」のため、書き足せません。"
                "直すときは、確認する人に差し戻してもらってください。"
            )
            % {"date": report.date.strftime("%Y/%m/%d"), "status": report.get_status_display()},
            status_code=409,
        )


def _replay(key: uuid.UUID, actor: User, company: Company) -> EntryResult | None:
    """The entry a previous submission with ``key`` wrote, if any (the same worker's)."""
    entry = ReportEntry.objects.filter(idempotency_key=key).select_related("report").first()
    if entry is None:
        return None
    if entry.report.worker_id != actor.pk or entry.report.company_id != company.pk:
        raise ApplicationError(
            ReportErrorCode.KEY_USED,
            _("この送信はすでに使われています。画面を開き直してから記録してください。"),
        )
    return EntryResult(entry, replayed=True)


def _running_entry(actor: User, company: Company) -> ReportEntry | None:
    return (
        ReportEntry.objects.filter(
            report__company=company, report__worker=actor, minutes__isnull=True
        )
        .select_related("step__job", "step__process")
        .first()
    )


def _save_new(entry: ReportEntry, actor: User, company: Company) -> EntryResult | None:
    """Insert ``entry``; None when a submission with the same key won the race (the caller
    then answers with that one)."""
    full_clean_or_raise(entry, code=ReportErrorCode.ENTRY_INVALID, exclude=["idempotency_key"])
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        found = _replay(entry.idempotency_key, actor, company)
        if found is None:
            raise
        return found
    return None


@transaction.atomic
def entry_record(
    *,
    actor: User,
    company: Company,
    step: Step,
    idempotency_key: uuid.UUID,
    fields: EntryFields,
    day: dt.date | None = None,
    photos: Sequence[UploadedFile] = (),
) -> EntryResult:
    """Record a finished piece of work with its minutes typed, on the worker's report of
    ``day`` (today). A retry with the same key answers with the entry already written."""
    require_member(actor, company)
    found = _replay(idempotency_key, actor, company)
    if found is not None:
        return found
    if fields.minutes is None:
        raise invalid_input(
            ReportErrorCode.MINUTES_MISSING,
            minutes=_("作業時間 (分) を入力するか、「開始」を押してください。"),
        )
    report = _report_for(actor, company, day)
    check_step(company, step, report.date)
    check_fields(company, fields, keep=None)
    contents = prepare_photos(photos)
    entry = ReportEntry(report=report, step=step, idempotency_key=idempotency_key)
    apply_fields(entry, fields)
    entry.minutes = fields.minutes
    raced = _save_new(entry, actor, company)
    if raced is not None:
        return raced
    store_photos(entry, contents, actor)
    audit_record(
        actor=actor,
        verb="floor_entry.create",
        target=entry,
        company=company,
        after=snapshot(entry, ENTRY_FIELDS),
    )
    return EntryResult(entry)


@transaction.atomic
def entry_start(
    *,
    actor: User,
    company: Company,
    step: Step,
    idempotency_key: uuid.UUID,
    fields: EntryFields | None = None,
    at: dt.datetime | None = None,
) -> EntryResult:
    """「開始」: a running entry on today's report, started now; its minutes come with
    「終了」. One running entry per worker: another one must be ended first."""
    require_member(actor, company)
    found = _replay(idempotency_key, actor, company)
    if found is not None:
        return found
    fields = fields or EntryFields()
    moment = at or timezone.now()
    report = _report_for(actor, company, timezone.localdate(moment))
    check_step(company, step, report.date)
    running = _running_entry(actor, company)
    if running is not None:
        raise ApplicationError(
            ReportErrorCode.RUNNING_ELSEWHERE,
            _("「%(step)s」の作業が終わっていません。先に「終了」を押してください。")
            % {"step": f"{running.step.job.part_name} {running.step.process.name}"},
            status_code=409,
        )
    check_fields(company, replace(fields, minutes=None), keep=None)
    entry = ReportEntry(
        report=report, step=step, idempotency_key=idempotency_key, started_at=moment
    )
    apply_fields(entry, fields)
    entry.minutes = None
    raced = _save_new(entry, actor, company)
    if raced is not None:
        return raced
    audit_record(
        actor=actor,
        verb="floor_entry.start",
        target=entry,
        company=company,
        after=snapshot(entry, ENTRY_FIELDS),
    )
    return EntryResult(entry)


def _lock_entry(entry: ReportEntry) -> ReportEntry:
    return (
        ReportEntry.objects.select_for_update(of=("self",))
        .select_related("report__company", "step__job", "step__process")
        .get(pk=entry.pk)
    )


@transaction.atomic
def entry_stop(*, actor: User, entry: ReportEntry, at: dt.datetime | None = None) -> ReportEntry:
    """「終了」: the running entry ends now; its minutes are the time since the start
    (rounded up). A second 「終了」 of the same entry (a retry) changes nothing."""
    require_worker(actor, entry.report)
    entry = _lock_entry(entry)
    if not entry.running:
        if entry.ended_at is not None:
            return entry
        raise ApplicationError(
            ReportErrorCode.NOT_RUNNING, _("この作業は「開始」で始めた作業ではありません。")
        )
    _require_open(lock_report(entry.report))
    moment = at or timezone.now()
    started = entry.started_at or moment  # a running entry has its start (a constraint)
    minutes = max(1, math.ceil((moment - started).total_seconds() / 60))
    if minutes > MAX_ENTRY_MINUTES:
        raise ApplicationError(
            ReportErrorCode.TOO_LONG,
            _(
                "開始から24時間を超えています。終了を押し忘れたときは、作業を開いて"
                "作業時間 (分) を入力してください。"
            ),
        )
    entry.ended_at = max(moment, started + dt.timedelta(seconds=1))
    entry.minutes = minutes
    full_clean_or_raise(entry, code=ReportErrorCode.ENTRY_INVALID)
    entry.save()
    audit_record(
        actor=actor,
        verb="floor_entry.stop",
        target=entry,
        company=entry.report.company,
        after=snapshot(entry, ["ended_at", "minutes"]),
    )
    return entry


@transaction.atomic
def entry_update(
    *,
    actor: User,
    entry: ReportEntry,
    fields: EntryFields,
    photos: Sequence[UploadedFile] = (),
) -> ReportEntry:
    """The worker corrects an entry of their open report (typing the minutes of a running
    one ends it as typed) and adds photos."""
    require_worker(actor, entry.report)
    entry = _lock_entry(entry)
    report = lock_report(entry.report)
    _require_open(report)
    company = report.company
    if fields.minutes is None and not entry.running:
        raise invalid_input(
            ReportErrorCode.MINUTES_MISSING, minutes=_("作業時間 (分) を入力してください。")
        )
    check_fields(company, fields, keep=entry)
    contents = prepare_photos(photos, already=entry.photos.count())
    before = snapshot(entry, ENTRY_FIELDS)
    apply_fields(entry, fields)
    if fields.minutes is not None:
        entry.minutes = fields.minutes
    full_clean_or_raise(entry, code=ReportErrorCode.ENTRY_INVALID)
    entry.save()
    store_photos(entry, contents, actor)
    audit_record(
        actor=actor,
        verb="floor_entry.update",
        target=entry,
        company=company,
        before=before,
        after=snapshot(entry, ENTRY_FIELDS),
    )
    return entry


@transaction.atomic
def entry_delete(*, actor: User, entry: ReportEntry) -> None:
    """Remove an entry of an open report; its photos' files go once that is committed."""
    require_worker(actor, entry.report)
    entry = _lock_entry(entry)
    _require_open(lock_report(entry.report))
    files = [p.image for p in entry.photos.all()]
    audit_record(
        actor=actor,
        verb="floor_entry.delete",
        target=entry,
        company=entry.report.company,
        before=snapshot(entry, ENTRY_FIELDS),
    )
    entry.delete()
    for image in files:
        _delete_after_commit(image)


@transaction.atomic
def entry_photo_delete(*, actor: User, photo: ReportPhoto) -> None:
    entry = photo.entry
    require_worker(actor, entry.report)
    _require_open(lock_report(entry.report))
    audit_record(actor=actor, verb="floor_photo.delete", target=photo, company=entry.report.company)
    image = photo.image
    photo.delete()
    _delete_after_commit(image)


def _delete_after_commit(image: FieldFile) -> None:
    """Remove a photo's file once its row is gone for good."""
    storage, name = image.storage, image.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- the review ---------------------------------------------------------------------------


@transaction.atomic
def report_submit(*, actor: User, report: DailyReport) -> DailyReport:
    """The worker hands in the day (提出), again after a send-back. A second press (a
    retry) of a report already submitted changes nothing."""
    require_worker(actor, report)
    report = lock_report(report)
    if report.status == ReportStatus.SUBMITTED:
        return report
    entries = ReportEntry.objects.filter(report=report)
    if not entries.exists():
        raise ApplicationError(
            ReportErrorCode.EMPTY, _("作業が1つもありません。作業を記録してから提出してください。")
        )
    if entries.filter(minutes__isnull=True).exists():
        raise ApplicationError(
            ReportErrorCode.STILL_RUNNING,
            _("終わっていない作業があります。「終了」を押してから提出してください。"),
        )
    return report_transition(report=report, to=ReportStatus.SUBMITTED, actor=actor)


@transaction.atomic
def report_approve(*, actor: User, report: DailyReport) -> DailyReport:
    """承認: the report's entries become the shop's measured times and costs."""
    require_supervisor(actor, report)
    report = lock_report(report)
    if report.status == ReportStatus.APPROVED and report.reviewed_by_id == actor.pk:
        return report  # a second press of the same button
    return report_transition(report=report, to=ReportStatus.APPROVED, actor=actor)


@transaction.atomic
def report_return(*, actor: User, report: DailyReport, note: str) -> DailyReport:
    """差し戻し with the reason, which the worker reads (and is told of) to fix the report
    and submit it again."""
    require_supervisor(actor, report)
    note = (note or "").strip()
    if not note:
        raise invalid_input(
            ReportErrorCode.RETURN_NOTE_MISSING,
            note=_("差し戻す理由を書いてください (作業者に伝わります)。"),
        )
    report = lock_report(report)
    if (
        report.status == ReportStatus.RETURNED
        and report.reviewed_by_id == actor.pk
        and report.review_note == note
    ):
        return report  # a second press of the same button
    report = report_transition(report=report, to=ReportStatus.RETURNED, actor=actor, note=note)
    notify_users(
        users=[report.worker],
        kind="floor_report_returned",
        params={
            "date": report.date.strftime("%Y/%m/%d"),
            "reviewer": actor.get_full_name() or actor.email,
            "note": note,
        },
        path=reverse("shopfloor:report_detail", args=[report.pk]),
    )
    return report
