"""Machine-readable refusal codes of the board app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``).
"""

from machikoba.core.errors import ErrorCode


class BoardErrorCode(ErrorCode):
    ADMISSION_DECIDED = "admission_decided"
    ADMISSION_EXISTS = "admission_exists"
    BUYER_REGISTRATION_LIMIT = "buyer_registration_limit"
    HAND_EXISTS = "hand_exists"
    HAND_INVALID = "hand_invalid"
    HAND_RFQ_INVALID = "hand_rfq_invalid"
    MEMBER_ANSWERED = "member_answered"
    MEMBER_DATE_PASSED = "member_date_passed"
    MEMBER_EXISTS = "member_exists"
    MEMBER_NOT_IN_TEAM = "member_not_in_team"
    MEMBER_NOT_JOINED = "member_not_joined"
    MEMBER_QUOTE_INVALID = "member_quote_invalid"
    MEMBER_REMOVE_INVALID = "member_remove_invalid"
    MEMBER_STARTED = "member_started"
    MEMBER_UNASSIGNED = "member_unassigned"
    NDA_NOT_ACCEPTED = "nda_not_accepted"
    NOT_A_JOB_POSTING = "not_a_job_posting"
    NOT_ADMITTED = "not_admitted"
    NOT_JOINT = "not_joint"
    NOT_NETWORK_SHOP = "not_network_shop"
    NOT_SIGNED_IN = "not_signed_in"
    ORDER_INVALID = "order_invalid"
    OWN_REQUEST = "own_request"
    QUOTE_EXPIRED = "quote_expired"
    REMOVE_LEAD = "remove_lead"
    REQUEST_CANCELLED = "request_cancelled"
    REQUEST_CLOSED = "request_closed"
    REQUEST_INVALID = "request_invalid"
    REQUEST_NOT_OPEN = "request_not_open"
    REQUEST_NOT_VISIBLE = "request_not_visible"
    REQUEST_WORK_STARTED = "request_work_started"
    TEAM_CLOSED = "team_closed"
    TEAM_EXISTS = "team_exists"
    TEAM_INCOMPLETE = "team_incomplete"
    TEAM_INVALID = "team_invalid"
    TEAM_NOT_FORMING = "team_not_forming"
    TEAM_NOT_QUOTED = "team_not_quoted"
    TEAM_QUOTE_INVALID = "team_quote_invalid"
    THREAD_NOT_ALLOWED = "thread_not_allowed"
