"""Machine-readable refusal codes of the programs app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``). Homework's codes are in ``error_codes_homework``.
"""

from machikoba.core.errors import ErrorCode
from machikoba.programs.error_codes_homework import HomeworkErrorCode  # noqa: F401


class ProgramErrorCode(ErrorCode):
    """Programmes, cohorts, applications, the waitlist and attendance."""

    # Applications and the waitlist (programs.services.applications)
    APPLICATION_NOT_ALLOWED = "application_not_allowed"
    APPLICATION_PARTICIPANT_INVALID = "application_participant_invalid"
    APPLICATION_WINDOW_CLOSED = "application_window_closed"
    APPLICATION_COMPANY_UNVERIFIED = "application_company_unverified"
    APPLICATION_WARD_INELIGIBLE = "application_ward_ineligible"
    APPLICATION_COMPANY_LIMIT = "application_company_limit"
    APPLICATION_DUPLICATE = "application_duplicate"
    APPLICATION_NOT_ACTIVE = "application_not_active"
    APPLICATION_REASON_REQUIRED = "application_reason_required"
    APPLICATION_INVALID = "application_invalid"
    # Attendance: QR check-in and roll-call (programs.services.attendance)
    CHECKIN_CODE_UNKNOWN = "checkin_code_unknown"
    CHECKIN_OUTSIDE_WINDOW = "checkin_outside_window"
    CHECKIN_NOT_PARTICIPANT = "checkin_not_participant"
    ATTENDANCE_NOT_ALLOWED = "attendance_not_allowed"
    ATTENDANCE_NOT_PARTICIPANT = "attendance_not_participant"
    ATTENDANCE_INVALID = "attendance_invalid"
    # The office: programmes, cohorts, sessions, materials (programs.services.programs,
    # programs.services.materials)
    OFFICE_NOT_ALLOWED = "office_not_allowed"
    OFFICE_PROGRAM_INVALID = "office_program_invalid"
    OFFICE_COHORT_INVALID = "office_cohort_invalid"
    OFFICE_COHORT_NAME_TAKEN = "office_cohort_name_taken"
    OFFICE_CAPACITY_BELOW_ACCEPTED = "office_capacity_below_accepted"
    OFFICE_INSTRUCTOR_NOT_ALLOWED = "office_instructor_not_allowed"
    OFFICE_SESSION_INVALID = "office_session_invalid"
    OFFICE_SESSION_NUMBER_TAKEN = "office_session_number_taken"
    OFFICE_MATERIAL_INVALID = "office_material_invalid"
    OFFICE_MATERIAL_TYPE = "office_material_type"
