"""Refusal codes of the shop floor's metrics: the period or day asked for, and the shifts."""

from machikoba.core.errors import ErrorCode


class MetricErrorCode(ErrorCode):
    """稼働率・OEE: the pages' dates, and the company's shifts."""

    DATE_INVALID = "metric_date_invalid"
    PERIOD_INVALID = "metric_period_invalid"
    NOT_EDITOR = "metric_not_editor"
    SHIFT_INVALID = "metric_shift_invalid"
    SHIFT_OVERLAP = "metric_shift_overlap"
    SHIFT_NAME_TAKEN = "metric_shift_name_taken"
    SHIFT_LIMIT = "metric_shift_limit"
