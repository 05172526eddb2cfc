"""Machine-readable refusal codes of the advisory app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``).
"""

from machikoba.core.errors import ErrorCode


class AdvisoryErrorCode(ErrorCode):
    """Roster, requests, engagements, phases, visits and measurements."""

    # roster
    NOT_WARD_OFFICER = "advisory_not_ward_officer"
    ADVISOR_INVALID = "advisory_advisor_invalid"
    ADVISOR_EXISTS = "advisory_advisor_exists"
    # requests
    REQUEST_INVALID = "advisory_request_invalid"
    REQUEST_PENDING = "advisory_request_pending"
    REQUEST_STATE = "advisory_request_state"
    NOT_COMPANY_EDITOR = "advisory_not_company_editor"
    NOT_COMPANY_OWNER = "advisory_not_company_owner"
    REASON_REQUIRED = "advisory_reason_required"
    # engagements and phases
    TEAM_EMPTY = "advisory_team_empty"
    ADVISOR_UNAVAILABLE = "advisory_advisor_unavailable"
    ADVISOR_OVER_CAPACITY = "advisory_advisor_over_capacity"
    ENGAGEMENT_INVALID = "advisory_engagement_invalid"
    ENGAGEMENT_NOT_ACTIVE = "advisory_engagement_not_active"
    NOT_ON_TEAM = "advisory_not_on_team"
    PHASE_STATE = "advisory_phase_state"
    PHASE_OUT_OF_ORDER = "advisory_phase_out_of_order"
    PHASES_NOT_DONE = "advisory_phases_not_done"
    EVIDENCE_INVALID = "advisory_evidence_invalid"
    # visits
    VISIT_INVALID = "advisory_visit_invalid"
    VISIT_OVERLAP = "advisory_visit_overlap"
    VISIT_IN_FUTURE = "advisory_visit_in_future"
    VISIT_SIGNED_OFF = "advisory_visit_signed_off"
    NOT_VISIT_AUTHOR = "advisory_not_visit_author"
    # measurements
    MEASUREMENT_INVALID = "advisory_measurement_invalid"
    # exports
    EXPORT_INVALID = "advisory_export_invalid"
