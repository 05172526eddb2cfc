"""Background work of the subsidies app (run by ``manage.py db_worker``)."""

from django_tasks import task

from machikoba.subsidies.services.value_added import (
    business_reports_request_due,
    value_added_remind,
)


@task()
def value_added_reports() -> int:
    """Queued by the scheduler (hourly): request each scheduled 事業化状況報告 whose fiscal
    year has ended, then remind the companies whose requested reports (and survey answers)
    are due within 14 days or overdue, at most once a week each. The notices queued."""
    return business_reports_request_due() + value_added_remind()
