"""The office's downloads: advisor workload, overdue phases and the monthly hours roll-up,
as CSV or Excel (``core.exports.table_file``, formulas escaped); each export is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.advisory.error_codes import AdvisoryErrorCode
from machikoba.advisory.selectors.hours import hours_rollup, month_start
from machikoba.advisory.selectors.office import advisor_workload, overdue_phases
from machikoba.advisory.services._common import officer_ward_ids
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.exports import table_file

REPORTS = ("workload", "overdue", "hours")
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def _workload(actor: User) -> tuple[str, list[Any], list[list[Any]]]:
    header = [
        _("アドバイザー"),
        _("専門の種類"),
        _("所属"),
        _("担当中"),
        _("上限"),
        _("空き"),
        _("派遣"),
    ]
    rows = [
        [
            r.advisor.user.get_full_name(),
            str(r.advisor.get_kind_display()),
            r.advisor.organisation,
            r.load,
            r.capacity,
            r.free,
            _("可") if r.advisor.active else _("停止中"),
        ]
        for r in advisor_workload(user=actor)
    ]
    return _("アドバイザーの稼働"), header, rows


def _overdue(actor: User) -> tuple[str, list[Any], list[list[Any]]]:
    today = timezone.localdate()
    header = [_("企業"), _("フェーズ"), _("状態"), _("期限"), _("超過日数"), _("派遣の終了予定日")]
    rows = [
        [
            p.engagement.company.name,
            str(p.get_kind_display()),
            str(p.get_status_display()),
            p.due_on.isoformat(),
            (today - p.due_on).days,
            p.engagement.ends_on.isoformat(),
        ]
        for p in overdue_phases(user=actor, today=today)
    ]
    return _("期限を過ぎたフェーズ"), header, rows


def _hours(actor: User, month: dt.date) -> tuple[str, list[Any], list[list[Any]]]:
    rollup = hours_rollup(user=actor, month=month)
    header = [
        _("月"),
        _("アドバイザー"),
        _("訪問回数"),
        _("確認済みの時間 (分)"),
        _("未確認の時間 (分)"),
        _("時間単価 (円)"),
        _("支払額 (円・確認済みのみ)"),
    ]
    label = f"{rollup.month:%Y-%m}"
    rows: list[list[Any]] = [
        [
            label,
            r.advisor.user.get_full_name(),
            r.visits,
            r.signed_minutes,
            r.unsigned_minutes,
            r.hourly_fee,
            r.amount,
        ]
        for r in rollup.rows
    ]
    rows.append(
        [label, _("合計"), "", rollup.signed_minutes, rollup.unsigned_minutes, "", rollup.amount]
    )
    return _("アドバイザーの時間と支払額"), header, rows


@transaction.atomic
def report_export(
    *, actor: User, report: str, file_format: str, month: dt.date | None = None
) -> ExportFile:
    """One of the office's tables as a file, read through the officer's own scope."""
    if not officer_ward_ids(actor):
        raise PermissionRefused(
            AdvisoryErrorCode.NOT_WARD_OFFICER, _("書き出しができるのは区の担当職員だけです。")
        )
    if report not in REPORTS or file_format not in FORMATS:
        raise ApplicationError(
            AdvisoryErrorCode.EXPORT_INVALID,
            _("書き出す表と形式 (CSV または Excel) を選んでください。"),
            status_code=404,
        )
    month = month_start(month or timezone.localdate())
    if report == "workload":
        sheet, header, rows = _workload(actor)
    elif report == "overdue":
        sheet, header, rows = _overdue(actor)
    else:
        sheet, header, rows = _hours(actor, month)
    content, content_type = table_file(file_format, sheet=sheet, header=header, rows=rows)
    audit_record(
        actor=actor,
        verb="advisory.export",
        after={
            "report": report,
            "format": file_format,
            "month": f"{month:%Y-%m}" if report == "hours" else "",
            "rows": len(rows),
        },
    )
    suffix = f"-{month:%Y-%m}" if report == "hours" else ""
    return ExportFile(
        content=content,
        content_type=content_type,
        filename=f"advisory-{report}{suffix}-{timezone.localdate():%Y%m%d}.{file_format}",
    )
