"""advisory API: the advisor dispatch through the same selectors, services and access
layer as the pages, for the company (its requests, the ward's proposals, signing visits
off), the advisor (their engagements, visits, phases, evidence, measurements) and the ward
office (inbox, roster, proposals, teams, dates, hours, exports)."""

from __future__ import annotations

from machikoba.advisory.api import company, engagement, office  # noqa: F401  (operations)
from machikoba.advisory.api._router import router

__all__ = ["router"]
