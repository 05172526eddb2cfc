"""Factories of screening: applications in screening with a requested amount, reviewers
assigned to them in any state, their scores, bonus claims and dojo graduates. Rows are
written directly; tests of a step call its service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from machikoba.companies.models import Membership
from machikoba.core.testing.factories import CompanyFactory, UserFactory, WardRoleFactory, ward
from machikoba.core.testing.factories_programs import (
    ApplicationFactory as DojoApplicationFactory,
)
from machikoba.core.testing.factories_programs import CohortFactory, make_graduate
from machikoba.core.testing.factories_subsidies import make_application, make_reviewer
from machikoba.subsidies.choices import (
    ApplicationStatus,
    AssignmentStatus,
    BonusClaimStatus,
    BonusKind,
)
from machikoba.subsidies.models import Application, BonusCriterion, RubricCriterion, Stage
from machikoba.subsidies.models_screening import BonusClaim, ReviewerAssignment, Score


def in_screening(
    stage: Stage,
    company=None,
    *,
    requested: int = 300_000,
    submitted_hours_ago: int = 72,
    status: str = ApplicationStatus.SCREENING,
    **fields,
) -> Application:
    """An application of ``company`` (a new one in the call's ward unless given) in
    screening, asking for ``requested`` yen, submitted ``submitted_hours_ago`` hours ago."""
    company = company or CompanyFactory(ward=stage.call.municipality)
    fields.setdefault("submitted_at", timezone.now() - dt.timedelta(hours=submitted_hours_ago))
    fields.setdefault("title", f"{company.name} のDX")
    return make_application(stage, company, status=status, requested_amount=requested, **fields)


def assign(
    application: Application,
    reviewer=None,
    *,
    status: str = AssignmentStatus.ASSIGNED,
    note: str = "",
) -> ReviewerAssignment:
    """``reviewer`` (a new reviewer of the call's ward unless given) assigned to
    ``application`` in ``status``."""
    reviewer = reviewer or make_reviewer(application.stage.call.municipality)
    now = timezone.now()
    return ReviewerAssignment.objects.create(
        application=application,
        reviewer=reviewer,
        status=status,
        declared_at=now if status != AssignmentStatus.ASSIGNED else None,
        submitted_at=now if status == AssignmentStatus.SUBMITTED else None,
        conflict_note=note,
    )


def rubric(application: Application) -> list[RubricCriterion]:
    return list(RubricCriterion.objects.filter(call_id=application.stage.call_id))


def scored(
    application: Application,
    scores: Sequence[int],
    reviewer=None,
    *,
    submit: bool = True,
) -> ReviewerAssignment:
    """A reviewer's scores on the rubric, in its order (``scores`` may be shorter: the
    rest unscored), submitted unless ``submit`` is False."""
    assignment = assign(
        application,
        reviewer,
        status=AssignmentStatus.SUBMITTED if submit else AssignmentStatus.CLEARED,
    )
    for criterion, value in zip(rubric(application), scores, strict=False):
        Score.objects.create(assignment=assignment, criterion=criterion, score=value)
    return assignment


def bonus(
    application: Application,
    kind: str = BonusKind.CLAIMED,
    *,
    status: str = BonusClaimStatus.VERIFIED,
    index: int = 0,
) -> BonusClaim:
    """A bonus claim of ``application`` on the call's ``index``-th criterion of ``kind``."""
    criterion = BonusCriterion.objects.filter(call_id=application.stage.call_id, kind=kind)[index]
    return BonusClaim.objects.create(
        application=application,
        criterion=criterion,
        status=status,
        automatic=kind == BonusKind.DOJO_GRADUATE,
        evidence_note="テスト",
    )


def dojo_graduate(company) -> None:
    """``company``'s owner graduated from a dojo cohort a month ago."""
    owner = Membership.objects.filter(company=company).first()
    participant = owner.user if owner else UserFactory()
    cohort = CohortFactory()
    application = DojoApplicationFactory(cohort=cohort, company=company, participant=participant)
    make_graduate(application, graduated_days_ago=30)


def ended_reviewer(municipality=None):
    """A user whose reviewer grant for the ward ended yesterday."""
    grant = WardRoleFactory(
        role="reviewer",
        municipality=municipality or ward(),
        valid_until=timezone.localdate() - dt.timedelta(days=1),
    )
    return grant.user
