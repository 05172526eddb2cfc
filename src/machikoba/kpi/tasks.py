"""Background work of the KPI dashboard: the scheduled snapshot run."""

from __future__ import annotations

from django_tasks import task

from machikoba.kpi.services import snapshots_refresh
from machikoba.kpi.services.surveys import survey_remind_due


@task()
def kpi_snapshots() -> int:
    """Store this year's figures to date and last year's final figures."""
    return snapshots_refresh()


@task()
def kpi_survey_reminders() -> int:
    """Remind the companies that have not answered a survey round due soon, or overdue."""
    return survey_remind_due()
