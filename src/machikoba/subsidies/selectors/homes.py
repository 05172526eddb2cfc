"""What the home pages show of the DX subsidy: on a shop's home, the calls open to it, its
applications with the one thing each waits for, and the value-added reports it owes; on an
officer's home, the ward's calls open now, what waits for the office and the reports
overdue. Everything is read through the access layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import MANAGE, VIEW
from machikoba.subsidies.choices import ApplicationStatus as S
from machikoba.subsidies.choices import ValueAddedStatus
from machikoba.subsidies.models import Application, Call
from machikoba.subsidies.models_after import ValueAddedReport

# What the company does next, by status (statuses waiting for the office say so).
_NEXT_FOR_COMPANY: dict[str, Any] = {
    S.DRAFT: _("下書き: 続きを入力して提出する"),
    S.RETURNED: _("差戻し: 直して、もう一度提出する"),
    S.SUBMITTED: _("提出済み: 区が内容を確認しています"),
    S.SCREENING: _("審査中: 結果をお待ちください"),
    S.SELECTED: _("採択: 交付申請をする"),
    S.GRANT_REQUESTED: _("交付申請済み: 交付決定をお待ちください"),
    S.GRANTED: _("交付決定: 事業が終わったら実績報告をする"),
    S.REPORTED: _("実績報告済み: 確定検査をお待ちください"),
    S.CONFIRMED: _("額の確定: 支払をお待ちください"),
}
# Statuses the company acts on (the button is primary).
_COMPANY_ACTS = (S.DRAFT, S.RETURNED, S.SELECTED, S.GRANTED)


@dataclass(frozen=True)
class HomeApplication:
    application: Application
    next_step: str
    acts: bool


@dataclass(frozen=True)
class SubsidyHomeCard:
    open_calls: int
    applications: list[HomeApplication] = field(default_factory=list)
    reports_due: list[ValueAddedReport] = field(default_factory=list)
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def is_empty(self) -> bool:
        return not (self.open_calls or self.applications or self.reports_due)


def _open_now(calls: QuerySet[Call]) -> QuerySet[Call]:
    now = timezone.now()
    return calls.filter(opens_at__lte=now, closes_at__gte=now)


def home_card(user: User, company: Company) -> SubsidyHomeCard:
    """The shop's subsidy line on its home: calls open to ``company`` now, its live
    applications (not those finished or closed) and the value-added reports it owes."""
    calls = _open_now(Call.objects.for_user(user, VIEW).filter(municipality=company.ward_id))
    live = (
        Application.objects.for_user(user, VIEW)
        .filter(company=company, status__in=list(_NEXT_FOR_COMPANY))
        .select_related("stage__call")
        .order_by("-updated_at", "-pk")[:5]
    )
    reports = (
        ValueAddedReport.objects.for_user(user, VIEW)
        .filter(company=company, status=ValueAddedStatus.REQUESTED)
        .order_by("due_on", "pk")
    )
    return SubsidyHomeCard(
        open_calls=calls.count(),
        applications=[
            HomeApplication(
                application=application,
                next_step=str(_NEXT_FOR_COMPANY[application.status]),
                acts=application.status in _COMPANY_ACTS,
            )
            for application in live
        ],
        reports_due=list(reports),
    )


@dataclass(frozen=True)
class SubsidyOfficeSummary:
    open_calls: int
    to_check: int  # submitted, waiting for the eligibility check
    to_decide: int  # 交付申請 waiting for 交付決定, and 実績報告 waiting for 確定検査
    overdue_reports: int


def office_summary(user: User) -> SubsidyOfficeSummary:
    """The ward's subsidy figures on an officer's home: the calls and applications they
    manage (their wards'), not those of a company they might also belong to."""
    calls = Call.objects.for_user(user, MANAGE)
    counts = Application.objects.for_user(user, MANAGE).aggregate(
        to_check=Count("pk", filter=Q(status=S.SUBMITTED)),
        to_decide=Count("pk", filter=Q(status__in=(S.GRANT_REQUESTED, S.REPORTED))),
    )
    overdue = (
        ValueAddedReport.objects.for_user(user, MANAGE)
        .filter(status=ValueAddedStatus.REQUESTED, due_on__lt=timezone.localdate())
        .count()
    )
    return SubsidyOfficeSummary(
        open_calls=_open_now(calls).count(),
        to_check=counts["to_check"],
        to_decide=counts["to_decide"],
        overdue_reports=overdue,
    )
