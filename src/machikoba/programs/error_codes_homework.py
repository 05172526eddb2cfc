"""Refusal codes of homework, graduation, certificates and the one-year follow-up
(re-exported by ``programs.error_codes``)."""

from machikoba.core.errors import ErrorCode


class HomeworkErrorCode(ErrorCode):
    """Worksheet, ROI estimate, DX plan, comments, graduation and the follow-up."""

    # Only the company's owner/staff or the participant write homework, and only while
    # the application holds a seat.
    HOMEWORK_NOT_WRITER = "homework_not_writer"
    HOMEWORK_CLOSED = "homework_closed"
    # Only the cohort's instructors and the ward's officers review (comment, decide).
    HOMEWORK_NOT_REVIEWER = "homework_not_reviewer"
    WORKSHEET_ITEM_INVALID = "worksheet_item_invalid"
    WORKSHEET_FULL = "worksheet_full"
    ROI_INVALID = "roi_invalid"
    PLAN_INVALID = "plan_invalid"
    PLAN_NOT_EDITABLE = "plan_not_editable"
    PLAN_INCOMPLETE = "plan_incomplete"
    PLAN_NOT_SUBMITTED = "plan_not_submitted"
    PLAN_RETURN_NEEDS_COMMENT = "plan_return_needs_comment"
    COMMENT_INVALID = "homework_comment_invalid"
    GRADUATION_NOT_ALLOWED = "graduation_not_allowed"
    GRADUATION_TOO_EARLY = "graduation_too_early"
    FOLLOW_UP_NOT_ALLOWED = "follow_up_not_allowed"
    FOLLOW_UP_INVALID = "follow_up_invalid"
