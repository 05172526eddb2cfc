"""Refusal codes of the shop floor's metrics."""

from machikoba.core.errors import ErrorCode


class MetricErrorCode(ErrorCode):
    """Filled in by the metrics topic."""

    INVALID = "metric_invalid"
