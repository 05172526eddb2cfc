"""Refusal codes of what IT vendors do at the lab: demo slots and their seats,
consultations (導入相談) and software trials."""

from machikoba.core.errors import ErrorCode


class VendorErrorCode(ErrorCode):
    """demo slots, demo seats, consultations and software trials."""

    # who acts
    NOT_VENDOR_EDITOR = "lab_vendor_not_editor"
    NOT_SHOP_MEMBER = "lab_vendor_not_shop_member"
    NOT_SHOP_EDITOR = "lab_vendor_not_shop_editor"
    NOT_AN_EXHIBIT = "lab_vendor_not_an_exhibit"
    OWN_EXHIBIT = "lab_vendor_own_exhibit"
    # demo slots
    DEMO_INVALID = "lab_demo_invalid"
    DEMO_IN_PAST = "lab_demo_in_past"
    DEMO_TOO_FAR = "lab_demo_too_far"
    DEMO_OUTSIDE_HOURS = "lab_demo_outside_hours"
    DEMO_OVERLAPS_DEMO = "lab_demo_overlaps_demo"
    DEMO_OVERLAPS_BOOKING = "lab_demo_overlaps_booking"
    DEMO_CANCELLED = "lab_demo_cancelled"
    DEMO_STARTED = "lab_demo_started"
    # seats
    DEMO_FULL = "lab_demo_full"
    DEMO_ALREADY_BOOKED = "lab_demo_already_booked"
    DEMO_SEAT_NOT_DEMO = "lab_demo_seat_not_demo"
    # consultations
    CONSULTATION_INVALID = "lab_consultation_invalid"
    CONSULTATION_STATE = "lab_consultation_state"
    # software trials
    TRIAL_NOT_OFFERED = "lab_trial_not_offered"
    TRIAL_OPEN_EXISTS = "lab_trial_open_exists"
    TRIAL_INVALID = "lab_trial_invalid"
    TRIAL_STATE = "lab_trial_state"
    TRIAL_START_PAST = "lab_trial_start_past"
    TRIAL_TOO_LONG = "lab_trial_too_long"
    TRIAL_NOT_DUE = "lab_trial_not_due"
