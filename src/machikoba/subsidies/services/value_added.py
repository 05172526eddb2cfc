"""The yearly value-added figures: the recipients' 事業化状況報告 (five years after payment)
and the same survey of the ward's registered companies that received nothing, so the KGI
can compare the two groups' value-added growth.

- ``value_added_submit``: the company answers one report: sales, external costs and
  employees (付加価値額 = sales − external costs, which may be negative).
- ``value_added_survey_send``: the office sends the survey for one ended fiscal year to
  every verified shop of its ward that never received a grant from the ward (nor was
  selected for one: a selected company is about to receive it); sending again creates
  nothing new.
- ``business_reports_request_due`` and ``value_added_remind`` run on the scheduler
  (``subsidies.tasks.value_added_reports``): a scheduled report is requested once its
  fiscal year has ended; a requested report due within 14 days, or overdue, is reminded
  at most once a week.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, SUPPORT, WARD_OFFICER, can, municipality_ids_for
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.dates import format_date
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.fiscal import fiscal_year as fiscal_year_of
from machikoba.core.fiscal import fiscal_year_label
from machikoba.core.notifications import notify_company
from machikoba.subsidies.choices import (
    GRANTED_STATUSES,
    ApplicationStatus,
    ValueAddedKind,
    ValueAddedStatus,
)
from machikoba.subsidies.error_codes_after import AfterSelectionErrorCode
from machikoba.subsidies.models import Application
from machikoba.subsidies.models_after import ValueAddedReport
from machikoba.subsidies.services.payments import (
    notify_business_report,
    report_due_on,
    value_added_path,
)
from machikoba.wards.models import Municipality

ANSWER_FIELDS = ["status", "sales", "external_costs", "employees"]
# A typo guard: figures above this are refused (1 trillion yen; 1 million people).
MAX_YEN = 1_000_000_000_000
MAX_EMPLOYEES = 1_000_000
# The survey gives at least this long to answer, whatever the fiscal year.
SURVEY_MIN_DAYS = 30
# Reminders start this long before the due day, and come at most this often.
REMIND_BEFORE = dt.timedelta(days=14)
REMIND_EVERY = dt.timedelta(days=7)
# The oldest fiscal year the survey may be sent for, counted back from the last ended one.
SURVEY_YEARS_BACK = 5
# An application in one of these makes its company a recipient of the ward's subsidy (or
# about to be one: selected, or its 交付申請 filed), never one of the companies that
# received nothing.
RECIPIENT_STATUSES = (
    ApplicationStatus.SELECTED,
    ApplicationStatus.GRANT_REQUESTED,
    *GRANTED_STATUSES,
)


def _figure_problem(value: object, *, label: str, maximum: int) -> str | None:
    if value is None or value == "":
        return _("%(label)sを入力してください。") % {"label": label}
    if isinstance(value, bool) or not isinstance(value, int):
        return _("%(label)sは整数で入力してください。") % {"label": label}
    if value < 0:
        return _("%(label)sにマイナスは入力できません (0 以上で入力してください)。") % {
            "label": label
        }
    if value > maximum:
        return _("%(label)sが大きすぎます。単位を確かめてください。") % {"label": label}
    return None


@transaction.atomic
def value_added_submit(
    *,
    actor: User,
    report: ValueAddedReport,
    sales: int | None,
    external_costs: int | None,
    employees: int | None,
) -> ValueAddedReport:
    """The company answers a requested report (or corrects its answer): the fiscal year's
    sales and external costs (yen) and its employees. All three are required; none may be
    negative; employees may be 0 (an owner working alone) and external costs may exceed
    sales (the value added is then negative, and that is an answer too)."""
    if not can(actor, CHANGE, report):
        raise PermissionRefused(
            AfterSelectionErrorCode.NOT_COMPANY,
            _("回答できるのは、この企業の経営者・スタッフだけです。"),
        )
    report = ValueAddedReport.objects.select_for_update().get(pk=report.pk)
    if report.status == ValueAddedStatus.SCHEDULED:
        raise ApplicationError(
            AfterSelectionErrorCode.VALUE_ADDED_NOT_OPEN,
            _("この報告は、%(fiscal_year)sが終わってからお願いします。")
            % {"fiscal_year": fiscal_year_label(report.fiscal_year)},
            status_code=409,
        )
    problems = {
        name: problem
        for name, problem in (
            ("sales", _figure_problem(sales, label=_("売上高"), maximum=MAX_YEN)),
            (
                "external_costs",
                _figure_problem(external_costs, label=_("外部購入費用"), maximum=MAX_YEN),
            ),
            ("employees", _figure_problem(employees, label=_("従業員数"), maximum=MAX_EMPLOYEES)),
        )
        if problem
    }
    if problems:
        raise invalid_input(AfterSelectionErrorCode.VALUE_ADDED_INVALID, **problems)
    first = report.status != ValueAddedStatus.SUBMITTED
    before = None if first else snapshot(report, ANSWER_FIELDS)
    report.sales = sales
    report.external_costs = external_costs
    report.employees = employees
    report.status = ValueAddedStatus.SUBMITTED
    report.submitted_by = actor
    report.submitted_at = timezone.now()
    full_clean_or_raise(report, code=AfterSelectionErrorCode.VALUE_ADDED_INVALID)
    report.save()
    audit_record(
        actor=actor,
        verb="subsidy_value_added.submit" if first else "subsidy_value_added.correct",
        target=report,
        company=report.company,
        before=before,
        after=snapshot(report, ANSWER_FIELDS),
    )
    return report


# --- the yearly survey of companies that received nothing ---------------------------------


def survey_years(today: dt.date | None = None) -> list[int]:
    """The fiscal years the survey may be sent for: the last ended one first, then back."""
    last = fiscal_year_of(today or timezone.localdate()) - 1
    return [last - n for n in range(SURVEY_YEARS_BACK)]


def _notify_survey(report: ValueAddedReport) -> None:
    notify_company(
        company=report.company,
        kind="value_added_survey_requested",
        params={
            "ward": report.municipality.name,
            "fiscal_year": fiscal_year_label(report.fiscal_year),
            "due": format_date(report.due_on),
        },
        path=value_added_path(report),
    )


def survey_recipients(
    actor: User, municipality: Municipality, fiscal_year: int
) -> QuerySet[Company]:
    """The verified, active shops of the ward that never had an application of the ward's
    calls selected or granted (``RECIPIENT_STATUSES``) and have no survey for
    ``fiscal_year`` yet (read through the office's scope)."""
    recipients = Application.objects.filter(
        stage__call__municipality=municipality, status__in=RECIPIENT_STATUSES
    ).values("company")
    surveyed = ValueAddedReport.objects.filter(
        kind=ValueAddedKind.SURVEY, fiscal_year=fiscal_year
    ).values("company")
    return (
        Company.objects.for_user(actor, SUPPORT)
        .filter(
            ward=municipality,
            is_active=True,
            kind=CompanyKind.SHOP,
            verified_at__isnull=False,
        )
        .exclude(Q(pk__in=recipients) | Q(pk__in=surveyed))
        .order_by("pk")
    )


@transaction.atomic
def value_added_survey_send(
    *, actor: User, municipality: Municipality, fiscal_year: int
) -> list[ValueAddedReport]:
    """Send the value-added survey of ``fiscal_year`` (an ended year) to the ward's
    companies that received nothing (``survey_recipients``); the new reports. Idempotent:
    a company already asked for that year is not asked again."""
    if municipality.pk not in municipality_ids_for(actor, WARD_OFFICER):
        raise PermissionRefused(
            AfterSelectionErrorCode.NOT_OFFICER,
            _("年次調査を送れるのは、この区の職員だけです。"),
        )
    today = timezone.localdate()
    if fiscal_year not in survey_years(today):
        raise invalid_input(
            AfterSelectionErrorCode.SURVEY_YEAR_INVALID,
            fiscal_year=_(
                "年次調査は、終わった年度 (%(first)s から %(last)s まで) について送れます。"
            )
            % {
                "first": fiscal_year_label(survey_years(today)[-1]),
                "last": fiscal_year_label(survey_years(today)[0]),
            },
        )
    # Two officers sending at once are serialised on the ward's row.
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    now = timezone.now()
    due = max(report_due_on(fiscal_year), today + dt.timedelta(days=SURVEY_MIN_DAYS))
    created = []
    for company in survey_recipients(actor, municipality, fiscal_year):
        report = ValueAddedReport(
            company=company,
            municipality=municipality,
            kind=ValueAddedKind.SURVEY,
            fiscal_year=fiscal_year,
            status=ValueAddedStatus.REQUESTED,
            requested_at=now,
            due_on=due,
        )
        full_clean_or_raise(report, code=AfterSelectionErrorCode.SURVEY_YEAR_INVALID)
        report.save()
        created.append(report)
    audit_record(
        actor=actor,
        verb="subsidy_value_added_survey.send",
        target=municipality,
        after={"fiscal_year": fiscal_year, "sent": len(created), "due_on": str(due)},
    )
    for report in created:
        _notify_survey(report)
    return created


# --- the scheduler's work -----------------------------------------------------------------


@transaction.atomic
def business_reports_request_due(*, now: dt.datetime | None = None) -> int:
    """Request every scheduled 事業化状況報告 whose fiscal year has ended; the number
    requested."""
    now = now or timezone.now()
    due = (
        ValueAddedReport.objects.select_for_update(of=("self",))
        .filter(
            kind=ValueAddedKind.BUSINESS_REPORT,
            status=ValueAddedStatus.SCHEDULED,
            fiscal_year__lt=fiscal_year_of(timezone.localdate(now)),
        )
        .select_related("company", "application")
        .order_by("due_on", "pk")
    )
    count = 0
    for report in due:
        report.status = ValueAddedStatus.REQUESTED
        report.requested_at = now
        report.save(update_fields=["status", "requested_at"])
        audit_record(
            actor=None,
            verb="subsidy_business_report.request",
            target=report,
            company=report.company,
            after={"fiscal_year": report.fiscal_year, "due_on": str(report.due_on)},
        )
        notify_business_report(report, kind="business_report_requested")
        count += 1
    return count


@transaction.atomic
def value_added_remind(*, now: dt.datetime | None = None) -> int:
    """Remind the company of every requested report due within 14 days or overdue, at
    most once a week (counting from the request or the last reminder); an overdue
    事業化状況報告 gets the overdue notice. The number of reminders queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    waiting = (
        ValueAddedReport.objects.select_for_update(of=("self",))
        .filter(status=ValueAddedStatus.REQUESTED, due_on__lte=today + REMIND_BEFORE)
        .select_related("company", "application", "municipality")
        .order_by("due_on", "pk")
    )
    count = 0
    for report in waiting:
        last = report.last_reminded_at or report.requested_at
        if last is not None and timezone.localdate(last) + REMIND_EVERY > today:
            continue
        overdue = report.due_on < today
        report.last_reminded_at = now
        report.save(update_fields=["last_reminded_at"])
        if report.kind == ValueAddedKind.SURVEY:
            _notify_survey(report)
        else:
            notify_business_report(
                report,
                kind="business_report_overdue" if overdue else "business_report_requested",
            )
        audit_record(
            actor=None,
            verb="subsidy_value_added.remind",
            target=report,
            company=report.company,
            after={"overdue": overdue, "due_on": str(report.due_on)},
        )
        count += 1
    return count
