"""The checks every write of the daily reports (日報) makes: who may write or review,
which steps an entry may be about, what an entry must say, and its photos (checked and
re-encoded before anything is written, like company photos)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Equipment
from machikoba.companies.photos import prepare_photo
from machikoba.core.access import EDITOR_ROLES, MEMBER_ROLES, OWNER_ROLES, VIEW, has_role
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused, invalid_input
from machikoba.network.choices import JobStatus
from machikoba.network.models import Step
from machikoba.shopfloor.choices import ReasonKind
from machikoba.shopfloor.error_codes_reports import ReportErrorCode
from machikoba.shopfloor.models_reports import DailyReport, Reason, ReportEntry, ReportPhoto

MAX_PHOTOS_PER_ENTRY = 5


@dataclass(frozen=True)
class EntryFields:
    """What the worker typed for one piece of work (the step aside)."""

    equipment: Equipment | None = None
    unit: int = 1
    minutes: int | None = None
    machine_minutes: int | None = None
    good: int = 0
    defect: int = 0
    defect_reason: Reason | None = None
    stop_minutes: int = 0
    stop_reason: Reason | None = None
    notes: str = ""


@dataclass(frozen=True)
class EntryResult:
    """The entry written, or found again for a retried submission (``replayed``)."""

    entry: ReportEntry
    replayed: bool = False


# --- who ---------------------------------------------------------------------------------


def require_member(actor: User, company: Company) -> None:
    if has_role(actor, company, MEMBER_ROLES, VIEW) and not has_role(actor, company, MEMBER_ROLES):
        raise PermissionRefused(
            ReportErrorCode.NOT_A_MEMBER,
            _("%(company)s は利用停止中のため、日報は読むだけで、書けません。")
            % {"company": company.name},
        )
    if not has_role(actor, company, MEMBER_ROLES):
        raise PermissionRefused(
            ReportErrorCode.NOT_A_MEMBER, _("日報を書けるのは、この企業で働く人だけです。")
        )


def require_worker(actor: User, report: DailyReport) -> None:
    if report.worker_id != actor.pk or not has_role(actor, report.company, MEMBER_ROLES):
        raise PermissionRefused(
            ReportErrorCode.NOT_WORKER, _("日報を書き直せるのは、書いた本人だけです。")
        )


def require_supervisor(actor: User, report: DailyReport) -> None:
    if not has_role(actor, report.company, EDITOR_ROLES):
        raise PermissionRefused(
            ReportErrorCode.NOT_SUPERVISOR,
            _("日報を承認・差し戻しできるのは、経営者と事務・管理の担当者です。"),
        )
    if report.worker_id == actor.pk and not has_role(actor, report.company, OWNER_ROLES):
        raise PermissionRefused(
            ReportErrorCode.OWN_REVIEW,
            _("自分の日報は、ほかの人 (経営者) に承認してもらってください。"),
        )


def require_editor(actor: User, company: Company, code: ReportErrorCode) -> None:
    if not has_role(actor, company, EDITOR_ROLES):
        raise PermissionRefused(
            code, _("この設定を変えられるのは、経営者と事務・管理の担当者です。")
        )


# --- what an entry may be about --------------------------------------------------------------


def check_step(company: Company, step: Step, day: dt.date) -> None:
    """Refuse a step ``company`` does not perform, one of a cancelled job, and one finished
    before ``day``."""
    if step.performer_id != company.pk:
        raise ApplicationError(
            ReportErrorCode.STEP_NOT_PERFORMED,
            _(
                "この工程 (%(step)s) は %(company)s が担当する工程ではないため、"
                "日報に記録できません。"
            )
            % {"step": f"{step.job.part_name} {step.process.name}", "company": company.name},
            fields={"step": [_("自社が担当する工程を選んでください。")]},
            status_code=403,
        )
    if step.job.status == JobStatus.CANCELLED:
        raise ApplicationError(
            ReportErrorCode.JOB_CANCELLED,
            _("案件「%(part)s」は中止されたため、日報に記録できません。")
            % {"part": step.job.part_name},
            fields={"step": [_("中止された案件の工程です。")]},
        )
    if step.finished_at is not None and timezone.localdate(step.finished_at) < day:
        raise ApplicationError(
            ReportErrorCode.STEP_FINISHED,
            _(
                "この工程は %(date)s に加工完了になっています。それより後の日の作業としては"
                "記録できません。"
            )
            % {"date": timezone.localdate(step.finished_at).strftime("%Y/%m/%d")},
            fields={"step": [_("加工完了の後の日付です。")]},
        )


def check_fields(company: Company, fields: EntryFields, *, keep: ReportEntry | None) -> None:
    """The machine is the company's, the reasons are its own of the right kind (active,
    unless the entry already had it), and a defect or a stop says why."""
    if fields.equipment is not None:
        if fields.equipment.company_id != company.pk:
            raise invalid_input(
                ReportErrorCode.MACHINE_UNKNOWN, machine=_("自社の設備から選んでください。")
            )
        if not 1 <= fields.unit <= fields.equipment.count:
            raise invalid_input(
                ReportErrorCode.MACHINE_UNKNOWN, machine=_("号機の番号が設備の台数を超えています。")
            )
    for name, kind in (("defect_reason", ReasonKind.DEFECT), ("stop_reason", ReasonKind.STOP)):
        reason = getattr(fields, name)
        if reason is None:
            continue
        kept = keep is not None and getattr(keep, f"{name}_id") == reason.pk
        if reason.company_id != company.pk or reason.kind != kind or not (reason.active or kept):
            raise invalid_input(
                ReportErrorCode.REASON_UNKNOWN, **{name: _("一覧から理由を選んでください。")}
            )
    if fields.defect > 0 and fields.defect_reason is None:
        raise invalid_input(
            ReportErrorCode.DEFECT_REASON_MISSING,
            defect_reason=_("不良があるときは、不良の理由を選んでください。"),
        )
    if fields.stop_minutes > 0 and fields.stop_reason is None:
        raise invalid_input(
            ReportErrorCode.STOP_REASON_MISSING,
            stop_reason=_("停止があったときは、停止の理由を選んでください。"),
        )
    longest = max(fields.minutes or 0, fields.machine_minutes or 0)
    if fields.minutes is not None and fields.stop_minutes > longest:
        raise invalid_input(
            ReportErrorCode.ENTRY_INVALID,
            stop_minutes=_("停止時間が作業時間より長くなっています。"),
        )


def apply_fields(entry: ReportEntry, fields: EntryFields) -> None:
    entry.equipment = fields.equipment
    entry.unit = fields.unit if fields.equipment is not None else 1
    entry.machine_minutes = fields.machine_minutes if fields.equipment is not None else None
    entry.good = fields.good
    entry.defect = fields.defect
    entry.defect_reason = fields.defect_reason if fields.defect > 0 else None
    entry.stop_minutes = fields.stop_minutes
    entry.stop_reason = fields.stop_reason
    entry.notes = fields.notes.strip()


def prepare_photos(uploads: Sequence[UploadedFile], already: int = 0) -> list[ContentFile]:
    """Check and re-encode every photo before anything is written."""
    if already + len(uploads) > MAX_PHOTOS_PER_ENTRY:
        message = _("写真は1つの作業に %(max)s 枚までです。") % {"max": MAX_PHOTOS_PER_ENTRY}
        raise ApplicationError(ReportErrorCode.PHOTO_LIMIT, message, fields={"photos": [message]})
    prepared = []
    for upload in uploads:
        try:
            prepared.append(prepare_photo(upload))
        except ApplicationError as error:
            raise ApplicationError(
                ReportErrorCode.PHOTO_INVALID, error.message, fields={"photos": [error.message]}
            ) from None
    return prepared


def store_photos(entry: ReportEntry, contents: list[ContentFile], actor: User) -> None:
    """Write the files and their rows; a failure removes the files already written."""
    written: list[ReportPhoto] = []
    try:
        for content in contents:
            photo = ReportPhoto(entry=entry)
            photo.image.save(content.name or "photo.jpg", content, save=False)
            written.append(photo)
            photo.save()
            audit_record(
                actor=actor, verb="floor_photo.create", target=photo, company=entry.report.company
            )
    except Exception:
        for photo in written:
            if photo.image.name:
                photo.image.storage.delete(photo.image.name)
        raise
