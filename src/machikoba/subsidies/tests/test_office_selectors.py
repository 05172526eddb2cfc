"""The office's figures from hand-built data: a call with applications in every state, its
pipeline and budget per stage and in total (each sum computed by hand in the comments),
the reviewers' progress, overdue reports, the applications list with its filters and
scores; and another ward's rows never counted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from machikoba.companies.models import Company
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, ward
from machikoba.core.testing.factories_subsidies import (
    make_application,
    make_officer,
    make_paper_call,
    make_reviewer,
)
from machikoba.subsidies.choices import (
    ApplicationStatus as S,
)
from machikoba.subsidies.choices import (
    AssignmentStatus,
    BonusClaimStatus,
    BonusKind,
    ValueAddedKind,
    ValueAddedStatus,
)
from machikoba.subsidies.models import (
    BonusClaim,
    Payment,
    ReviewerAssignment,
    Score,
    ValueAddedReport,
)
from machikoba.subsidies.selectors import office

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def _app(stage, status, name=None, **amounts):
    company = CompanyFactory(name=name, ward=stage.call.municipality) if name else None
    return make_application(stage, company, status=status, **amounts)


def _pay(application, amount):
    Payment.objects.create(
        application=application, amount=amount, paid_on=timezone.localdate(), reference="P-1"
    )


def _report(application, year, *, status, due_on):
    return ValueAddedReport.objects.create(
        company=application.company,
        municipality=application.stage.call.municipality,
        kind=ValueAddedKind.BUSINESS_REPORT,
        application=application,
        year_index=year,
        fiscal_year=timezone.localdate().year + year,
        status=status,
        due_on=due_on,
    )


def _assign(application, reviewer, status):
    return ReviewerAssignment.objects.create(
        application=application, reviewer=reviewer, status=status
    )


def _score(assignment, scores):
    for criterion, score in zip(
        assignment.application.stage.call.rubric.order_by("order"), scores, strict=True
    ):
        Score.objects.create(assignment=assignment, criterion=criterion, score=score)


@pytest.fixture
def officer():
    return make_officer()


@pytest.fixture
def world():
    """The paper's call (budgets 15M / 30M / 20M of 65M) with applications in every state."""
    call = make_paper_call()
    one, two, _three = call.stages.order_by("number")
    apps = {
        "draft": _app(one, S.DRAFT),
        "submitted": _app(one, S.SUBMITTED, "提出精機", requested_amount=300_000),
        "returned": _app(one, S.RETURNED, "差戻工業", requested_amount=200_000),
        "screening": _app(one, S.SCREENING, "審査中製作所", requested_amount=450_000),
        "ineligible": _app(one, S.INELIGIBLE, requested_amount=100_000),
        "selected": _app(one, S.SELECTED, requested_amount=500_000),
        "grant_requested": _app(one, S.GRANT_REQUESTED, requested_amount=400_000),
        "not_selected": _app(one, S.NOT_SELECTED, "不採択金属", requested_amount=350_000),
        "granted": _app(one, S.GRANTED, requested_amount=500_000, decided_amount=480_000),
        "reported": _app(one, S.REPORTED, requested_amount=500_000, decided_amount=500_000),
        "confirmed": _app(
            one,
            S.CONFIRMED,
            requested_amount=300_000,
            decided_amount=300_000,
            confirmed_amount=250_000,
        ),
        "paid": _app(
            one,
            S.PAID,
            "支払済機械",
            requested_amount=450_000,
            decided_amount=450_000,
            confirmed_amount=420_000,
        ),
        "withdrawn": _app(one, S.WITHDRAWN, requested_amount=123_000),
        "two_granted": _app(
            two,
            S.GRANTED,
            "第二精工",
            requested_amount=2_000_000,
            decided_amount=1_800_000,
            lines=[("system", 3_000_000)],
        ),
        "two_paid": _app(
            two,
            S.PAID,
            requested_amount=3_000_000,
            decided_amount=3_000_000,
            confirmed_amount=2_900_000,
            lines=[("system", 4_500_000)],
        ),
    }
    _pay(apps["paid"], 420_000)
    _pay(apps["two_paid"], 2_900_000)
    today = timezone.localdate()
    _report(apps["paid"], 1, status=ValueAddedStatus.REQUESTED, due_on=today - dt.timedelta(days=1))
    _report(apps["paid"], 2, status=ValueAddedStatus.REQUESTED, due_on=today)  # due today
    _report(apps["paid"], 3, status=ValueAddedStatus.SUBMITTED, due_on=today - dt.timedelta(days=9))
    _report(
        apps["two_paid"], 1, status=ValueAddedStatus.REQUESTED, due_on=today - dt.timedelta(days=30)
    )

    a = make_reviewer(name="審査員 あ")
    b = make_reviewer(name="審査員 い")
    c = make_reviewer(name="審査員 う")
    d = make_reviewer(name="審査員 え")
    _assign(apps["screening"], a, AssignmentStatus.ASSIGNED)
    _assign(apps["screening"], b, AssignmentStatus.CLEARED)
    _score(_assign(apps["screening"], c, AssignmentStatus.SUBMITTED), [9, 9, 9, 9, 9])
    _assign(apps["screening"], d, AssignmentStatus.CONFLICTED)
    _score(_assign(apps["not_selected"], c, AssignmentStatus.SUBMITTED), [8, 7, 9, 6, 10])  # 40
    _score(_assign(apps["not_selected"], a, AssignmentStatus.SUBMITTED), [6, 6, 6, 6, 6])  # 30
    claimed = call.bonus_criteria.get(kind=BonusKind.CLAIMED, points=3)
    other = call.bonus_criteria.get(kind=BonusKind.CLAIMED, points=2)
    BonusClaim.objects.create(
        application=apps["not_selected"], criterion=claimed, status=BonusClaimStatus.VERIFIED
    )
    BonusClaim.objects.create(application=apps["not_selected"], criterion=other)  # unverified

    # Another ward's call, with a grant and an overdue report: never in 大田区's figures.
    sumida = make_paper_call(municipality=ward(SUMIDA), name="墨田区 DX補助金")
    theirs = _app(
        sumida.stages.get(number=1),
        S.PAID,
        requested_amount=500_000,
        decided_amount=500_000,
        confirmed_amount=500_000,
    )
    _pay(theirs, 500_000)
    _report(theirs, 1, status=ValueAddedStatus.REQUESTED, due_on=today - dt.timedelta(days=1))
    return call, apps


def _card(page, number):
    return next(card for card in page.stages if card.stage.number == number)


def test_stage_one_pipeline_by_hand(officer, world):
    call, _ = world
    card = _card(office.call_dashboard(user=officer, call=call), 1)
    assert card.drafts == 1
    # Filed: all but the draft and the withdrawn one.
    assert card.filed == 11
    # 300 + 200 + 450 + 100 + 500 + 400 + 350 + 500 + 500 + 300 + 450 (thousand yen)
    assert card.requested == 4_050_000
    # selected, grant_requested, granted, reported, confirmed, paid
    assert card.selected == 6
    assert card.decided == 480_000 + 500_000 + 300_000 + 450_000 == 1_730_000
    assert card.confirmed == 250_000 + 420_000 == 670_000
    assert card.paid == 420_000
    by_status = {row.status: (row.count, row.requested) for row in card.pipeline}
    assert by_status[S.WITHDRAWN] == (1, 123_000)
    assert by_status[S.DRAFT] == (1, 0)
    assert by_status[S.GRANTED] == (1, 500_000)
    assert sum(count for count, _ in by_status.values()) == 13
    # The statuses in the order of the process.
    statuses = [row.status for row in card.pipeline]
    assert statuses == [s for s in S.values if s in by_status]


def test_stage_one_budget_by_hand(officer, world):
    call, _ = world
    money = _card(office.call_dashboard(user=officer, call=call), 1).money
    assert money.budget == 15_000_000
    # Confirmed where fixed (250 + 420), else decided (480 + 500).
    assert money.committed == 1_650_000
    assert money.remaining == 15_000_000 - 1_650_000 == 13_350_000
    assert money.paid == 420_000
    # 交付候補: selected 500 + grant_requested 400, shown, not subtracted.
    assert money.candidates == 900_000
    assert money.committed_percent == 11  # 1.65M of 15M, rounded down


def test_stage_two_and_the_call_totals_by_hand(officer, world):
    call, _ = world
    page = office.call_dashboard(user=officer, call=call)
    two = _card(page, 2)
    assert (two.filed, two.requested, two.selected) == (2, 5_000_000, 2)
    assert (two.decided, two.confirmed, two.paid) == (4_800_000, 2_900_000, 2_900_000)
    assert two.money.remaining == 30_000_000 - (1_800_000 + 2_900_000) == 25_300_000
    three = _card(page, 3)
    assert (three.filed, three.decided, three.money.remaining) == (0, 0, 20_000_000)
    assert three.pipeline == []
    assert page.filed == 13
    assert page.money.budget == 65_000_000
    assert page.stage_budgets == 65_000_000
    assert page.money.decided == 1_730_000 + 4_800_000 == 6_530_000
    assert page.money.committed == 1_650_000 + 4_700_000 == 6_350_000
    assert page.money.paid == 420_000 + 2_900_000 == 3_320_000
    assert page.money.remaining == 65_000_000 - 6_350_000 == 58_650_000


def test_reviewer_progress_and_who_is_behind(officer, world):
    call, _ = world
    page = office.call_dashboard(user=officer, call=call)
    reviewers = _card(page, 1).reviewers
    # Six assignments, one ended by a declared conflict.
    assert (reviewers.assigned, reviewers.conflicted) == (5, 1)
    # Declared no conflict: い (cleared) + う twice + あ on the decided one.
    assert reviewers.cleared == 4
    assert reviewers.submitted == 3
    assert [(b.name, b.pending) for b in reviewers.behind] == [("審査員 あ", 1), ("審査員 い", 1)]
    assert _card(page, 2).reviewers.assigned == 0


def test_overdue_reports_are_requested_ones_past_their_due_day(officer, world):
    call, _ = world
    # paid year 1 (yesterday) and two_paid year 1 (30 days ago); not the one due today,
    # not the submitted one, not 墨田区's.
    assert office.call_dashboard(user=officer, call=call).overdue_reports == 2


def test_another_wards_officer_counts_nothing_of_this_call(world):
    call, _ = world
    sumida_officer = make_officer(ward(SUMIDA))
    page = office.call_dashboard(user=sumida_officer, call=call)
    assert page.stages == []
    assert (page.filed, page.money.decided, page.money.paid, page.overdue_reports) == (0, 0, 0, 0)


def test_the_office_home_lists_the_wards_calls_newest_first(officer, world):
    call, _ = world
    older = make_paper_call(fiscal_year=call.fiscal_year - 1, name="前年度の公募")
    home = office.office_home(user=officer)
    assert [row.call for row in home.rows] == [call, older]
    assert home.latest == call
    assert (home.rows[0].filed, home.rows[0].decided) == (13, 6_530_000)
    assert (home.rows[1].filed, home.rows[1].decided) == (0, 0)
    assert "受付中" in home.rows[0].phase


def test_the_phase_follows_the_dates(world):
    call, _ = world
    now = timezone.now()
    assert office.call_phase(call, call.opens_at - dt.timedelta(seconds=1)).startswith("受付前")
    assert office.call_phase(call, call.closes_at - dt.timedelta(seconds=1)).startswith("受付中")
    assert office.call_phase(call, call.closes_at) == "審査中"
    decision = timezone.make_aware(dt.datetime.combine(call.decision_on, dt.time(9)))
    assert office.call_phase(call, decision).startswith("採択決定後")
    assert now  # the clock is only read through the arguments


def test_the_list_leaves_drafts_out_and_filters(officer, world):
    call, apps = world
    listed = list(office.call_applications(user=officer, call=call))
    assert apps["draft"] not in listed
    assert len(listed) == 14  # 12 of stage 1 (withdrawn included) + 2 of stage 2
    two = call.stages.get(number=2)
    assert set(office.call_applications(user=officer, call=call, stage_id=two.pk)) == {
        apps["two_granted"],
        apps["two_paid"],
    }
    assert list(office.call_applications(user=officer, call=call, status=S.RETURNED)) == [
        apps["returned"]
    ]
    assert list(office.call_applications(user=officer, call=call, text="提出精")) == [
        apps["submitted"]
    ]
    # A status that is not one, or the draft, filters nothing out and shows no draft.
    assert apps["draft"] not in office.call_applications(user=officer, call=call, status="draft")


def test_rows_carry_payment_bonus_and_the_total_once_every_reviewer_scored(officer, world):
    _, apps = world
    rows = {
        row.application.pk: row
        for row in office.application_rows(
            user=officer, applications=[apps["not_selected"], apps["screening"], apps["paid"]]
        )
    }
    decided = rows[apps["not_selected"].pk]
    assert decided.rubric_mean == Decimal("35.0")  # (40 + 30) / 2
    assert decided.bonus == 3  # the verified claim only
    assert decided.total == Decimal("38.0")
    pending = rows[apps["screening"].pk]
    assert (pending.rubric_mean, pending.total) == (None, None)  # two reviewers still to score
    assert rows[apps["paid"].pk].paid == 420_000
    assert rows[apps["screening"].pk].paid is None


def test_the_export_table_has_one_row_per_listed_application(officer, world):
    call, _ = world
    header, rows = office.export_table(user=officer, call=call)
    assert header[0] == "受付番号"
    assert len(rows) == 14
    paid = next(row for row in rows if row[1] == "支払済機械")
    assert paid[2:9] == [
        "ステージ1 はじめの一歩",
        "支払済み",
        "",  # eligible cost not computed by the factory
        450_000,
        450_000,
        420_000,
        420_000,
    ]
    assert Company.objects.filter(name="支払済機械").exists()
