"""The ranking of a stage and the selection the platform proposes, with hand-computed
values. The paper's rubric has five criteria of 10 points; its bonus criteria are DX道場
修了 (+5, from the records), 賃上げ (+3) and 事業継続力強化計画 (+2), both claimed.

    A  reviewer totals 38 and 37      mean 75/2 = 37.5, bonus dojo 5 verified  → 42.5
    B  reviewer totals 45 and 40      mean 85/2 = 42.5, bonus 3 only claimed   → 42.5
    C  reviewer totals 31, 30 and 30  mean 91/3 = 30.33…, bonus 3 verified    → 33.33… (33.3)
    E  one reviewer (45) submitted, one declared a tie (does not count)      → 45.0
    D  one of its two reviewers has not submitted                             → not rankable

B was submitted before A, so at 42.5 each B ranks first: E, B, A, C."""

from fractions import Fraction

import pytest

from machikoba.core.testing.factories import SUMIDA, ward
from machikoba.core.testing.factories_subsidies import make_officer, make_paper_call
from machikoba.core.testing.factories_subsidies_screening import (
    assign,
    bonus,
    in_screening,
    scored,
)
from machikoba.subsidies.choices import AssignmentStatus, BonusClaimStatus, BonusKind
from machikoba.subsidies.models_screening import Selection
from machikoba.subsidies.selectors.ranking import one_decimal, proposal, ranking

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage():
    return make_paper_call().stages.get(number=1)


@pytest.fixture
def officer():
    return make_officer()


@pytest.fixture
def field(stage):
    a = in_screening(stage, requested=450_000, submitted_hours_ago=10, title="A")
    scored(a, [8, 7, 9, 6, 8])
    scored(a, [7, 7, 8, 6, 9])
    bonus(a, BonusKind.DOJO_GRADUATE)
    b = in_screening(stage, requested=500_000, submitted_hours_ago=20, title="B")
    scored(b, [9, 9, 9, 9, 9])
    scored(b, [8, 8, 8, 8, 8])
    bonus(b, status=BonusClaimStatus.CLAIMED)
    c = in_screening(stage, requested=100_000, submitted_hours_ago=5, title="C")
    scored(c, [6, 6, 6, 6, 7])
    scored(c, [6, 6, 6, 6, 6])
    scored(c, [6, 6, 6, 6, 6])
    bonus(c)
    d = in_screening(stage, requested=200_000, submitted_hours_ago=30, title="D")
    scored(d, [9, 9, 9, 9, 9])
    scored(d, [9, 9, 9], submit=False)
    e = in_screening(stage, requested=40_000, submitted_hours_ago=2, title="E")
    scored(e, [9, 9, 9, 9, 9])
    assign(e, status=AssignmentStatus.CONFLICTED, note="取引先")
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def test_totals_are_the_rubric_mean_plus_verified_bonus_exactly(stage, officer, field):
    ranked = ranking(officer, stage)
    by_title = {row.application.title: row for row in ranked.rows}
    assert by_title["A"].reviewer_totals == (38, 37)
    assert by_title["A"].rubric_mean == Fraction(75, 2)
    assert by_title["A"].bonus == 5
    assert by_title["A"].total == Fraction(85, 2)
    assert by_title["B"].bonus == 0  # claimed, not verified
    assert by_title["B"].total == Fraction(85, 2)
    assert by_title["C"].rubric_mean == Fraction(91, 3)
    assert by_title["C"].total == Fraction(100, 3)
    assert by_title["C"].total_display == "33.3"
    assert by_title["E"].reviewer_totals == (45,)  # the tie declared does not count
    assert by_title["E"].total_display == "45.0"


def test_ranked_by_total_then_earliest_submission(stage, officer, field):
    ranked = ranking(officer, stage)
    assert [(row.rank, row.application.title) for row in ranked.rows] == [
        (1, "E"),
        (2, "B"),  # 42.5, submitted 20 hours ago
        (3, "A"),  # 42.5, submitted 10 hours ago
        (4, "C"),
    ]


def test_applications_missing_submitted_scores_are_listed_apart(stage, officer, field):
    ranked = ranking(officer, stage)
    assert [row.application.title for row in ranked.unrankable] == ["D"]
    assert "1 / 2" in ranked.unrankable[0].reason
    lone = in_screening(stage, title="F")
    again = ranking(officer, stage)
    reasons = {row.application.title: row.reason for row in again.unrankable}
    assert reasons["F"] == "審査員が割り当てられていません"
    assert lone.pk not in [row.application.pk for row in again.rows]


def test_greedy_proposal_skips_what_does_not_fit_and_shows_the_remainder(stage, officer, field):
    stage.budget = 1_000_000
    stage.save()
    proposed = proposal(officer, stage)
    # E 40,000 (left 960,000) · B 500,000 (460,000) · A 450,000 (10,000) · C 100,000 skipped.
    assert [row.application.title for row in proposed.selected] == ["E", "B", "A"]
    assert [row.application.title for row in proposed.skipped] == ["C"]
    assert proposed.total == 990_000
    assert proposed.remainder == 10_000


def test_a_smaller_application_below_a_skipped_one_still_fits(stage, officer, field):
    stage.budget = 560_000
    stage.save()
    proposed = proposal(officer, stage)
    # E 40,000 (520,000) · B 500,000 (20,000) · A skipped · C 100,000 skipped.
    assert [row.application.title for row in proposed.selected] == ["E", "B"]
    assert [row.application.title for row in proposed.skipped] == ["A", "C"]
    assert proposed.remainder == 20_000
    stage.budget = 700_000
    stage.save()
    proposed = proposal(officer, stage)
    # E (660,000) · B (160,000) · A skipped · C 100,000 fits (60,000).
    assert [row.application.title for row in proposed.selected] == ["E", "B", "C"]
    assert [row.application.title for row in proposed.skipped] == ["A"]
    assert proposed.remainder == 60_000


def test_the_call_budget_left_by_other_confirmed_stages_caps_the_stage(stage, officer, field):
    call = stage.call
    stage.budget = 1_000_000
    stage.save()
    call.budget = 2_000_000
    call.save()
    other = call.stages.get(number=2)
    Selection.objects.create(
        stage=other, total_amount=1_460_000, confirmed_by=officer, confirmed_at=call.opens_at
    )
    proposed = proposal(officer, stage)
    assert proposed.budget.call_remaining == 540_000
    assert proposed.budget.available == 540_000
    assert [row.application.title for row in proposed.selected] == ["E", "B"]
    assert proposed.remainder == 0


def test_nobody_but_the_wards_officers_gets_a_ranking(stage, field):
    other_ward = make_officer(ward(SUMIDA))
    assert ranking(other_ward, stage).rows == []
    reviewer = field["A"].assignments.first().reviewer
    assert ranking(reviewer, stage).rows == []
    assert proposal(reviewer, stage).selected == []


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(85, 2), "42.5"),
        (Fraction(100, 3), "33.3"),
        (Fraction(200, 3), "66.7"),
        (Fraction(1, 20), "0.1"),  # a half rounds up
        (Fraction(0), "0.0"),
        (Fraction(50), "50.0"),
    ],
)
def test_totals_are_shown_with_one_decimal(value, shown):
    assert one_decimal(value) == shown
