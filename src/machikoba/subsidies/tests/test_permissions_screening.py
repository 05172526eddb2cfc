"""Who reaches the screening pages. The permission matrix (``MATRIX``) pins every actor of
the test world on every screening route: the ward's officer works the office's pages, the
assigned reviewer (no conflict declared) their own assignment, the company's owner and
staff their bonus claims and their notice; everyone else is refused (403) or finds
nothing (404), a visitor is sent to sign in. Then the cases the world has no actor for:
a reviewer not assigned, a reviewer whose grant ended, a reviewer of another ward."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.core.access import forget_cached_roles
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_officer,
    make_paper_call,
    make_reviewer,
)
from machikoba.core.testing.factories_subsidies_screening import assign, ended_reviewer, rubric
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LOGIN,
    MEMBER,
    OFFICER,
    OTHER_WARD_OFFICER,
    REFUSED,
    REVIEWER,
    STAFF,
    Case,
    assert_case,
    expect,
    posted,
)
from machikoba.drawings.tests.samples import pdf_bytes
from machikoba.subsidies.choices import ApplicationStatus, AssignmentStatus, BonusKind
from machikoba.subsidies.models import Application, ApplicationEvent, BonusCriterion
from machikoba.subsidies.models_screening import (
    BonusClaim,
    ReviewerAssignment,
    Score,
    Selection,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- building on the world --------------------------------------------------------------------


def _stage(w, number=1):
    return w.subsidy_application.stage.call.stages.get(number=number)


def _world_assignment(w):
    return ReviewerAssignment.objects.get(application=w.subsidy_application)


def _submitted(w):
    """A submitted application of the other company, waiting for the eligibility check."""
    return make_application(_stage(w), w.other_company, status=ApplicationStatus.SUBMITTED)


def _ready_stage(w):
    """Stage 1 ready to confirm: the world's reviewer has submitted all their scores."""
    application = w.subsidy_application
    Application.objects.filter(pk=application.pk).update(requested_amount=300_000)
    assignment = _world_assignment(w)
    for criterion in rubric(application):
        Score.objects.create(assignment=assignment, criterion=criterion, score=7)
    ReviewerAssignment.objects.filter(pk=assignment.pk).update(
        status=AssignmentStatus.SUBMITTED, submitted_at=timezone.now()
    )
    return _stage(w)


def _draft(w):
    """A draft of the company for stage 2 (its stage 1 application is in screening)."""
    return make_application(_stage(w, 2), w.company, lines=[("cloud", 1_500_000)])


def _decided(w):
    """A selected application of the company for stage 3, which the world's reviewer
    scored."""
    application = make_application(
        _stage(w, 3), w.company, status=ApplicationStatus.SELECTED, requested_amount=2_000_000
    )
    ApplicationEvent.objects.create(
        application=application,
        from_status=ApplicationStatus.SCREENING,
        to_status=ApplicationStatus.SELECTED,
    )
    assign(application, w.users[REVIEWER], status=AssignmentStatus.SUBMITTED)
    return application


def _claim_data(w):
    criterion = BonusCriterion.objects.filter(
        call=w.subsidy_application.stage.call, kind=BonusKind.CLAIMED
    ).first()
    return {
        "criterion": str(criterion.pk),
        "file": SimpleUploadedFile("evidence.pdf", pdf_bytes(1)),
        "note": "賃上げを表明しました",
    }


def _score_data(w):
    data = {f"score_{c.pk}": "6" for c in rubric(w.subsidy_application)}
    data["action"] = "save"
    return data


OFFICE_ROW = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 404})
REVIEWER_ONLY = expect(403, **{ANONYMOUS: LOGIN, REVIEWER: 200})
# The company's owner and staff change their application; the officer and the assigned
# reviewer see it but may not (403); nobody else sees it exists.
APPLICANT_ROW = expect(
    404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 403, REVIEWER: 403}
)

MATRIX = [
    Case(
        "subsidies:screening_application",
        lambda w: reverse("subsidies:screening_application", args=[w.subsidy_application.pk]),
        OFFICE_ROW,
    ),
    Case(
        "subsidies:screening_application",
        lambda w: reverse("subsidies:screening_application", args=[_submitted(w).pk]),
        posted(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: {"action": "pass"},
        effect=lambda w: Application.objects.filter(status=ApplicationStatus.SCREENING).count(),
        note="eligible",
    ),
    Case(
        "subsidies:screening_application",
        lambda w: reverse("subsidies:screening_application", args=[_submitted(w).pk]),
        posted(OFFICE_ROW, **{OFFICER: REFUSED}),
        method="POST",
        data=lambda w: {"action": "fail", "reason": " "},
        effect=lambda w: Application.objects.filter(status=ApplicationStatus.INELIGIBLE).count(),
        note="ineligible without a reason",
    ),
    Case(
        "subsidies:screening_stage",
        lambda w: reverse("subsidies:screening_stage", args=[_stage(w).pk]),
        OFFICE_ROW,
    ),
    Case(
        "subsidies:screening_stage",
        lambda w: reverse("subsidies:screening_stage", args=[_ready_stage(w).pk]),
        posted(OFFICE_ROW, **{OFFICER: DONE}),
        method="POST",
        data=lambda w: {"selected": [str(w.subsidy_application.pk)], "reason": ""},
        effect=lambda w: Selection.objects.count(),
    ),
    Case(
        "subsidies:bonus_claim",
        lambda w: reverse("subsidies:bonus_claim", args=[w.subsidy_application.pk]),
        APPLICANT_ROW,
    ),
    Case(
        "subsidies:bonus_claim",
        lambda w: reverse("subsidies:bonus_claim", args=[_draft(w).pk]),
        posted(APPLICANT_ROW, **{MEMBER: DONE, STAFF: DONE, REVIEWER: 404}),
        method="POST",
        data=_claim_data,
        effect=lambda w: BonusClaim.objects.count(),
    ),
    Case(
        "subsidies:decision_notice",
        lambda w: reverse("subsidies:decision_notice", args=[_decided(w).pk]),
        # The reviewer who scored it no longer sees the application once it is decided
        # (reviewers read only during screening), let alone the notice.
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, OFFICER: 200}),
    ),
    Case("subsidies:review_home", lambda w: reverse("subsidies:review_home"), REVIEWER_ONLY),
    Case(
        "subsidies:review_assignment",
        lambda w: reverse("subsidies:review_assignment", args=[_world_assignment(w).pk]),
        REVIEWER_ONLY,
    ),
    Case(
        "subsidies:review_assignment",
        lambda w: reverse("subsidies:review_assignment", args=[_world_assignment(w).pk]),
        posted(REVIEWER_ONLY, **{REVIEWER: DONE}),
        method="POST",
        data=_score_data,
        effect=lambda w: Score.objects.count(),
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


# --- reviewers the world has no actor for -------------------------------------------------------


@pytest.fixture
def assignment():
    stage = make_paper_call().stages.get(number=1)
    application = make_application(
        stage, CompanyFactory(name="審査対象株式会社"), status=ApplicationStatus.SCREENING
    )
    return assign(application, status=AssignmentStatus.CLEARED)


def _get(user, name, *args):
    client = Client()
    client.force_login(user)
    return client.get(reverse(name, args=args))


def test_a_reviewer_not_assigned_finds_nothing(assignment):
    stranger = make_reviewer()
    assert _get(stranger, "subsidies:review_assignment", assignment.pk).status_code == 404
    home = _get(stranger, "subsidies:review_home")
    assert home.status_code == 200
    assert "審査対象株式会社" not in home.content.decode()
    application = assignment.application
    assert _get(stranger, "subsidies:decision_notice", application.pk).status_code == 404
    assert _get(stranger, "subsidies:bonus_claim", application.pk).status_code == 404
    for name, pk in (
        ("subsidies:screening_application", application.pk),
        ("subsidies:screening_stage", application.stage_id),
    ):
        assert _get(stranger, name, pk).status_code == 403


def test_a_reviewer_whose_grant_ended_loses_the_assignment_at_once(assignment):
    reviewer = assignment.reviewer
    assert _get(reviewer, "subsidies:review_assignment", assignment.pk).status_code == 200
    grant = reviewer.ward_roles.get()
    grant.valid_until = timezone.localdate() - dt.timedelta(days=1)
    grant.save()
    forget_cached_roles(reviewer)
    assert _get(reviewer, "subsidies:review_assignment", assignment.pk).status_code == 403
    assert _get(reviewer, "subsidies:review_home").status_code == 403
    assert _get(ended_reviewer(), "subsidies:review_home").status_code == 403


def test_a_reviewer_of_another_ward_finds_nothing(assignment):
    sumida = make_reviewer(ward(SUMIDA))
    assert _get(sumida, "subsidies:review_assignment", assignment.pk).status_code == 404


def test_a_reviewer_still_granted_elsewhere_does_not_reach_an_ended_wards_assignment(
    assignment,
):
    reviewer = assignment.reviewer
    grant = reviewer.ward_roles.get()
    grant.valid_until = timezone.localdate() - dt.timedelta(days=1)
    grant.save()
    make_reviewer(ward(SUMIDA)).ward_roles.update(user=reviewer)
    forget_cached_roles(reviewer)
    assert _get(reviewer, "subsidies:review_home").status_code == 200
    assert _get(reviewer, "subsidies:review_assignment", assignment.pk).status_code == 404


def test_a_second_officer_confirming_on_the_page_is_told_it_is_done():
    stage = make_paper_call().stages.get(number=1)
    application = make_application(
        stage, status=ApplicationStatus.SCREENING, requested_amount=300_000
    )
    scored_assignment = assign(application, status=AssignmentStatus.SUBMITTED)
    for criterion in rubric(application):
        Score.objects.create(assignment=scored_assignment, criterion=criterion, score=5)
    url = reverse("subsidies:screening_stage", args=[stage.pk])
    data = {"selected": [str(application.pk)], "reason": ""}
    first, second = make_officer(), make_officer()
    responses = []
    for officer in (first, second):
        client = Client()
        give_totp(officer)
        force_login_with_mfa(client, officer)
        responses.append(client.post(url, data, follow=True))
    assert "採択を確定しました" in responses[0].content.decode()
    assert "すでに確定しています" in responses[1].content.decode()
    assert Selection.objects.count() == 1
