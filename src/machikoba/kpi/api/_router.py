"""The KPI API's one router; its operations live in the modules beside it."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["kpi"])
