"""The application's state machine as a table (as ``network.transitions`` holds the job's):
which status may follow which. Services check it before a step
(``services.internal.application_transition``); pages read it to show only the buttons the
application's state allows. Plain data and one predicate: no writes."""

from __future__ import annotations

from machikoba.subsidies.choices import ApplicationStatus as S
from machikoba.subsidies.models import Application

# to-status → the statuses it may follow.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.DRAFT, S.RETURNED),
    S.RETURNED: (S.SUBMITTED,),
    S.SCREENING: (S.SUBMITTED,),
    S.INELIGIBLE: (S.SUBMITTED,),
    S.SELECTED: (S.SCREENING,),
    S.NOT_SELECTED: (S.SCREENING,),
    S.GRANT_REQUESTED: (S.SELECTED,),
    # 交付決定; and back to it when 確定検査 returns the 実績報告 for correction.
    S.GRANTED: (S.GRANT_REQUESTED, S.REPORTED),
    S.REPORTED: (S.GRANTED,),
    S.CONFIRMED: (S.REPORTED,),
    S.PAID: (S.CONFIRMED,),
    S.WITHDRAWN: (
        S.DRAFT,
        S.SUBMITTED,
        S.RETURNED,
        S.SCREENING,
        S.SELECTED,
        S.GRANT_REQUESTED,
        S.GRANTED,
    ),
}


def may_move(application: Application, to: str) -> bool:
    """Whether the table lets ``application`` move to ``to`` from where it stands."""
    return application.status in TRANSITIONS.get(to, ())
