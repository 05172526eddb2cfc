"""Reads of screening one application: what ties a reviewer to the company and who may be
assigned, the officer's page of one application (every reviewer's scores, the bonus
claims), the reviewer's home and their page of one assignment, the applicant's page of
bonus points, and the facts of a 採択/不採択 notice.

A reviewer's page carries their own scores only; the officer's page shows every
reviewer's side by side (the ward's officers only). The ranking of a stage is
``selectors.ranking``'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.advisory.models import EngagementMember
from machikoba.companies.models import Membership
from machikoba.core.access import (
    EDITOR_ROLES,
    MANAGE,
    REVIEWER,
    VIEW,
    can,
    has_role,
    municipality_ids_for,
)
from machikoba.subsidies.choices import (
    ApplicationStatus,
    AssignmentStatus,
    BonusClaimStatus,
    BonusKind,
)
from machikoba.subsidies.models import (
    Application,
    ApplicationEvent,
    BonusClaim,
    BonusCriterion,
    RubricCriterion,
)
from machikoba.subsidies.models_screening import ReviewerAssignment, Score, Selection
from machikoba.subsidies.selectors.ranking import one_decimal

# Statuses an application holds once the selection has decided it.
DECIDED_STATUSES = (
    ApplicationStatus.SELECTED,
    ApplicationStatus.NOT_SELECTED,
    ApplicationStatus.GRANT_REQUESTED,
    ApplicationStatus.GRANTED,
    ApplicationStatus.REPORTED,
    ApplicationStatus.CONFIRMED,
    ApplicationStatus.PAID,
)


# --- ties between a reviewer and a company ------------------------------------------------


def reviewer_ties_many(users: Iterable[User], application: Application) -> dict[int, list[str]]:
    """For each of ``users``, what keeps them from reviewing ``application`` in the
    platform's own records: a membership of the company (any role), an advisor's place on
    an engagement with it (any status), having filed, submitted or consented to the
    application, a tie they declared on another application of the company (a tie is
    with the company, not with one application), or an officer's grant in force for the
    call's ward (an officer sees every reviewer's scores). Trusted read: the caller is the
    office or the reviewer themself."""
    ids = sorted({user.pk for user in users})
    ties: dict[int, list[str]] = {pk: [] for pk in ids}
    if not ids:
        return ties
    company = application.company_id
    members = set(
        Membership.objects.filter(company_id=company, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    advisors = set(
        EngagementMember.objects.filter(
            engagement__company_id=company, advisor__user_id__in=ids
        ).values_list("advisor__user_id", flat=True)
    )
    filers = {application.filed_by_id, application.submitted_by_id, application.consent_by_id}
    declared = set(
        ReviewerAssignment.objects.filter(
            reviewer_id__in=ids,
            application__company_id=company,
            status=AssignmentStatus.CONFLICTED,
        )
        .exclude(application_id=application.pk)
        .values_list("reviewer_id", flat=True)
    )
    ward = application.stage.call.municipality_id
    officers = set(ward_grant_holders(ids, WardRole.OFFICER, ward))
    for pk in ids:
        if pk in members:
            ties[pk].append(_("申請企業に所属しています"))
        if pk in advisors:
            ties[pk].append(_("申請企業を伴走支援するアドバイザーです"))
        if pk in filers:
            ties[pk].append(_("この申請を作成・提出した人です"))
        if pk in declared:
            ties[pk].append(_("この企業の別の申請で、利害関係があると申告しています"))
        if pk in officers:
            ties[pk].append(_("この区の職員の権限があり、ほかの審査員の採点を見られます"))
    return ties


def ward_grant_holders(user_ids: Iterable[int], role: str, municipality_id: int) -> list[int]:
    """Which of ``user_ids`` hold a grant of ``role`` in force for the ward (by name or
    through a group). Trusted read."""
    today = timezone.localdate()
    return list(
        WardRoleAssignment.objects.filter(user_id__in=list(user_ids), role=role)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(municipality=municipality_id) | Q(group__municipalities=municipality_id))
        .values_list("user_id", flat=True)
        .distinct()
    )


def reviewer_ties(reviewer: User, application: Application) -> list[str]:
    """What ties ``reviewer`` to ``application``'s company (empty: nothing on record)."""
    return reviewer_ties_many([reviewer], application)[reviewer.pk]


def reviewer_grant_in_force(reviewer: User, application: Application) -> bool:
    """Whether ``reviewer`` holds a reviewer grant in force for the call's ward."""
    return application.stage.call.municipality_id in municipality_ids_for(reviewer, REVIEWER)


def reviewer_candidates(*, user: User, application: Application) -> list[User]:
    """Holders of a reviewer grant in force for the call's ward (by name or through a
    group), as the officer sees the ward's role grants."""
    ward = application.stage.call.municipality_id
    today = timezone.localdate()
    grants = (
        WardRoleAssignment.objects.for_user(user, VIEW)
        .filter(role=WardRole.REVIEWER)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(municipality=ward) | Q(group__municipalities=ward))
    )
    return list(
        User.objects.filter(pk__in=grants.values("user"), is_active=True).order_by("name", "email")
    )


# --- the officer's application page -----------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRow:
    assignment: ReviewerAssignment
    scores: list[Score]
    total: int | None  # when submitted
    ties: list[str]


@dataclass(frozen=True)
class Candidate:
    user: User
    ties: list[str]

    @property
    def assignable(self) -> bool:
        return not self.ties


@dataclass(frozen=True)
class BonusRow:
    criterion: BonusCriterion
    claim: BonusClaim | None


@dataclass(frozen=True)
class ScreeningApplicationPage:
    application: Application
    assignments: list[AssignmentRow]
    candidates: list[Candidate]
    bonus: list[BonusRow]
    verified_bonus: int
    rubric_mean: Fraction | None
    rubric_max: int
    selection: Selection | None = None  # the stage's, once confirmed

    @property
    def decided(self) -> bool:
        """Whether the selection decided it (a 採択 or 不採択 notice exists)."""
        return self.application.status in DECIDED_STATUSES

    @property
    def may_check_eligibility(self) -> bool:
        return self.application.status == ApplicationStatus.SUBMITTED

    @property
    def may_pass(self) -> bool:
        """Whether it may still go to screening: not once the stage's selection is
        confirmed (it would never be ranked)."""
        return self.may_check_eligibility and self.selection is None

    @property
    def may_assign(self) -> bool:
        return self.application.status == ApplicationStatus.SCREENING and self.selection is None

    @property
    def may_decide_bonus(self) -> bool:
        return self.application.status in (
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.SCREENING,
        )

    @property
    def rubric_mean_display(self) -> str:
        return one_decimal(self.rubric_mean) if self.rubric_mean is not None else "—"

    @property
    def total_display(self) -> str:
        if self.rubric_mean is None:
            return "—"
        return one_decimal(self.rubric_mean + self.verified_bonus)


def screening_application_page(user: User, application: Application) -> ScreeningApplicationPage:
    """What the ward's officer sees of one application: every reviewer's assignment and
    scores (the officer may; nobody else sees them side by side), the reviewers they may
    assign (with what ties any of them to the company), the bonus claims."""
    assignments = list(
        ReviewerAssignment.objects.for_user(user, MANAGE)
        .filter(application=application)
        .select_related("reviewer", "assigned_by")
        .order_by("assigned_at", "pk")
    )
    scores: dict[int, list[Score]] = defaultdict(list)
    for score in (
        Score.objects.for_user(user, VIEW)
        .filter(assignment__in=[a.pk for a in assignments])
        .select_related("criterion")
    ):
        scores[score.assignment_id].append(score)
    assigned_ids = {a.reviewer_id for a in assignments}
    candidates = [
        c
        for c in reviewer_candidates(user=user, application=application)
        if c.pk not in assigned_ids
    ]
    ties = reviewer_ties_many([*candidates, *(a.reviewer for a in assignments)], application)
    rows = [
        AssignmentRow(
            assignment=a,
            scores=scores[a.pk],
            total=sum(s.score for s in scores[a.pk])
            if a.status == AssignmentStatus.SUBMITTED
            else None,
            ties=ties[a.reviewer_id],
        )
        for a in assignments
    ]
    submitted_totals = [
        r.total for r in rows if r.total is not None and r.assignment.status == "submitted"
    ]
    claims = {
        c.criterion_id: c
        for c in BonusClaim.objects.for_user(user, VIEW)
        .filter(application=application)
        .select_related("evidence", "verified_by")
    }
    criteria = list(BonusCriterion.objects.for_user(user, VIEW).filter(call=application.stage.call))
    rubric = RubricCriterion.objects.for_user(user, VIEW).filter(call=application.stage.call)
    return ScreeningApplicationPage(
        application=application,
        assignments=rows,
        candidates=[Candidate(user=c, ties=ties[c.pk]) for c in candidates],
        bonus=[BonusRow(criterion=c, claim=claims.get(c.pk)) for c in criteria],
        verified_bonus=sum(
            c.criterion.points for c in claims.values() if c.status == BonusClaimStatus.VERIFIED
        ),
        rubric_mean=Fraction(sum(submitted_totals), len(submitted_totals))
        if submitted_totals
        else None,
        rubric_max=sum(c.max_score for c in rubric),
        selection=Selection.objects.for_user(user, VIEW)
        .filter(stage_id=application.stage_id)
        .first(),
    )


# --- the reviewer's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewHomeRow:
    """One assignment on the reviewer's home. Before the declaration the reviewer learns
    the company's name and the plan's title, nothing more."""

    assignment_id: int
    status: str
    status_label: str
    company_name: str
    title: str
    call_name: str
    stage_label: str


def review_home(user: User) -> list[ReviewHomeRow]:
    """The signed-in reviewer's own assignments (their grant in force), newest first;
    those waiting for them first."""
    order = {
        AssignmentStatus.ASSIGNED: 0,
        AssignmentStatus.CLEARED: 1,
        AssignmentStatus.SUBMITTED: 2,
        AssignmentStatus.CONFLICTED: 3,
    }
    assignments = (
        ReviewerAssignment.objects.for_user(user, VIEW)
        .filter(reviewer=user)
        .select_related("application__company", "application__stage__call")
        .order_by("-assigned_at", "-pk")
    )
    rows = [
        ReviewHomeRow(
            assignment_id=a.pk,
            status=a.status,
            status_label=str(a.get_status_display()),
            company_name=a.application.company.name,
            title=str(a.application),
            call_name=a.application.stage.call.name,
            stage_label=str(a.application.stage),
        )
        for a in assignments
    ]
    rows.sort(key=lambda r: order[AssignmentStatus(r.status)])
    return rows


@dataclass(frozen=True)
class CompanyFacts:
    """What the reviewer is shown to declare a conflict of interest on."""

    company_name: str
    representative: str
    corporate_number: str
    title: str
    reference: str


@dataclass(frozen=True)
class RubricRow:
    criterion: RubricCriterion
    score: int | None
    comment: str


@dataclass(frozen=True)
class ReviewPage:
    assignment: ReviewerAssignment
    facts: CompanyFacts
    rubric: list[RubricRow] = field(default_factory=list)  # own scores; empty until cleared

    @property
    def awaiting_declaration(self) -> bool:
        return self.assignment.status == AssignmentStatus.ASSIGNED

    @property
    def opened(self) -> bool:
        return self.assignment.status in (AssignmentStatus.CLEARED, AssignmentStatus.SUBMITTED)

    @property
    def may_score(self) -> bool:
        return (
            self.assignment.status == AssignmentStatus.CLEARED
            and self.assignment.application.status == ApplicationStatus.SCREENING
        )

    @property
    def complete(self) -> bool:
        return bool(self.rubric) and all(row.score is not None for row in self.rubric)

    @property
    def total(self) -> int:
        return sum(row.score or 0 for row in self.rubric)

    @property
    def max_total(self) -> int:
        return sum(row.criterion.max_score for row in self.rubric)


def review_page(user: User, assignment: ReviewerAssignment) -> ReviewPage:
    """The reviewer's page of one of their assignments (fetched for them: another
    reviewer's assignment is not found). Before the declaration: the company's name,
    representative and 法人番号, and the plan's title. After declaring no conflict: their
    own scores on the rubric (never another reviewer's)."""
    application = assignment.application
    company = application.company
    representative = " ".join(
        part for part in (company.representative_title, company.representative_name) if part
    )
    facts = CompanyFacts(
        company_name=company.name,
        representative=representative,
        corporate_number=company.corporate_number or "",
        title=str(application),
        reference=application.reference,
    )
    if assignment.status not in (AssignmentStatus.CLEARED, AssignmentStatus.SUBMITTED):
        return ReviewPage(assignment=assignment, facts=facts)
    mine = {
        s.criterion_id: s
        for s in Score.objects.for_user(user, VIEW).filter(
            assignment=assignment, assignment__reviewer=user
        )
    }
    rubric = [
        RubricRow(
            criterion=c,
            score=mine[c.pk].score if c.pk in mine else None,
            comment=mine[c.pk].comment if c.pk in mine else "",
        )
        for c in RubricCriterion.objects.for_user(user, VIEW).filter(
            call_id=application.stage.call_id
        )
    ]
    return ReviewPage(assignment=assignment, facts=facts, rubric=rubric)


# --- the 採択/不採択 notice ----------------------------------------------------------------------


def may_read_decision_notice(user: User, application: Application) -> bool:
    """The company's owner and staff, and the ward's officers: nobody else (not a
    reviewer, not the advisor who filed it)."""
    return can(user, MANAGE, application) or has_role(user, application.company, EDITOR_ROLES, VIEW)


@dataclass(frozen=True)
class DecisionNotice:
    application: Application
    selected: bool
    decided_at: object  # an aware datetime
    reason: str
    ward_name: str
    call_name: str
    stage_label: str
    company_name: str
    representative: str
    requested_amount: int | None


def decision_notice(user: User, application: Application) -> DecisionNotice | None:
    """The facts of the 採択 or 不採択 notice, from the step that decided it (None before
    the selection is confirmed)."""
    event = (
        ApplicationEvent.objects.for_user(user, VIEW)
        .filter(
            application=application,
            to_status__in=(ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED),
        )
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return None
    company = application.company
    call = application.stage.call
    return DecisionNotice(
        application=application,
        selected=event.to_status == ApplicationStatus.SELECTED,
        decided_at=event.at,
        reason=application.decision_reason,
        ward_name=call.municipality.name,
        call_name=str(call),
        stage_label=str(application.stage),
        company_name=company.name,
        representative=" ".join(
            p for p in (company.representative_title, company.representative_name) if p
        ),
        requested_amount=application.requested_amount,
    )


@dataclass(frozen=True)
class BonusClaimsPage:
    """The applicant's page of bonus points: every criterion of the call with its claim
    (if any), and those they may still claim."""

    application: Application
    rows: list[BonusRow]

    @property
    def claimable(self) -> list[BonusCriterion]:
        return [
            row.criterion
            for row in self.rows
            if row.criterion.kind == BonusKind.CLAIMED
            and (row.claim is None or row.claim.status != BonusClaimStatus.VERIFIED)
        ]

    @property
    def open(self) -> bool:
        return self.application.status in (
            ApplicationStatus.DRAFT,
            ApplicationStatus.RETURNED,
            ApplicationStatus.SUBMITTED,
        )


def bonus_claims_page(user: User, application: Application) -> BonusClaimsPage:
    claims = {
        c.criterion_id: c
        for c in BonusClaim.objects.for_user(user, VIEW)
        .filter(application=application)
        .select_related("evidence")
    }
    criteria = BonusCriterion.objects.for_user(user, VIEW).filter(call_id=application.stage.call_id)
    return BonusClaimsPage(
        application=application,
        rows=[BonusRow(criterion=c, claim=claims.get(c.pk)) for c in criteria],
    )


def dojo_criteria(call_id: int) -> list[BonusCriterion]:
    """The call's bonus criteria the platform verifies from the dojo's graduations.
    Trusted read (a service asks, for the application it locked)."""
    return list(BonusCriterion.objects.filter(call_id=call_id, kind=BonusKind.DOJO_GRADUATE))
