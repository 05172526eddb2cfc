"""Refusal codes after the selection: 交付申請, 交付決定, 計画変更, 実績報告, 確定検査, payment,
事業化状況報告 and the value-added survey."""

from machikoba.core.errors import ErrorCode


class AfterSelectionErrorCode(ErrorCode):
    """From 交付申請 to the fifth 事業化状況報告."""

    # Who may act.
    NOT_COMPANY = "subsidy_after_not_company"
    NOT_OFFICER = "subsidy_after_not_officer"
    # 交付申請 and 交付決定.
    GRANT_REQUEST_INVALID = "subsidy_grant_request_invalid"
    GRANT_AMOUNT_INVALID = "subsidy_grant_amount_invalid"
    GRANT_ABOVE_REQUESTED = "subsidy_grant_above_requested"
    GRANT_REASON_REQUIRED = "subsidy_grant_reason_required"
    # 計画変更申請.
    CHANGE_REQUEST_INVALID = "subsidy_change_request_invalid"
    CHANGE_REQUEST_PENDING = "subsidy_change_request_pending"
    CHANGE_REQUEST_DECIDED = "subsidy_change_request_decided"
    CHANGE_DECISION_INVALID = "subsidy_change_decision_invalid"
    # 実績報告.
    REPORT_NOT_OPEN = "subsidy_report_not_open"
    REPORT_INVALID = "subsidy_report_invalid"
    ACTUAL_EXPENSE_INVALID = "subsidy_actual_expense_invalid"
    PROOF_INVALID = "subsidy_proof_invalid"
    REPORT_EMPTY = "subsidy_report_empty"
    REPORT_ABOVE_PLAN = "subsidy_report_above_plan"
    REPORT_PROOFS_MISSING = "subsidy_report_proofs_missing"
    REPORT_SURVEY_UNANSWERED = "subsidy_report_survey_unanswered"
    REPORT_COMPLETED_IN_FUTURE = "subsidy_report_completed_in_future"
    # 確定検査 and payment.
    INSPECTION_COMMENT_REQUIRED = "subsidy_inspection_comment_required"
    CONFIRMED_AMOUNT_ZERO = "subsidy_confirmed_amount_zero"
    PAYMENT_INVALID = "subsidy_payment_invalid"
    # 事業化状況報告 and the yearly survey.
    VALUE_ADDED_NOT_OPEN = "subsidy_value_added_not_open"
    VALUE_ADDED_INVALID = "subsidy_value_added_invalid"
    SURVEY_YEAR_INVALID = "subsidy_survey_year_invalid"
