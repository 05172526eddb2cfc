"""Refusal codes of bookings, the waitlist, demo slots, consultations and software trials."""

from machikoba.core.errors import ErrorCode


class BookingErrorCode(ErrorCode):
    """bookings, the waitlist, demo slots, consultations and software trials."""

    TRANSITION_NOT_ALLOWED = "lab_booking_transition_not_allowed"
    # Who books
    NOT_A_MEMBER = "lab_booking_not_a_member"
    COMPANY_NOT_ELIGIBLE = "lab_booking_company_not_eligible"
    NOT_BOOKER = "lab_booking_not_booker"
    # What and when
    ITEM_INACTIVE = "lab_booking_item_inactive"
    ITEM_NOT_BOOKABLE = "lab_booking_item_not_bookable"
    INVALID_TIMES = "lab_booking_invalid_times"
    IN_THE_PAST = "lab_booking_in_the_past"
    TOO_FAR_AHEAD = "lab_booking_too_far_ahead"
    CLOSED_DAY = "lab_booking_closed_day"
    OUTSIDE_HOURS = "lab_booking_outside_hours"
    OFF_GRID = "lab_booking_off_grid"
    INVALID_INPUT = "lab_booking_invalid_input"
    # The rules of the lab
    TRAINING_MISSING = "lab_booking_training_missing"
    NO_SHOW_BLOCKED = "lab_booking_no_show_blocked"
    DEMO_SLOT = "lab_booking_demo_slot"
    CAPACITY_FULL = "lab_booking_capacity_full"
    MONTHLY_HOURS = "lab_booking_monthly_hours"
    CUTOFF_PASSED = "lab_booking_cutoff_passed"
    UNCHANGED = "lab_booking_unchanged"
    NOT_STARTED = "lab_booking_not_started"
    # The waitlist
    WAITLIST_NOT_FULL = "lab_waitlist_not_full"
    WAITLIST_DUPLICATE = "lab_waitlist_duplicate"
    WAITLIST_NOT_OPEN = "lab_waitlist_not_open"
    OFFER_EXPIRED = "lab_waitlist_offer_expired"
