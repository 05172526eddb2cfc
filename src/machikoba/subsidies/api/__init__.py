"""subsidies API: the three-stage DX subsidy through the same selectors, services and
access layer as the pages: the calls and a company's applications (drafts, expenses,
quotes and attachments through the same upload service, consent, submission,
withdrawal), the bonus claims and the 採択/不採択 notice, screening for the ward's officers
and the reviewers, the grant steps, the completion report, the 確定検査 and the payment,
the value-added reports and the yearly survey, and the office's set-up of a call (its
stages, their rules, the rubric and bonus points) with the export of its applications.
Officers reach their own ward's rows only; another company nothing."""

from __future__ import annotations

from machikoba.subsidies.api import (  # noqa: F401  (operations)
    after,
    apply,
    bonus,
    notices,
    office,
    office_rules,
    screening,
    value_added,
)
from machikoba.subsidies.api._router import router

__all__ = ["router"]
