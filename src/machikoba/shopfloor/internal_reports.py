"""Caller-trusted writes of the daily reports (日報): they check no user's rights, because
their caller (a checked service in ``services_reports``) already did. Views never import
this module.

The report's state machine is the table ``REPORT_TRANSITIONS``; ``report_transition`` is
the only place that assigns ``DailyReport.status``, and pages read the same table for
their buttons (``selectors_reports.report_actions``)::

    draft ──提出──▶ submitted ──承認──▶ approved
                      │  ▲
                 差し戻し  └──再提出── returned

Only approved reports are the shop's measured times and its actual costs. An approved
report is final: a correction after approval is a new entry on another day's report
(the supervisor reads the trail of what was approved).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError

from .choices import ReasonKind, ReportStatus
from .error_codes_reports import ReportErrorCode
from .models_reports import DailyReport, Reason

REPORT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReportStatus.DRAFT: (ReportStatus.SUBMITTED,),
    ReportStatus.SUBMITTED: (ReportStatus.APPROVED, ReportStatus.RETURNED),
    ReportStatus.RETURNED: (ReportStatus.SUBMITTED,),
    ReportStatus.APPROVED: (),
}
# How far back a worker may still write a report they forgot (a returned one is fixed
# whatever its day).
BACKFILL_DAYS = 7
# The states in which the worker writes, changes and removes entries.
EDITABLE_STATES: tuple[str, ...] = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def report_may_move(current: str, to: str) -> bool:
    return to in REPORT_TRANSITIONS.get(current, ())


def lock_report(report: DailyReport) -> DailyReport:
    return DailyReport.objects.select_for_update(of=("self",)).get(pk=report.pk)


def report_transition(
    *, report: DailyReport, to: str, actor: User, note: str = "", at: dt.datetime | None = None
) -> DailyReport:
    """Move ``report`` (locked by the caller) to ``to``; refused unless the table allows
    it. Stamps ``submitted_at`` (submitted) or the reviewer, the time and the note
    (approved, returned)."""
    if not report_may_move(report.status, to):
        raise ApplicationError(
            ReportErrorCode.TRANSITION_NOT_ALLOWED,
            _("この日報は「%(status)s」のため、この操作はできません。")
            % {"status": report.get_status_display()},
            status_code=409,
        )
    moment = at or timezone.now()
    before = report.status
    report.status = to
    if to == ReportStatus.SUBMITTED:
        report.submitted_at = moment
    else:
        report.reviewed_by = actor
        report.reviewed_at = moment
        report.review_note = note if to == ReportStatus.RETURNED else ""
    report.full_clean()
    report.save()
    audit_record(
        actor=actor,
        verb=f"floor_report.{to}",
        target=report,
        company=report.company,
        before={"status": before},
        after={"status": to, "note": report.review_note} if note else {"status": to},
    )
    return report


# The set a company starts with (the owner renames, adds and retires them): code, label,
# planned. Codes are what a machine may report for the reason (``StateInterval.reason``).
DEFAULT_REASONS: dict[str, tuple[tuple[str, object, bool], ...]] = {
    ReasonKind.STOP: (
        ("setup", gettext_lazy("段取り替え"), False),
        ("material", gettext_lazy("材料待ち"), False),
        ("breakdown", gettext_lazy("故障"), False),
        ("tooling", gettext_lazy("刃物交換"), False),
        ("lunch", gettext_lazy("昼休み"), True),
        ("maintenance", gettext_lazy("計画保全"), True),
    ),
    ReasonKind.DEFECT: (
        ("dimension", gettext_lazy("寸法不良"), False),
        ("scratch", gettext_lazy("キズ"), False),
        ("material", gettext_lazy("材料不良"), False),
    ),
}


def reasons_seed(*, company: Company, actor: User | None) -> int:
    """Give ``company`` the default reasons when it has none at all (its first use of the
    日報); the number written. A second caller at the same moment writes nothing twice
    (the codes are unique per company and kind)."""
    if Reason.objects.filter(company=company).exists():
        return 0
    rows = [
        Reason(company=company, kind=kind, code=code, label=str(label), planned=planned, order=i)
        for kind, reasons in DEFAULT_REASONS.items()
        for i, (code, label, planned) in enumerate(reasons, start=1)
    ]
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)
    Reason.objects.bulk_create(rows, ignore_conflicts=True)
    audit_record(actor=actor, verb="floor_reason.seed", company=company, after={"count": len(rows)})
    return len(rows)
