"""The functions that compute the indicators, by the name a ``Definition.computation``
gives. Each takes a ``Scope`` and the definition's ``params`` and returns a ``Figure``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from machikoba.kpi.computations import ecosystem, programs, subsidies, surveys
from machikoba.kpi.computations.base import Figure, Record, Scope

Computation = Callable[[Scope, dict[str, Any]], Figure]

REGISTRY: dict[str, Computation] = {
    "productivity_growth": surveys.productivity_growth,
    "dx_engaged_share": surveys.dx_engaged_share,
    "recipient_growth_gap": surveys.recipient_growth_gap,
    "dojo_invested_share": programs.dojo_invested_share,
    "graduations": programs.graduations,
    "advisory_companies": programs.advisory_companies,
    "subsidy_applications": subsidies.subsidy_applications,
    "grants": subsidies.grants,
    "completion_effect_share": subsidies.completion_effect_share,
    "joint_work": ecosystem.joint_work,
    "lab_visits": ecosystem.lab_visits,
    "matchings": ecosystem.matchings,
    "events_held": ecosystem.events_held,
    "network_active": ecosystem.network_active,
    "university_projects": ecosystem.university_projects,
}

__all__ = ["REGISTRY", "Computation", "Figure", "Record", "Scope"]
