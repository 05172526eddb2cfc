"""Refusal codes of the office's management of calls, stages and their rules."""

from machikoba.core.errors import ErrorCode


class CallOfficeErrorCode(ErrorCode):
    """Calls, stages, categories, attachments, rubric and bonus criteria."""

    # Only the officers of the call's ward manage it.
    OFFICE_NOT_ALLOWED = "subsidy_office_not_allowed"
    CALL_INVALID = "subsidy_call_invalid"
    CALL_NAME_TAKEN = "subsidy_call_name_taken"
    # open < close <= screening <= decision.
    CALL_DATES_OUT_OF_ORDER = "subsidy_call_dates_out_of_order"
    # A date already passed may not change, and none may be set in the past.
    CALL_DATE_PASSED = "subsidy_call_date_passed"
    # The call's budget is below what its stages have set aside.
    CALL_BUDGET_BELOW_STAGES = "subsidy_call_budget_below_stages"
    # The rules applicants rely on are fixed once the window opened ...
    RULES_LOCKED_OPEN = "subsidy_call_rules_locked_open"
    # ... and once any application was submitted.
    RULES_LOCKED_SUBMITTED = "subsidy_call_rules_locked_submitted"
    STAGE_INVALID = "subsidy_stage_invalid"
    STAGE_RATE_INVALID = "subsidy_stage_rate_invalid"
    STAGE_NUMBER_TAKEN = "subsidy_stage_number_taken"
    STAGE_BUDGETS_ABOVE_CALL = "subsidy_stage_budgets_above_call"
    STAGE_BUDGET_BELOW_DECIDED = "subsidy_stage_budget_below_decided"
    CATEGORY_INVALID = "subsidy_category_invalid"
    CATEGORY_CODE_TAKEN = "subsidy_category_code_taken"
    ATTACHMENT_INVALID = "subsidy_attachment_invalid"
    RUBRIC_INVALID = "subsidy_rubric_invalid"
    BONUS_INVALID = "subsidy_bonus_invalid"
    # A stage, category, attachment, rubric line or bonus that applications already use.
    RULE_IN_USE = "subsidy_rule_in_use"
    # A call may require a GビズID-verified representative only once GビズID is configured.
    CALL_GBIZ_NOT_CONFIGURED = "subsidy_call_gbiz_not_configured"
