"""Refusal codes of the shop floor's daily reports (日報), their reasons and cost rates."""

from machikoba.core.errors import ErrorCode


class ReportErrorCode(ErrorCode):
    """日報: entries, the review, the company's reasons and its hourly rates."""

    # Who
    NOT_A_MEMBER = "report_not_a_member"
    NOT_WORKER = "report_not_worker"
    NOT_SUPERVISOR = "report_not_supervisor"
    OWN_REVIEW = "report_own_review"
    # What an entry is for
    STEP_NOT_PERFORMED = "report_step_not_performed"
    STEP_FINISHED = "report_step_finished"
    JOB_CANCELLED = "report_job_cancelled"
    # The entry itself
    ENTRY_INVALID = "report_entry_invalid"
    MACHINE_UNKNOWN = "report_machine_unknown"
    REASON_UNKNOWN = "report_reason_unknown"
    DEFECT_REASON_MISSING = "report_defect_reason_missing"
    STOP_REASON_MISSING = "report_stop_reason_missing"
    MINUTES_MISSING = "report_minutes_missing"
    RUNNING_ELSEWHERE = "report_running_elsewhere"
    NOT_RUNNING = "report_not_running"
    TOO_LONG = "report_too_long"
    DATE_INVALID = "report_date_invalid"
    KEY_USED = "report_key_used"
    # Photos
    PHOTO_LIMIT = "report_photo_limit"
    PHOTO_INVALID = "report_photo_invalid"
    # The report's state machine
    LOCKED = "report_locked"
    TRANSITION_NOT_ALLOWED = "report_transition_not_allowed"
    EMPTY = "report_empty"
    STILL_RUNNING = "report_still_running"
    RETURN_NOTE_MISSING = "report_return_note_missing"
    # Master data
    REASON_INVALID = "report_reason_invalid"
    REASON_DUPLICATE = "report_reason_duplicate"
    RATES_INVALID = "report_rates_invalid"
