"""Machine-readable refusal codes of the shopfloor app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``).
"""

from machikoba.core.errors import ErrorCode


class ShopfloorErrorCode(ErrorCode):
    CALENDAR_INVALID = "calendar_invalid"
    MOVE_INVALID = "move_invalid"
    NOT_PERFORMER = "not_performer"
    NOT_SCHEDULE_EDITOR = "not_schedule_editor"
    OPERATION_FROZEN = "operation_frozen"
    PLAN_INVALID = "plan_invalid"
    PLAN_INVALID_INPUT = "plan_invalid_input"
    PLAN_NO_MACHINES = "plan_no_machines"
    PLAN_NOTHING = "plan_nothing"
    PLAN_OUTDATED = "plan_outdated"
    PLAN_RUNNING = "plan_running"
    PLAN_TOO_LARGE = "plan_too_large"
    STEP_WORK_INVALID = "step_work_invalid"


from machikoba.shopfloor.error_codes_metrics import MetricErrorCode  # noqa: E402, F401
from machikoba.shopfloor.error_codes_reports import ReportErrorCode  # noqa: E402, F401
