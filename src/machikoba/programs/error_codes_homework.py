"""Refusal codes of homework, graduation, certificates and the one-year follow-up
(re-exported by ``programs.error_codes``)."""

from machikoba.core.errors import ErrorCode


class HomeworkErrorCode(ErrorCode):
    """Worksheet, ROI estimate, DX plan, comments, graduation and the follow-up."""
