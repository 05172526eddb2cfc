"""Measure ②'s figures from the subsidy records: applications, grant decisions per stage,
and the completion reports' effect question."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Min
from django.db.models.functions import Coalesce

from machikoba.kpi.choices import Reason
from machikoba.kpi.computations.base import (
    Figure,
    Record,
    Scope,
    count_figure,
    local_day,
    share_figure,
)
from machikoba.subsidies.choices import GRANTED_STATUSES, ReportStatus
from machikoba.subsidies.models import Application
from machikoba.subsidies.models_after import CompletionReport

CALL_WARD = "stage__call__municipality"


def subsidy_applications(scope: Scope, params: dict[str, Any]) -> Figure:
    """Applications by the day they were first submitted (a resubmission after a 差戻し
    is the same application)."""
    rows = (
        Application.objects.filter(scope.ward_q(CALL_WARD), scope.company_q("company"))
        .annotate(first=Coalesce(Min("snapshots__submitted_at"), F("submitted_at")))
        .filter(first__gte=scope.start, first__lt=scope.until)
        .select_related("stage")
        .order_by("first", "pk")
    )
    records = [
        Record(
            kind="application",
            day=local_day(a.first),
            company=a.company_id,
            label=a.reference or str(a.pk),
            detail=str(a.stage.number),
            ref=a.pk,
        )
        for a in rows
    ]
    return count_figure(records)


def grants(scope: Scope, params: dict[str, Any]) -> Figure:
    """Grant decisions (交付決定) of one stage dated in the period; a grant later withdrawn
    no longer counts."""
    rows = (
        Application.objects.filter(scope.ward_q(CALL_WARD), scope.company_q("company"))
        .filter(
            status__in=GRANTED_STATUSES,
            stage__number=int(params.get("stage", 1)),
            decided_at__gte=scope.start,
            decided_at__lt=scope.until,
        )
        .order_by("decided_at", "pk")
    )
    records = [
        Record(
            kind="application",
            day=local_day(a.decided_at),
            company=a.company_id,
            label=a.reference or str(a.pk),
            detail=str(a.decided_amount or ""),
            ref=a.pk,
        )
        for a in rows
    ]
    return count_figure(records)


def completion_effect_share(scope: Scope, params: dict[str, Any]) -> Figure:
    rows = (
        CompletionReport.objects.filter(
            scope.ward_q(f"application__{CALL_WARD}"),
            scope.company_q("application__company"),
            status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED),
            submitted_at__gte=scope.start,
            submitted_at__lt=scope.until,
        )
        .select_related("application")
        .order_by("submitted_at", "pk")
    )
    records = [
        Record(
            kind="completion_report",
            day=local_day(r.submitted_at),
            company=r.application.company_id,
            label=r.application.reference or str(r.application_id),
            counted=r.felt_any_effect,
            ref=r.application_id,
        )
        for r in rows
    ]
    return share_figure(records, empty_reason=Reason.NO_DATA)
