"""shopfloor API: the machine schedule (plans, steps, calendar, hand moves), the daily
reports (日報) with their review, reasons, rates and job costs, and the floor's metrics
(the live board, a machine's day, a period's figures, shifts), through the same
selectors, services and access layer as the pages."""

from __future__ import annotations

from machikoba.shopfloor.api import metrics, reports, schedule  # noqa: F401  (operations)
from machikoba.shopfloor.api._router import router

__all__ = ["router"]
