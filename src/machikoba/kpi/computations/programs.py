"""Measure ①'s outputs and outcome: graduations, the dojo graduates' investments within a
year, and the companies the advisors were dispatched to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Min
from django.db.models.functions import Coalesce

from machikoba.advisory.choices import EngagementStatus
from machikoba.advisory.models import Engagement
from machikoba.kpi.choices import Reason
from machikoba.kpi.computations.base import (
    Figure,
    Record,
    Scope,
    count_figure,
    local_day,
    share_figure,
)
from machikoba.programs.choices import ProgramKind
from machikoba.programs.models import FollowUp, Graduation
from machikoba.subsidies.models import Application

PROGRAM_WARD = "application__cohort__program__municipality"


def graduations(scope: Scope, params: dict[str, Any]) -> Figure:
    rows = Graduation.objects.filter(
        scope.ward_q(PROGRAM_WARD),
        scope.company_q("company"),
        program_kind=params.get("program_kind", ProgramKind.DOJO),
        graduated_on__gte=scope.first_day,
        graduated_on__lte=scope.last_day,
    ).select_related("application__cohort__program")
    records = [
        Record(
            kind="graduation",
            day=g.graduated_on,
            company=g.company_id,
            label=f"{g.application.cohort.program.name} {g.application.cohort.name}",
            ref=g.pk,
        )
        for g in rows.order_by("graduated_on", "pk")
    ]
    return count_figure(records)


def _first_submissions(company_ids: set[int]) -> dict[int, list[dt.date]]:
    """Each company's subsidy applications, by the day each was first submitted."""
    days: dict[int, list[dt.date]] = {}
    rows = (
        Application.objects.filter(company__in=company_ids)
        .annotate(first=Coalesce(Min("snapshots__submitted_at"), F("submitted_at")))
        .filter(first__isnull=False)
        .values_list("company_id", "first")
    )
    for company, first in rows:
        day = local_day(first)
        if day is not None:
            days.setdefault(company, []).append(day)
    return days


def dojo_invested_share(scope: Scope, params: dict[str, Any]) -> Figure:
    """Of the dojo graduates whose first year ended in the period (once per company, its
    earliest such graduation): those that applied for the subsidy, or answered the
    follow-up that they invested, within the window."""
    window = dt.timedelta(days=int(params.get("window_days", 365)))
    rows = Graduation.objects.filter(
        scope.ward_q(PROGRAM_WARD),
        scope.company_q("company"),
        program_kind=ProgramKind.DOJO,
        graduated_on__gte=scope.first_day - window,
        graduated_on__lte=scope.last_day - window,
    ).order_by("graduated_on", "pk")
    first_per_company: dict[int, Graduation] = {}
    for graduation in rows:
        first_per_company.setdefault(graduation.company_id, graduation)
    if not first_per_company:
        return Figure(denominator=None, reason=Reason.NO_DATA)
    submissions = _first_submissions(set(first_per_company))
    invested_on = dict(
        FollowUp.objects.filter(
            graduation__in=[g.pk for g in first_per_company.values()],
            answered_at__isnull=False,
            invested=True,
        ).values_list("graduation_id", "invested_on")
    )
    records = []
    for company, graduation in first_per_company.items():
        end = graduation.graduated_on + window
        applied = [d for d in submissions.get(company, []) if graduation.graduated_on <= d <= end]
        follow = invested_on.get(graduation.pk)
        followed = follow is not None and graduation.graduated_on <= follow <= end
        detail = "subsidy" if applied else ("follow_up" if followed else "none")
        records.append(
            Record(
                kind="graduation",
                day=graduation.graduated_on,
                company=company,
                label=str(end),
                counted=bool(applied) or followed,
                detail=detail,
                ref=graduation.pk,
            )
        )
    return share_figure(records)


def advisory_companies(scope: Scope, params: dict[str, Any]) -> Figure:
    rows = (
        Engagement.objects.filter(
            scope.ward_q("municipality"),
            scope.company_q("company"),
            starts_on__gte=scope.first_day,
            starts_on__lte=scope.last_day,
        )
        .exclude(status=EngagementStatus.CANCELLED)
        .order_by("starts_on", "pk")
    )
    seen: set[int] = set()
    records = []
    for engagement in rows:
        records.append(
            Record(
                kind="engagement",
                day=engagement.starts_on,
                company=engagement.company_id,
                label=engagement.get_status_display(),
                counted=engagement.company_id not in seen,
                ref=engagement.pk,
            )
        )
        seen.add(engagement.company_id)
    return count_figure(records)
