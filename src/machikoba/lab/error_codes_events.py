"""Refusal codes of events, registrations and surveys."""

from machikoba.core.errors import ErrorCode


class EventErrorCode(ErrorCode):
    """events, registrations and surveys."""

    TRANSITION_NOT_ALLOWED = "lab_registration_transition_not_allowed"
    # The events themselves (lab staff).
    NOT_LAB_STAFF = "lab_event_not_lab_staff"
    EVENT_INVALID = "lab_event_invalid"
    EVENT_NOT_DRAFT = "lab_event_not_draft"
    EVENT_ENDED = "lab_event_ended"
    CAPACITY_BELOW_REGISTERED = "lab_event_capacity_below_registered"
    # Registering and cancelling.
    EVENT_NOT_OPEN = "lab_event_not_open"
    EVENT_CANCELLED = "lab_event_cancelled"
    EVENT_STARTED = "lab_event_started"
    REGISTRATION_CLOSED = "lab_event_registration_closed"
    ALREADY_REGISTERED = "lab_event_already_registered"
    NOT_A_MEMBER = "lab_event_not_a_member"
    VISITOR_INVALID = "lab_event_visitor_invalid"
    CANCEL_TOO_LATE = "lab_event_cancel_too_late"
    REGISTRATION_NOT_YOURS = "lab_event_registration_not_yours"
    # Attendance and training records.
    ATTENDANCE_TOO_EARLY = "lab_event_attendance_too_early"
    NOT_A_TRAINING_SESSION = "lab_event_not_a_training_session"
    NOTHING_TO_RECORD = "lab_event_nothing_to_record"
    # The survey.
    NOT_ATTENDED = "lab_event_survey_not_attended"
    SURVEY_ALREADY_ANSWERED = "lab_event_survey_already_answered"
    SURVEY_INVALID = "lab_event_survey_invalid"
