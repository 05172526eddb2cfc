"""Refusal codes of the entry log (入退館) and the kiosk."""

from machikoba.core.errors import ErrorCode


class VisitErrorCode(ErrorCode):
    """the entry log (入退館) and the kiosk."""

    # The QR codes (a refusal the kiosk or the phone shows, recorded when the person is known).
    CODE_INVALID = "lab_entry_code_invalid"
    CODE_EXPIRED = "lab_entry_code_expired"
    CODE_USED = "lab_entry_code_used"
    # The person and the lab.
    ACCOUNT_INACTIVE = "lab_entry_account_inactive"
    ALREADY_IN = "lab_entry_already_in"
    NOT_IN = "lab_entry_not_in"
    CLOSED = "lab_entry_closed"
    LAB_UNAVAILABLE = "lab_entry_lab_unavailable"
    # The desk.
    NOT_STAFF = "lab_entry_not_staff"
    DIRECTION_UNKNOWN = "lab_entry_direction_unknown"
    USER_NOT_FOUND = "lab_entry_user_not_found"
    COMPANY_NOT_FOUND = "lab_visitor_company_not_found"
    VISITOR_INVALID = "lab_visitor_invalid"
