"""Writes of the advisor dispatch, one module per topic. Views, the admin and the demo
call only these."""

from machikoba.advisory.services.engagements import (
    advisor_load,
    engagement_assign,
    engagement_cancel,
    engagement_close,
    engagement_dates_update,
    evidence_add,
    phase_complete,
    phase_due_dates,
    phase_note_update,
    phase_start,
)
from machikoba.advisory.services.exports import ExportFile, report_export
from machikoba.advisory.services.measurements import measurement_add, measurement_record_after
from machikoba.advisory.services.requests import (
    support_proposal_accept,
    support_proposal_decline,
    support_request_create,
    support_request_decline,
    support_request_propose,
    support_request_withdraw,
)
from machikoba.advisory.services.roster import advisor_create, advisor_update
from machikoba.advisory.services.visits import (
    is_visit_author,
    visit_log,
    visit_sign_off,
    visit_update,
)

__all__ = [
    "ExportFile",
    "advisor_create",
    "advisor_load",
    "advisor_update",
    "engagement_assign",
    "engagement_cancel",
    "engagement_close",
    "engagement_dates_update",
    "evidence_add",
    "is_visit_author",
    "measurement_add",
    "measurement_record_after",
    "phase_complete",
    "phase_due_dates",
    "phase_note_update",
    "phase_start",
    "report_export",
    "support_proposal_accept",
    "support_proposal_decline",
    "support_request_create",
    "support_request_decline",
    "support_request_propose",
    "support_request_withdraw",
    "visit_log",
    "visit_sign_off",
    "visit_update",
]
