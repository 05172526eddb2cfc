"""KPI API: the indicators of a ward or of every ward together (with the dashboard's
small-number suppression and ward scoping: officers read their ward, the metro viewer the
wards it serves and every ward together, aggregates only), one indicator with its trend
and the records behind it (also as CSV), the wards side by side, the downloads (every
indicator as CSV or Excel, the wards side by side, the annual report PDF), a ward's own
targets and its public page (published: readable by anyone), the yearly company survey
(the office's rounds; a company's requests and answers). Through the same selectors,
services and access layer as the pages."""

from __future__ import annotations

from machikoba.kpi.api import (  # noqa: F401  (operations)
    exports,
    indicators,
    my_surveys,
    public,
    surveys,
    targets,
)
from machikoba.kpi.api._router import router

__all__ = ["router"]
