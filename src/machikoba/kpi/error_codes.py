"""Machine-readable refusal codes of the KPI dashboard (the ``code`` of an
ApplicationError); docs/error-codes.md lists them (``python manage.py error_codes``)."""

from machikoba.core.errors import ErrorCode


class KpiErrorCode(ErrorCode):
    """Definitions, targets, snapshots, public pages and the company survey."""

    NOT_WARD_OFFICER = "kpi_not_ward_officer"
    NOT_PLATFORM_ADMIN = "kpi_not_platform_admin"
    TARGET_INVALID = "kpi_target_invalid"
    DEFINITION_INVALID = "kpi_definition_invalid"
    FISCAL_YEAR_INVALID = "kpi_fiscal_year_invalid"
    WARD_NOT_READABLE = "kpi_ward_not_readable"
    SURVEY_ROUND_INVALID = "kpi_survey_round_invalid"
    SURVEY_ROUND_EXISTS = "kpi_survey_round_exists"
    SURVEY_ROUND_STATE = "kpi_survey_round_state"
    SURVEY_DUE_PASSED = "kpi_survey_due_passed"
    SURVEY_CLOSED = "kpi_survey_closed"
    SURVEY_ANSWER_INVALID = "kpi_survey_answer_invalid"
    NOT_SURVEY_COMPANY = "kpi_not_survey_company"
