"""Refusal codes of screening: eligibility, reviewers, conflicts of interest, scores, bonus
points, the selection within budget."""

from machikoba.core.errors import ErrorCode


class ScreeningErrorCode(ErrorCode):
    """Screening and selection."""

    NOT_OFFICER = "screening_not_officer"
    REASON_REQUIRED = "screening_reason_required"
    REVIEWER_NOT_GRANTED = "screening_reviewer_not_granted"
    REVIEWER_TIED = "screening_reviewer_tied"
    REVIEWER_ALREADY_ASSIGNED = "screening_reviewer_already_assigned"
    ASSIGNMENT_NOT_REMOVABLE = "screening_assignment_not_removable"
    NOT_REVIEWER = "screening_not_reviewer"
    CONFLICT_ALREADY_DECLARED = "screening_conflict_already_declared"
    CONFLICT_NOT_CLEARED = "screening_conflict_not_cleared"
    SCORES_INVALID = "screening_scores_invalid"
    SCORES_INCOMPLETE = "screening_scores_incomplete"
    APPLICATION_NOT_IN_SCREENING = "screening_application_not_in_screening"
    BONUS_INVALID = "screening_bonus_invalid"
    BONUS_NOT_ALLOWED = "screening_bonus_not_allowed"
    BONUS_ALREADY_DECIDED = "screening_bonus_already_decided"
    SELECTION_ALREADY_CONFIRMED = "screening_selection_already_confirmed"
    SELECTION_OVER_BUDGET = "screening_selection_over_budget"
    SELECTION_INVALID = "screening_selection_invalid"
    SELECTION_NOT_READY = "screening_selection_not_ready"
