"""subsidies API: the three-stage DX subsidy through the same selectors, services and
access layer as the pages: the calls and a company's applications (drafts, expenses,
quotes and attachments through the same upload service, consent, submission,
withdrawal), screening for the ward's officers and the reviewers, the grant steps, the
completion report, the 確定検査 and the payment. Officers reach their own ward's rows
only; another company nothing."""

from __future__ import annotations

from machikoba.subsidies.api import after, apply, screening  # noqa: F401  (operations)
from machikoba.subsidies.api._router import router

__all__ = ["router"]
