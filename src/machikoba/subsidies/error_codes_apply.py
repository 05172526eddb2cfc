"""Refusal codes of the application wizard, submission, 差戻し and resubmission."""

from machikoba.core.errors import ErrorCode


class ApplyErrorCode(ErrorCode):
    """The applicant's side: drafts, expenses, documents, consent, submission."""

    NOT_ALLOWED = "subsidy_apply_not_allowed"
    WRONG_WARD = "subsidy_apply_wrong_ward"
    NOT_MANUFACTURER = "subsidy_apply_not_manufacturer"
    CALL_NOT_OPEN = "subsidy_call_not_open"
    DEADLINE_PASSED = "subsidy_deadline_passed"
    ALREADY_APPLIED = "subsidy_already_applied"
    NOT_EDITABLE = "subsidy_application_not_editable"
    PLAN_INVALID = "subsidy_plan_invalid"
    PLAN_INCOMPLETE = "subsidy_plan_incomplete"
    PARTNERS_NOT_ALLOWED = "subsidy_partners_not_allowed"
    EXPENSE_INVALID = "subsidy_expense_invalid"
    NO_EXPENSES = "subsidy_no_expenses"
    INELIGIBLE_EXPENSE = "subsidy_ineligible_expense"
    BELOW_MINIMUM = "subsidy_below_minimum"
    QUOTES_MISSING = "subsidy_quotes_missing"
    DOCUMENT_INVALID = "subsidy_document_invalid"
    ATTACHMENTS_MISSING = "subsidy_attachments_missing"
    EXPERT_EVALUATION_MISSING = "subsidy_expert_evaluation_missing"
    CONSENT_MISSING = "subsidy_consent_missing"
    CONSENT_NOT_ALLOWED = "subsidy_consent_not_allowed"
    GBIZ_REQUIRED = "subsidy_gbiz_required"
