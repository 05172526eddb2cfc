"""Importing the ward's existing company list from CSV or Excel (.xlsx).

1. ``import_job_create``: the upload is checked (size, type, a zip bomb, rows) and
   kept with an ``ImportJob``; nothing is stored for a file that is refused.
2. The officer maps the file's columns to profile fields (``suggest_mapping`` picks
   them by header) and sees a preview (``preview_rows``).
3. ``import_job_start`` queues ``companies.tasks.run_import_job``, which calls
   ``import_job_run``: a validation pass over every row with the services' own
   normalisation and checks, then one all-or-nothing transaction that creates or
   updates every company through ``company_create`` / ``company_update``.

Every job is one ward's list (``ImportJob.ward``, a ward its officer serves): its rows
must be that ward's companies, and every company it creates or updates ends in that ward,
confirmed (``placing``; the change kept as a ``CompanyWardChange`` from the import).

Rows are numbered as a spreadsheet shows them: the header is line 1.

The package: ``fields`` (what an import fills), ``reading`` (files to tables), ``rows``
(cells to values), ``checking`` (rows checked before anything is written), ``placing``
(the job's ward); the import job's own services are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.accounts.choices import WardRole
from machikoba.accounts.rules import is_ward_officer
from machikoba.companies import services, services_wards
from machikoba.companies.access import officer_ward_ids
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.importing.checking import (
    RowChecker,
    _errors_from,
    _existing_companies,
    _number_of,
    preview_rows,
)
from machikoba.companies.importing.fields import IMPORT_FIELDS, clean_mapping, suggest_mapping
from machikoba.companies.importing.placing import WardCheck
from machikoba.companies.importing.reading import column_label, inspect_upload, read_table
from machikoba.companies.importing.rows import ImportRow, _job_error, build_row
from machikoba.companies.models import Company
from machikoba.companies.models_io import (
    MAX_REPORTED_ERRORS,
    ImportJob,
    ImportStatus,
)
from machikoba.companies.models_wards import WardChangeSource
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.core.queueing import enqueue_on_commit
from machikoba.wards.models import Municipality
from machikoba.wards.selectors import served_municipalities

__all__ = [
    "IMPORT_FIELDS",
    "import_job_create",
    "import_job_run",
    "import_job_start",
    "preview_rows",
    "suggest_mapping",
]

PROGRESS_EVERY = 200

UNEXPECTED_FAILURE = gettext_lazy(
    "取り込み中に予期しないエラーが起きました。時間をおいて、もう一度取り込んでください。"
)
CONCURRENT_CHANGE = gettext_lazy(
    "同時に行われた別の変更と重なったため、登録できませんでした。もう一度取り込んでください。"
)


def _require_officer(actor) -> None:
    if actor is None or not is_ward_officer(actor):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_WARD_OFFICER, _("企業リストを取り込めるのは区の担当者だけです。")
        )


def _ward_not_served(ward: Municipality | None) -> PermissionRefused:
    if ward is None:  # a job uploaded before imports had a ward
        message = _("どの区の一覧でもないため、取り込めません。もう一度アップロードしてください。")
    else:
        message = _("%(ward)sの担当ではないため、%(ward)sの企業リストは取り込めません。") % {
            "ward": ward
        }
    return PermissionRefused(
        CompaniesErrorCode.IMPORT_WARD_NOT_SERVED, message, fields={"ward": [message]}
    )


def _ward_for_upload(actor, ward: Municipality | None) -> Municipality:
    """The ward whose list ``actor`` uploads: ``ward`` if they serve it, by default the
    first (in code order) of the wards they serve."""
    served = list(served_municipalities(actor, WardRole.OFFICER))
    if ward is None:
        if not served:
            raise PermissionRefused(
                CompaniesErrorCode.IMPORT_WARD_NOT_SERVED,
                _("担当する区が登録されていないため、企業リストを取り込めません。"),
            )
        return served[0]
    if ward not in served:
        raise _ward_not_served(ward)
    return ward


def import_job_create(*, actor, upload, ward: Municipality | None = None) -> ImportJob:
    """Check an uploaded company list of ``ward`` (by default the first ward ``actor``
    serves) and keep it with a new job (status ``uploaded``).

    A refused file or ward leaves nothing behind: no job, no file in storage. The file is
    read before the transaction opens (parsing 10 MB takes seconds; no lock is held
    meanwhile).
    """
    _require_officer(actor)
    ward = _ward_for_upload(actor, ward)
    file_format, data, table = inspect_upload(upload)
    with transaction.atomic():
        job = ImportJob(
            created_by=actor,
            ward=ward,
            original_name=(upload.name or "")[-255:],
            file_format=file_format,
            header=table.header,
            total_rows=len(table.rows),
        )
        job.file.save(f"upload.{file_format}", ContentFile(data), save=False)
        # A failure after the file was written must not leave it behind.
        try:
            full_clean_or_raise(job, code=CompaniesErrorCode.IMPORT_INVALID)
            job.save()
            audit_record(
                actor=actor,
                verb="import.create",
                target=job,
                after={"file": job.original_name, "rows": job.total_rows, "ward": ward.code},
            )
        except Exception:
            job.file.storage.delete(job.file.name)
            raise
    return job


@transaction.atomic
def import_job_start(*, actor, job: ImportJob, mapping: Mapping[str, Any]) -> ImportJob:
    """Fix the column mapping and queue the import (``uploaded`` → ``queued``)."""
    _require_officer(actor)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.ward is None or job.ward_id not in officer_ward_ids(actor):
        # The view reaches only the jobs of the actor's wards (``import_job_scope``); a
        # caller that did not check is refused here all the same.
        raise _ward_not_served(job.ward)
    if job.status != ImportStatus.UPLOADED:
        raise ApplicationError(
            CompaniesErrorCode.IMPORT_ALREADY_STARTED, _("この取り込みはすでに始まっています。")
        )
    job.mapping = clean_mapping(mapping, column_count=len(job.header))
    job.status = ImportStatus.QUEUED
    job.started_by = actor
    job.processed_rows = 0
    job.save(update_fields=["mapping", "status", "started_by", "processed_rows", "updated_at"])
    audit_record(
        actor=actor,
        verb="import.start",
        target=job,
        after={"mapping": {name: column_label(job.header, i) for name, i in job.mapping.items()}},
    )
    enqueue_on_commit("machikoba.companies.tasks.run_import_job", job.pk)
    return job


def _move(job: ImportJob, status: str, *, allowed: tuple[str, ...], **changes: Any) -> None:
    """The one place the running import changes its status."""
    if job.status not in allowed:
        raise ValueError(f"import job {job.pk}: {job.status} → {status} is not allowed")
    job.status = status
    for name, value in changes.items():
        setattr(job, name, value)
    job.save(update_fields=["status", *changes, "updated_at"])


def _fail(job: ImportJob, errors: list[dict[str, Any]]) -> None:
    _move(
        job,
        ImportStatus.FAILED,
        allowed=(ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING),
        errors=errors,
        finished_at=timezone.now(),
    )
    audit_record(
        actor=job.started_by, verb="import.fail", target=job, after={"errors": len(errors)}
    )


def _write(*, actor, row: ImportRow, existing: Company | None, ward_check: WardCheck) -> bool:
    """Create or update one company through the services, in the job's ward and
    confirmed there; True when created."""
    # Checked again here, on the company as it is inside the commit transaction (another
    # ward's officer may have taken it meanwhile).
    ward_check.check(row, existing)
    values = dict(row.values)
    if existing is not None:
        # company_update lets only a company's own owners/staff (or the system, None)
        # change its profile; an officer is neither. The ward's import is a system write
        # authorised by the officer who started it: that officer is on the job and in
        # its import.start / import.done audit events.
        company = services.company_update(actor=None, company=existing, **values)
    else:
        # Officers may register companies, so the company.create event names the officer.
        company = services.company_create(actor=actor, name=values.pop("name", ""), **values)
    ward = ward_check.ward
    if company.ward_id != ward.pk or company.ward_confirmed_at is None:
        # The ward's own list confirms the company's ward (kept in its ward history).
        services_wards.company_ward_assign(
            actor=actor, company=company, ward=ward, source=WardChangeSource.IMPORT
        )
    return existing is None


def _validate(
    job: ImportJob, rows: list[ImportRow], actor, ward_check: WardCheck
) -> list[dict[str, Any]]:
    """Check every row; progress is committed every ``PROGRESS_EVERY`` rows."""
    checker = RowChecker(
        mapping=job.mapping,
        header=job.header,
        existing=_existing_companies(actor, rows),
        ward_check=ward_check,
    )
    errors: list[dict[str, Any]] = []
    for done, row in enumerate(rows, start=1):
        errors += checker.errors(row)
        if done % PROGRESS_EVERY == 0 or done == len(rows):
            # Outside any transaction: committed at once, so the progress page sees it.
            ImportJob.objects.filter(pk=job.pk).update(
                processed_rows=done, updated_at=timezone.now()
            )
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
    return errors[:MAX_REPORTED_ERRORS]


def import_job_run(*, job_id: int) -> ImportJob | None:
    """The background task's work: validate every row, then store all rows or none."""
    # Claim the job (queued → validating) in one conditional UPDATE, so a task delivered
    # twice runs once. The id comes from our own queue (import_job_start).
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, processed_rows=0, updated_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("started_by", "ward").get(pk=job_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            _run(job, job.started_by)
        except Exception:
            job.refresh_from_db()
            if not job.is_finished:
                _fail(job, [_job_error(UNEXPECTED_FAILURE)])
            raise
    return job


def _run(job: ImportJob, actor) -> None:
    if actor is None or not is_ward_officer(actor):
        message = _("取り込みを始めた人が区の担当者でなくなったため、取り込めません。")
        _fail(job, [_job_error(message)])
        return
    if job.ward is None:
        _fail(job, [_job_error(_ward_not_served(None).message)])
        return
    if job.ward_id not in officer_ward_ids(actor):
        message = _("取り込みを始めた人が%(ward)sの担当でなくなったため、取り込めません。") % {
            "ward": job.ward
        }
        _fail(job, [_job_error(message)])
        return
    ward_check = WardCheck(job.ward)
    with job.file.open("rb") as handle:
        table = read_table(handle.read(), job.file_format)
    rows = [
        build_row(line, cells, mapping=job.mapping, header=job.header) for line, cells in table.rows
    ]
    if len(rows) != job.total_rows:
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))
        job.total_rows = len(rows)
    errors = _validate(job, rows, actor, ward_check)
    job.refresh_from_db(fields=["processed_rows"])
    if errors:
        _fail(job, errors)
        return
    _move(job, ImportStatus.IMPORTING, allowed=(ImportStatus.VALIDATING,))
    current: ImportRow | None = None
    try:
        with transaction.atomic():
            existing = _existing_companies(actor, rows)
            created = updated = 0
            for current in rows:
                number = _number_of(current)
                written = _write(
                    actor=actor, row=current, existing=existing.get(number), ward_check=ward_check
                )
                if written:
                    created += 1
                else:
                    updated += 1
            _move(
                job,
                ImportStatus.DONE,
                allowed=(ImportStatus.IMPORTING,),
                created_count=created,
                updated_count=updated,
                finished_at=timezone.now(),
            )
            audit_record(
                actor=actor,
                verb="import.done",
                target=job,
                after={"created": created, "updated": updated},
            )
    except ApplicationError as error:
        # Something changed between the two passes (e.g. a company registered meanwhile).
        job.refresh_from_db()
        _fail(job, _errors_from(error, current, mapping=job.mapping, header=job.header))
    except IntegrityError:
        job.refresh_from_db()
        _fail(job, [_job_error(CONCURRENT_CHANGE, line=current.line if current else 0)])
