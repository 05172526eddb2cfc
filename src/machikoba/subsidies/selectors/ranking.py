"""Reads of a stage's selection: the scores of each application, the ranking of the stage,
the selection the platform proposes within its budget, the reviewers' progress, and the
officer's stage page.

Arithmetic of the ranking, exactly (``Fraction``; shown with one decimal):
- a reviewer's total is the sum of their scores on the call's rubric;
- the rubric mean of an application is the mean of the totals of the reviewers who
  submitted (a reviewer who declared a tie does not count);
- the total is the rubric mean plus the points of the VERIFIED bonus claims.
Applications are ranked by total (highest first), then by submission time (earliest
first). An application is rankable once every reviewer still assigned to it has
submitted (and at least one has); the others are listed apart, with the reason. The
office's list and export show the same figures (``application_scores``): one computation.

Who may read what: the ranking, the proposal and the progress are the ward's officers'
(the scopes of ``subsidies.access`` give nobody else a row: a reviewer or an applicant
asking gets empty lists).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.accounts.models import User
from machikoba.core.access import MANAGE, VIEW
from machikoba.subsidies.choices import ApplicationStatus, AssignmentStatus, BonusClaimStatus
from machikoba.subsidies.models import Application, BonusClaim, Stage
from machikoba.subsidies.models_screening import ReviewerAssignment, Score, Selection

# The reason every company not selected reads (in its history, its notification and its
# 不採択通知書): the same for all, with no rank, no score and not the officer's reason for
# editing the proposal (those stay in the ``Selection`` row and the audit log).
NOT_SELECTED_REASON = gettext_lazy("予算の範囲で、審査の評価が高い申請から採択しました。")

# Applications of a stage not yet ready for its selection: waiting for the eligibility
# check, or returned to the company for correction (差戻し: it comes back submitted).
UNCHECKED_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED)

# Assignments that still count: the reviewer has not declared a tie.
ACTIVE_ASSIGNMENT_STATUSES = (
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.CLEARED,
    AssignmentStatus.SUBMITTED,
)


def one_decimal(value: Fraction) -> str:
    """``Fraction(77, 2)`` → ``"38.5"``; halves round up (scores are never negative)."""
    tenths = math.floor(value * 10 + Fraction(1, 2))
    return f"{tenths // 10}.{tenths % 10}"


# --- the ranking --------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedRow:
    application: Application
    rank: int
    reviewer_totals: tuple[int, ...]
    rubric_mean: Fraction
    bonus: int
    total: Fraction

    @property
    def requested_amount(self) -> int:
        return self.application.requested_amount or 0

    @property
    def rubric_mean_display(self) -> str:
        return one_decimal(self.rubric_mean)

    @property
    def total_display(self) -> str:
        return one_decimal(self.total)


@dataclass(frozen=True)
class UnrankableRow:
    application: Application
    reason: str


@dataclass(frozen=True)
class Ranking:
    stage: Stage
    rows: list[RankedRow]
    unrankable: list[UnrankableRow]

    def row_for(self, application_id: int) -> RankedRow | None:
        return next((r for r in self.rows if r.application.pk == application_id), None)


def _submitted_totals(user: User, assignment_ids: Iterable[int]) -> dict[int, int]:
    """Each SUBMITTED assignment's total (sum of its scores)."""
    return {
        row["assignment_id"]: row["total"] or 0
        for row in Score.objects.for_user(user, VIEW)
        .filter(assignment_id__in=list(assignment_ids))
        .values("assignment_id")
        .annotate(total=Sum("score"))
        .order_by()
    }


def verified_bonus_points(user: User, application_ids: Iterable[int]) -> dict[int, int]:
    """The points of each application's VERIFIED bonus claims."""
    return {
        row["application_id"]: row["points"] or 0
        for row in BonusClaim.objects.for_user(user, VIEW)
        .filter(application_id__in=list(application_ids), status=BonusClaimStatus.VERIFIED)
        .values("application_id")
        .annotate(points=Sum("criterion__points"))
        .order_by()
    }


@dataclass(frozen=True)
class Scores:
    """What its reviewers and its verified bonus claims give one application."""

    assigned: int  # assignments still counting (no tie declared)
    reviewer_totals: tuple[int, ...]  # the totals of those submitted, in assignment order
    bonus: int  # the points of the VERIFIED bonus claims

    @property
    def submitted(self) -> int:
        return len(self.reviewer_totals)

    @property
    def rubric_mean(self) -> Fraction | None:
        """The mean of the reviewers' totals, once every reviewer still assigned has
        submitted (and at least one has); None before."""
        if not self.assigned or self.submitted < self.assigned:
            return None
        return Fraction(sum(self.reviewer_totals), self.submitted)

    @property
    def total(self) -> Fraction | None:
        """The rubric mean plus the bonus: the figure a stage is ranked by."""
        mean = self.rubric_mean
        return mean + self.bonus if mean is not None else None


def application_scores(user: User, application_ids: Sequence[int]) -> dict[int, Scores]:
    """Each application's scores (see the module's docstring): what the ranking ranks by
    and the office's list and export show. Three queries, whatever the number of
    applications; the ward's officers only (anyone else gets no assignment and no score)."""
    by_application: dict[int, list[ReviewerAssignment]] = defaultdict(list)
    for assignment in ReviewerAssignment.objects.for_user(user, MANAGE).filter(
        application__in=list(application_ids), status__in=ACTIVE_ASSIGNMENT_STATUSES
    ):
        by_application[assignment.application_id].append(assignment)
    submitted = {
        pk: [a for a in assignments if a.status == AssignmentStatus.SUBMITTED]
        for pk, assignments in by_application.items()
    }
    totals = _submitted_totals(user, [a.pk for rows in submitted.values() for a in rows])
    bonus = verified_bonus_points(user, application_ids)
    return {
        pk: Scores(
            assigned=len(by_application.get(pk, [])),
            reviewer_totals=tuple(totals.get(a.pk, 0) for a in submitted.get(pk, [])),
            bonus=bonus.get(pk, 0),
        )
        for pk in application_ids
    }


def _unrankable_reason(scores: Scores) -> str:
    if not scores.assigned:
        return _("審査員が割り当てられていません")
    if scores.submitted < scores.assigned:
        return _("採点の提出待ち (%(done)s / %(all)s 人)") % {
            "done": scores.submitted,
            "all": scores.assigned,
        }
    return _("補助金申請額が記録されていません")


def ranking(user: User, stage: Stage) -> Ranking:
    """The stage's applications in screening, ranked (see the module's docstring); those
    not yet rankable apart, with the reason. Officers of the ward only."""
    applications = list(
        Application.objects.for_user(user, MANAGE)
        .filter(stage=stage, status=ApplicationStatus.SCREENING)
        .select_related("company")
        .order_by("submitted_at", "pk")
    )
    scores = application_scores(user, [a.pk for a in applications])
    ranked: list[tuple[Fraction, RankedRow]] = []
    unrankable: list[UnrankableRow] = []
    for application in applications:
        scored = scores[application.pk]
        mean, total = scored.rubric_mean, scored.total
        if mean is None or total is None or application.requested_amount is None:
            reason = _unrankable_reason(scored)
            unrankable.append(UnrankableRow(application=application, reason=reason))
            continue
        ranked.append(
            (
                total,
                RankedRow(
                    application=application,
                    rank=0,
                    reviewer_totals=scored.reviewer_totals,
                    rubric_mean=mean,
                    bonus=scored.bonus,
                    total=total,
                ),
            )
        )
    # Stable sort: equal totals keep the submission order the applications were read in.
    ranked.sort(key=lambda pair: -pair[0])
    rows = [
        RankedRow(
            application=row.application,
            rank=index,
            reviewer_totals=row.reviewer_totals,
            rubric_mean=row.rubric_mean,
            bonus=row.bonus,
            total=row.total,
        )
        for index, (_total, row) in enumerate(ranked, start=1)
    ]
    return Ranking(stage=stage, rows=rows, unrankable=unrankable)


# --- the budget and the proposal ------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    stage_budget: int
    call_budget: int
    confirmed_elsewhere: int  # selected in the call's other stages, already confirmed

    @property
    def call_remaining(self) -> int:
        return max(self.call_budget - self.confirmed_elsewhere, 0)

    @property
    def available(self) -> int:
        """The stage's budget, capped by what is left of the call's."""
        return min(self.stage_budget, self.call_remaining)


def stage_budget(user: User, stage: Stage) -> Budget:
    confirmed = (
        Selection.objects.for_user(user, VIEW)
        .filter(stage__call_id=stage.call_id)
        .exclude(stage=stage)
        .aggregate(total=Sum("total_amount"))["total"]
        or 0
    )
    return Budget(
        stage_budget=stage.budget, call_budget=stage.call.budget, confirmed_elsewhere=confirmed
    )


@dataclass(frozen=True)
class Proposal:
    ranking: Ranking
    budget: Budget
    selected: list[RankedRow]
    skipped: list[RankedRow]

    @property
    def total(self) -> int:
        return sum(row.requested_amount for row in self.selected)

    @property
    def remainder(self) -> int:
        return self.budget.available - self.total

    @property
    def selected_ids(self) -> list[int]:
        return [row.application.pk for row in self.selected]


def greedy(rows: list[RankedRow], budget: int) -> tuple[list[RankedRow], list[RankedRow]]:
    """Take each row, in rank order, whose requested amount fits what is left of
    ``budget``; skip the others and go on (a smaller one further down may still fit)."""
    selected: list[RankedRow] = []
    skipped: list[RankedRow] = []
    left = budget
    for row in rows:
        if row.requested_amount <= left:
            selected.append(row)
            left -= row.requested_amount
        else:
            skipped.append(row)
    return selected, skipped


def proposal(user: User, stage: Stage) -> Proposal:
    """The selection the platform proposes for ``stage``: greedy by rank within the
    available budget, with the applications it skipped and the remainder."""
    ranked = ranking(user, stage)
    budget = stage_budget(user, stage)
    selected, skipped = greedy(ranked.rows, budget.available)
    return Proposal(ranking=ranked, budget=budget, selected=selected, skipped=skipped)


# --- reviewers' progress ------------------------------------------------------------------


@dataclass
class ReviewerProgress:
    reviewer: User
    awaiting_declaration: int = 0
    scoring: int = 0
    submitted: int = 0
    conflicted: int = 0

    @property
    def assigned(self) -> int:
        """Assignments still counting (a declared tie ends one)."""
        return self.awaiting_declaration + self.scoring + self.submitted


_PROGRESS_FIELD = {
    AssignmentStatus.ASSIGNED: "awaiting_declaration",
    AssignmentStatus.CLEARED: "scoring",
    AssignmentStatus.SUBMITTED: "submitted",
    AssignmentStatus.CONFLICTED: "conflicted",
}


def reviewer_progress(user: User, stage: Stage) -> list[ReviewerProgress]:
    """Per reviewer of the stage's applications: how many wait for their declaration,
    are being scored, are submitted, or were declined for a tie."""
    progress: dict[int, ReviewerProgress] = {}
    for assignment in (
        ReviewerAssignment.objects.for_user(user, MANAGE)
        .filter(application__stage=stage)
        .select_related("reviewer")
        .order_by("reviewer__name", "reviewer_id")
    ):
        row = progress.setdefault(
            assignment.reviewer_id, ReviewerProgress(reviewer=assignment.reviewer)
        )
        name = _PROGRESS_FIELD[AssignmentStatus(assignment.status)]
        setattr(row, name, getattr(row, name) + 1)
    return list(progress.values())


# --- the officer's stage page -----------------------------------------------------------------


@dataclass(frozen=True)
class StagePage:
    stage: Stage
    proposal: Proposal
    progress: list[ReviewerProgress]
    selection: Selection | None
    awaiting_eligibility: list[Application]  # SUBMITTED, not yet checked
    returned: list[Application]  # RETURNED to the company (差戻し), not yet submitted again
    blockers: list[str]  # why the selection cannot be confirmed yet

    @property
    def may_confirm(self) -> bool:
        return self.selection is None and not self.blockers

    @property
    def not_selected_reason(self) -> str:
        """What the companies not selected read as the reason."""
        return str(NOT_SELECTED_REASON)


def confirmation_blockers(
    ranked: Ranking, awaiting_eligibility: int, *, returned: int = 0
) -> list[str]:
    """Why the stage's selection cannot be confirmed yet (empty: it can): applications
    still waiting for their eligibility check or returned to the company (they would
    come back after the selection, never to be ranked), or not yet ranked."""
    blockers: list[str] = []
    if awaiting_eligibility:
        blockers.append(
            _("要件の確認が終わっていない申請が %(n)s 件あります。") % {"n": awaiting_eligibility}
        )
    if returned:
        blockers.append(
            _(
                "差し戻した申請が %(n)s 件あります。企業が直して提出し直し、要件を確認するまで"
                "(または企業が取り下げるまで) 採択は確定できません。"
            )
            % {"n": returned}
        )
    if ranked.unrankable:
        blockers.append(
            _("採点が揃っていない申請が %(n)s 件あります。") % {"n": len(ranked.unrankable)}
        )
    if not ranked.rows and not ranked.unrankable:
        blockers.append(_("審査中の申請がありません。"))
    return blockers


def stage_page(user: User, stage: Stage) -> StagePage:
    proposed = proposal(user, stage)
    unchecked = list(
        Application.objects.for_user(user, MANAGE)
        .filter(stage=stage, status__in=UNCHECKED_STATUSES)
        .select_related("company")
        .order_by("submitted_at", "pk")
    )
    awaiting = [a for a in unchecked if a.status == ApplicationStatus.SUBMITTED]
    returned = [a for a in unchecked if a.status == ApplicationStatus.RETURNED]
    selection = (
        Selection.objects.for_user(user, VIEW)
        .filter(stage=stage)
        .select_related("confirmed_by")
        .first()
    )
    return StagePage(
        stage=stage,
        proposal=proposed,
        progress=reviewer_progress(user, stage),
        selection=selection,
        awaiting_eligibility=awaiting,
        returned=returned,
        blockers=confirmation_blockers(proposed.ranking, len(awaiting), returned=len(returned)),
    )


def selection_rows(user: User, selection: Selection) -> list[dict[str, object]]:
    """The confirmed selection's ranking as stored, with each application's title and
    company (read now, within the officer's scope)."""
    ids = [row["application"] for row in selection.ranking]
    names = {
        a.pk: a
        for a in Application.objects.for_user(user, MANAGE)
        .filter(pk__in=ids)
        .select_related("company")
    }
    rows: list[dict[str, object]] = []
    for row in selection.ranking:
        application = names.get(row["application"])
        if application is None:
            continue
        rows.append({**row, "object": application})
    return rows
