"""board API: the open board (requests, admissions, hands, hand RFQs, cancel, award, the
threads with the poster), joint orders (teams, invitations, assignments, the split, the
quotes) and buyer registration, through the same selectors, services and access layer as
the pages. Prices, identities and details are masked exactly as on the pages."""

from __future__ import annotations

from machikoba.board.api import requests, teams  # noqa: F401  (operations)
from machikoba.board.api._router import router

__all__ = ["router"]
