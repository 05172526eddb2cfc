"""The payment of the confirmed amount (支払), and the five 事業化状況報告 it starts.

``payment_record`` is the office's record that the ward paid the confirmed amount
(``CONFIRMED`` → ``PAID``). It schedules the company's five yearly 事業化状況報告: report N
covers fiscal year FY(completed_on) + N − 1 and is due three months after that year ends
(30 June). The first is requested at once; the others wait (``SCHEDULED``) until their
fiscal year has ended (``value_added.business_reports_request_due``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.dates import format_date
from machikoba.core.errors import full_clean_or_raise, invalid_input
from machikoba.core.fiscal import add_months, fiscal_year, fiscal_year_bounds, fiscal_year_label
from machikoba.core.money import format_yen
from machikoba.core.notifications import notify_company
from machikoba.subsidies.choices import ApplicationStatus, ValueAddedKind, ValueAddedStatus
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode
from machikoba.subsidies.models import Application
from machikoba.subsidies.models_after import CompletionReport, Payment, ValueAddedReport
from machikoba.subsidies.services.grants import (
    grant_path,
    require_office,
    require_step,
    yen_text,
)
from machikoba.subsidies.services.internal import application_transition, lock_application

BUSINESS_REPORT_YEARS = 5
# A yearly report is due this many months after its fiscal year ends (31 March → 30 June).
REPORT_DUE_MONTHS = 3
PAYMENT_FIELDS = ["amount", "paid_on", "reference"]


def report_due_on(year: int) -> dt.date:
    """When the figures of fiscal year ``year`` are due: three months after it ends."""
    return add_months(fiscal_year_bounds(year)[1], REPORT_DUE_MONTHS)


def value_added_path(report: ValueAddedReport) -> str:
    return reverse("subsidies:value_added_report", args=[report.pk])


def notify_business_report(report: ValueAddedReport, *, kind: str) -> None:
    """Ask (``business_report_requested``) or chase (``business_report_overdue``) the
    company for one 事業化状況報告."""
    # A business report always has its application (the model's constraint).
    title = report.application.title if report.application is not None else ""
    notify_company(
        company=report.company,
        kind=kind,
        params={
            "title": title,
            "year": report.year_index,
            "fiscal_year": fiscal_year_label(report.fiscal_year),
            "due": format_date(report.due_on),
        },
        path=value_added_path(report),
    )


def _schedule_business_reports(
    application: Application, completed_on: dt.date, now: dt.datetime
) -> list[ValueAddedReport]:
    first_year = fiscal_year(completed_on)
    reports = []
    for index in range(1, BUSINESS_REPORT_YEARS + 1):
        year = first_year + index - 1
        report = ValueAddedReport(
            company=application.company,
            municipality=application.stage.call.municipality,
            kind=ValueAddedKind.BUSINESS_REPORT,
            application=application,
            year_index=index,
            fiscal_year=year,
            status=ValueAddedStatus.REQUESTED if index == 1 else ValueAddedStatus.SCHEDULED,
            requested_at=now if index == 1 else None,
            due_on=report_due_on(year),
        )
        full_clean_or_raise(report, code=AfterSelectionErrorCode.PAYMENT_INVALID)
        report.save()
        reports.append(report)
    return reports


@transaction.atomic
def payment_record(
    *, actor: User, application: Application, paid_on: dt.date | None, reference: str = ""
) -> Payment:
    """Record that the confirmed amount was paid (``CONFIRMED`` → ``PAID``), on a day
    between 額の確定 and today, and schedule the five 事業化状況報告 (the first requested
    now)."""
    require_office(actor, application)
    application = lock_application(application.pk)
    require_step(application, ApplicationStatus.PAID)
    report = CompletionReport.objects.get(application=application)
    confirmed_on = timezone.localdate(report.inspected_at) if report.inspected_at else None
    today = timezone.localdate()
    if paid_on is None:
        raise invalid_input(
            AfterSelectionErrorCode.PAYMENT_INVALID, paid_on=_("支払った日を入力してください。")
        )
    if paid_on > today:
        raise invalid_input(
            AfterSelectionErrorCode.PAYMENT_INVALID,
            paid_on=_("支払日は今日以前の日付にしてください (支払ってから記録します)。"),
        )
    if confirmed_on is not None and paid_on < confirmed_on:
        raise invalid_input(
            AfterSelectionErrorCode.PAYMENT_INVALID,
            paid_on=_("支払日は、額の確定の日 (%(day)s) 以降の日付にしてください。")
            % {"day": format_date(confirmed_on)},
        )
    if report.completed_on is None:  # a confirmed report always has it (submission checks)
        raise invalid_input(
            AfterSelectionErrorCode.PAYMENT_INVALID,
            paid_on=_("実績報告に事業の完了日がありません。"),
        )
    amount = application.confirmed_amount or 0
    payment = Payment(
        application=application,
        amount=amount,
        paid_on=paid_on,
        reference=(reference or "").strip(),
        recorded_by=actor,
    )
    full_clean_or_raise(payment, code=AfterSelectionErrorCode.PAYMENT_INVALID)
    payment.save()
    audit_record(
        actor=actor,
        verb="subsidy_payment.record",
        target=payment,
        company=application.company,
        after=snapshot(payment, PAYMENT_FIELDS),
    )
    application_transition(
        application=application,
        to=ApplicationStatus.PAID,
        actor=actor,
        comment=_("支払 %(amount)s (%(day)s)")
        % {"amount": format_yen(amount), "day": format_date(paid_on)},
    )
    notify_company(
        company=application.company,
        kind="subsidy_paid",
        params={
            "title": application.title,
            "amount": yen_text(amount),
            "date": format_date(paid_on),
        },
        path=grant_path(application),
    )
    reports = _schedule_business_reports(application, report.completed_on, timezone.now())
    audit_record(
        actor=actor,
        verb="subsidy_business_report.schedule",
        target=application,
        company=application.company,
        after={"fiscal_years": [r.fiscal_year for r in reports]},
    )
    notify_business_report(reports[0], kind="business_report_requested")
    return payment
