"""The subsidy arithmetic, table-driven, every expected figure computed by hand.

Plain functions: no database, no Django. The three stages below are the paper's demo
figures, written here as test data (the code holds no stage constants).
"""

import math
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from machikoba.subsidies.arithmetic import (
    Breakdown,
    CategoryRow,
    CategoryRule,
    ExpenseInput,
    IneligibleLine,
    MissingQuotes,
    Reduction,
    StageRule,
    breakdown,
    subsidy_amount,
)

THREE_QUARTERS = Fraction(3, 4)
TWO_THIRDS = Fraction(2, 3)
HALF = Fraction(1, 2)

# --- subsidy_amount ---------------------------------------------------------------------

# eligible cost, rate, cap -> subsidy (rounding ¥1,000)
STAGES = [
    # stage 1: 3/4 up to ¥500,000
    (400_000, THREE_QUARTERS, 500_000, 300_000),  # 400,000 × 3/4 = 300,000 exactly
    (666_666, THREE_QUARTERS, 500_000, 499_000),  # 499,999.5, just below the cap -> 499,000
    (666_667, THREE_QUARTERS, 500_000, 500_000),  # 500,000.25 > cap -> 500,000
    (2_000_000, THREE_QUARTERS, 500_000, 500_000),  # 1,500,000 > cap -> 500,000
    # stage 2: 2/3 up to ¥5,000,000
    (1_500_000, TWO_THIRDS, 5_000_000, 1_000_000),  # exactly 1,000,000 (a float gives 999,000)
    (1_000_000, TWO_THIRDS, 5_000_000, 666_000),  # 666,666.67 -> 666,000
    (7_500_000, TWO_THIRDS, 5_000_000, 5_000_000),  # 5,000,000 exactly at the cap
    (7_499_999, TWO_THIRDS, 5_000_000, 4_999_000),  # 4,999,999.33 -> 4,999,000
    (9_000_000, TWO_THIRDS, 5_000_000, 5_000_000),  # 6,000,000 > cap -> 5,000,000
    # stage 3: 1/2 up to ¥10,000,000
    (3_000_001, HALF, 10_000_000, 1_500_000),  # 1,500,000.5 -> 1,500,000
    (2_999_999, HALF, 10_000_000, 1_499_000),  # 1,499,999.5 -> 1,499,000
    (20_000_000, HALF, 10_000_000, 10_000_000),  # exactly at the cap
    (30_000_000, HALF, 10_000_000, 10_000_000),  # 15,000,000 > cap -> 10,000,000
    # odd inputs
    (1, Fraction(1), 10_000_000, 0),  # ¥1 at 100% rounds down to 0
    (1_000, Fraction(1), 10_000_000, 1_000),  # 100% of a round amount
    (3 * 10**17, TWO_THIRDS, 10**18, 2 * 10**17),  # exact where floats are not
]


@pytest.mark.parametrize(("eligible", "rate", "cap", "expected"), STAGES)
def test_subsidy_amount_for_the_three_stages(eligible, rate, cap, expected):
    assert subsidy_amount(eligible, rate=rate, cap=cap) == expected


def test_floats_would_lose_a_thousand_yen():
    # The reason for Fraction: a float 0.7 makes 90,000 × 0.7 = 62,999.99999999999,
    # which rounds down to 62,000; a rate typed as 0.666 makes 1,500,000 × 2/3 999,000.
    assert math.floor(90_000 * 0.7 / 1000) * 1000 == 62_000
    assert subsidy_amount(90_000, rate=Fraction(7, 10), cap=500_000) == 63_000
    assert subsidy_amount(1_500_000, rate=TWO_THIRDS, cap=5_000_000) == 1_000_000


# eligible, rate, cap, rounding -> subsidy
ROUNDING = [
    (1_234_567, THREE_QUARTERS, 10_000_000, 1000, 925_000),  # 925,925.25 -> 925,000
    (1_234_567, THREE_QUARTERS, 10_000_000, 1, 925_925),  # 925,925.25 -> 925,925
    (1_234_567, THREE_QUARTERS, 10_000_000, 10_000, 920_000),  # 925,925.25 -> 920,000
    (1_000_000, THREE_QUARTERS, 500_500, 1000, 500_000),  # min(500,500, 750,000) -> 500,000
    (1_000_000, THREE_QUARTERS, 500_500, 1, 500_500),  # the cap itself at ¥1 rounding
    (1_000_000, THREE_QUARTERS, 500, 1000, 0),  # a cap under the rounding unit pays 0
    (999, Fraction(1), 10_000, 1000, 0),  # 999 -> 0
]


@pytest.mark.parametrize(("eligible", "rate", "cap", "rounding", "expected"), ROUNDING)
def test_subsidy_amount_rounds_down_after_the_cap(eligible, rate, cap, rounding, expected):
    assert subsidy_amount(eligible, rate=rate, cap=cap, rounding=rounding) == expected


# Each refusal names the input and what is wrong with it (a bug to find in the caller).
REFUSED = [
    pytest.param({"eligible_cost": 0}, "eligible_cost must be > 0, got 0", id="eligible zero"),
    pytest.param(
        {"eligible_cost": -1}, "eligible_cost must be > 0, got -1", id="eligible negative"
    ),
    pytest.param(
        {"eligible_cost": 1_000_000.0},
        "eligible_cost must be an int, got float",
        id="eligible float",
    ),
    pytest.param(
        {"eligible_cost": True}, "eligible_cost must be an int, got bool", id="eligible bool"
    ),
    pytest.param(
        {"eligible_cost": Decimal(1_000_000)},
        "eligible_cost must be an int, got Decimal",
        id="eligible Decimal",
    ),
    pytest.param({"rate": 0.75}, "rate must be a fractions.Fraction, got float", id="rate float"),
    pytest.param(
        {"rate": Decimal("0.75")},
        "rate must be a fractions.Fraction, got Decimal",
        id="rate Decimal",
    ),
    pytest.param({"rate": True}, "rate must be a fractions.Fraction, got bool", id="rate bool"),
    pytest.param({"rate": 1}, "rate must be a fractions.Fraction, got int", id="rate int"),
    pytest.param({"rate": Fraction(0)}, "rate must be > 0 and <= 1, got 0", id="rate zero"),
    pytest.param(
        {"rate": Fraction(-1, 2)}, "rate must be > 0 and <= 1, got -1/2", id="rate negative"
    ),
    pytest.param(
        {"rate": Fraction(5, 4)}, "rate must be > 0 and <= 1, got 5/4", id="rate above one"
    ),
    pytest.param({"cap": 0}, "cap must be > 0, got 0", id="cap zero"),
    pytest.param({"cap": -500_000}, "cap must be > 0, got -500000", id="cap negative"),
    pytest.param({"cap": 500_000.0}, "cap must be an int, got float", id="cap float"),
    pytest.param({"rounding": 0}, "rounding must be > 0, got 0", id="rounding zero"),
    pytest.param({"rounding": -1000}, "rounding must be > 0, got -1000", id="rounding negative"),
]


@pytest.mark.parametrize(("override", "message"), REFUSED)
def test_subsidy_amount_refuses(override, message):
    arguments = {
        "eligible_cost": 1_000_000,
        "rate": THREE_QUARTERS,
        "cap": 500_000,
        "rounding": 1000,
    } | override
    eligible_cost = arguments.pop("eligible_cost")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        subsidy_amount(eligible_cost, **arguments)


def test_a_rate_of_exactly_one_is_allowed():
    assert subsidy_amount(123_456, rate=Fraction(1), cap=10**9, rounding=1) == 123_456


rates = st.fractions(min_value=Fraction(1, 1000), max_value=1, max_denominator=1000)


@given(
    eligible=st.integers(min_value=1, max_value=10**12),
    rate=rates,
    cap=st.integers(min_value=1, max_value=10**10),
    rounding=st.one_of(
        st.sampled_from([1, 10, 100, 1000, 10_000]), st.integers(min_value=1, max_value=10**6)
    ),
)
def test_subsidy_amount_properties(eligible, rate, cap, rounding):
    amount = subsidy_amount(eligible, rate=rate, cap=cap, rounding=rounding)
    exact = eligible * rate
    assert 0 <= amount <= cap
    assert amount <= exact
    assert amount % rounding == 0
    if exact <= cap:
        assert exact - amount < rounding
    else:
        assert cap - amount < rounding


# --- breakdown ------------------------------------------------------------------------

STAGE_1 = StageRule(rate=THREE_QUARTERS, cap=500_000, min_project_cost=100_000)
STAGE_2 = StageRule(rate=TWO_THIRDS, cap=5_000_000, min_project_cost=1_000_000)
STAGE_3 = StageRule(rate=HALF, cap=10_000_000, min_project_cost=2_000_000)

MACHINE = CategoryRule("machine", "機械装置・システム構築費", quotes_required=2)
CLOUD = CategoryRule("cloud", "クラウド利用費")
OUTSOURCING = CategoryRule("outsourcing", "外注費", max_share=HALF, quotes_required=2)
EXPERT = CategoryRule("expert", "専門家経費", max_share=Fraction(1, 4), max_amount=500_000)
CATEGORIES = (MACHINE, CLOUD, OUTSOURCING, EXPERT)


def line(category, amount, quotes=2):
    return ExpenseInput(category=category, amount=amount, quotes=quotes)


def row(result: Breakdown, code: str) -> CategoryRow:
    (found,) = [r for r in result.rows if r.code == code]
    return found


def test_one_uncapped_category():
    result = breakdown([line("machine", 400_000)], categories=CATEGORIES, stage=STAGE_1)
    # 400,000 × 3/4 = 300,000
    assert result == Breakdown(
        rows=(
            CategoryRow(
                code="machine",
                name="機械装置・システム構築費",
                claimed=400_000,
                eligible=400_000,
                reduction=None,
                share_limit=None,
            ),
        ),
        ineligible=(),
        missing_quotes=(),
        total_claimed=400_000,
        total_eligible=400_000,
        below_minimum=False,
        subsidy=300_000,
        capped_by_stage=False,
    )
    assert result.rows[0].reduced_by == 0


def test_lines_of_one_category_add_up_and_rows_follow_the_rule_order():
    lines = [line("outsourcing", 100_000), line("machine", 250_000), line("machine", 150_000)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_1)
    assert [r.code for r in result.rows] == ["machine", "outsourcing"]
    # machine 250,000 + 150,000; outsourcing 100,000 <= ⌊500,000 / 2⌋ = 250,000
    assert row(result, "machine").claimed == 400_000
    assert row(result, "outsourcing").eligible == 100_000
    assert row(result, "outsourcing").share_limit == 250_000
    assert result.total_eligible == 500_000
    assert result.subsidy == 375_000  # 500,000 × 3/4


def test_a_share_capped_category_under_its_share():
    lines = [line("machine", 600_000), line("outsourcing", 400_000)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_2)
    # T = 1,000,000; outsourcing 400,000 <= 1,000,000 / 2 = 500,000: untouched
    outsourcing = row(result, "outsourcing")
    assert (outsourcing.eligible, outsourcing.reduced_by, outsourcing.reduction) == (
        400_000,
        0,
        None,
    )
    assert outsourcing.share_limit == 500_000
    assert result.total_eligible == 1_000_000
    assert not result.below_minimum  # exactly the stage's minimum
    assert result.subsidy == 666_000  # 666,666.67 -> 666,000


def test_a_share_capped_category_over_its_share():
    lines = [line("machine", 300_000), line("outsourcing", 500_000)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_1)
    # T = 300,000 + T/2 -> T = 600,000; outsourcing 300,000 (claimed 500,000)
    outsourcing = row(result, "outsourcing")
    assert outsourcing.claimed == 500_000
    assert outsourcing.eligible == 300_000
    assert outsourcing.reduced_by == 200_000
    assert outsourcing.reduction is Reduction.SHARE_CAP
    assert outsourcing.share_limit == 300_000
    assert row(result, "machine").eligible == 300_000
    assert (result.total_claimed, result.total_eligible) == (800_000, 600_000)
    assert result.subsidy == 450_000  # 600,000 × 3/4
    assert not result.capped_by_stage


def test_a_share_cap_is_floored_to_whole_yen():
    lines = [line("machine", 300_001), line("expert", 400_000)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_1)
    # T = 300,001 + ⌊T/4⌋: T = 400,001 -> ⌊100,000.25⌋ = 100,000, 300,001 + 100,000 = 400,001;
    # T = 400,002 would need ⌊100,000.5⌋ = 100,001: no.
    assert row(result, "expert").eligible == 100_000
    assert result.total_eligible == 400_001
    assert result.subsidy == 300_000  # 300,000.75 -> 300,000


def test_two_share_capped_categories_at_once():
    lines = [line("machine", 300_000), line("outsourcing", 900_000), line("expert", 400_000)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_2)
    # T = 300,000 + T/2 + T/4 -> T/4 = 300,000 -> T = 1,200,000;
    # outsourcing 600,000 (claimed 900,000), expert 300,000 (claimed 400,000)
    outsourcing, expert = row(result, "outsourcing"), row(result, "expert")
    assert (outsourcing.eligible, outsourcing.reduction) == (600_000, Reduction.SHARE_CAP)
    assert (expert.eligible, expert.reduction) == (300_000, Reduction.SHARE_CAP)
    assert (outsourcing.reduced_by, expert.reduced_by) == (300_000, 100_000)
    assert result.total_eligible == 1_200_000
    assert result.total_claimed == 1_600_000
    assert not result.below_minimum  # stage 2's minimum is 1,000,000
    assert result.subsidy == 800_000  # 1,200,000 × 2/3


def test_two_share_capped_categories_below_stage_minimum():
    # the same lines as above: stage 3's minimum is 2,000,000 and only 1,200,000 is eligible
    lines = [line("machine", 300_000), line("outsourcing", 900_000), line("expert", 400_000)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_3)
    assert result.below_minimum
    assert result.subsidy == 0


def test_floors_are_inside_the_fixed_point():
    # A <= 2/5, B <= 1/5 of T, 7 yen without a cap. Solved over the rationals and floored
    # afterwards, T = 7 + 3T/5 = 17.5, A = 7, B = ⌊3.5⌋ = 3, total 17, and A = 7 > 2/5 × 17.
    # In whole yen: T = 17 gives 7 + ⌊6.8⌋ + ⌊3.4⌋ = 16, not 17; T = 16 gives
    # 7 + ⌊6.4⌋ + ⌊3.2⌋ = 16: A = 6, B = 3.
    rules = [
        CategoryRule("plain", "plain"),
        CategoryRule("a", "A", max_share=Fraction(2, 5)),
        CategoryRule("b", "B", max_share=Fraction(1, 5)),
    ]
    stage = StageRule(rate=Fraction(1), cap=1000, rounding=1)
    result = breakdown(
        [line("plain", 7), line("a", 100), line("b", 100)], categories=rules, stage=stage
    )
    assert [(r.code, r.eligible, r.share_limit) for r in result.rows] == [
        ("plain", 7, None),
        ("a", 6, 6),
        ("b", 3, 3),
    ]
    assert result.total_eligible == 16
    assert result.subsidy == 16


def test_shares_close_to_the_whole_solve_exactly():
    # T = 1,000,000 + T/2 + 49T/100 -> T/100 = 1,000,000 -> T = 100,000,000
    rules = [
        CategoryRule("plain", "plain"),
        CategoryRule("a", "A", max_share=HALF),
        CategoryRule("b", "B", max_share=Fraction(49, 100)),
    ]
    lines = [line("plain", 1_000_000), line("a", 10**9), line("b", 10**9)]
    result = breakdown(lines, categories=rules, stage=STAGE_3)
    assert [r.eligible for r in result.rows] == [1_000_000, 50_000_000, 49_000_000]
    assert result.total_eligible == 100_000_000
    assert result.subsidy == 10_000_000
    assert result.capped_by_stage


def test_a_share_capped_category_alone_is_not_eligible():
    # T = ⌊T/2⌋ holds only for T = 0: outsourcing may not be the whole project
    result = breakdown([line("outsourcing", 500_000)], categories=CATEGORIES, stage=STAGE_1)
    assert row(result, "outsourcing").eligible == 0
    assert row(result, "outsourcing").reduction is Reduction.SHARE_CAP
    assert result.total_eligible == 0
    assert result.below_minimum
    assert result.subsidy == 0


def test_shares_summing_to_the_whole_keep_the_larger_solution():
    # A <= 1/2, B <= 1/2, each claiming half: T = 200 and T = 0 both solve T = G(T);
    # the applicant gets the larger one.
    rules = [
        CategoryRule("a", "A", max_share=HALF),
        CategoryRule("b", "B", max_share=HALF),
    ]
    stage = StageRule(rate=Fraction(1), cap=1000, rounding=1)
    result = breakdown([line("a", 100), line("b", 100)], categories=rules, stage=stage)
    assert result.total_eligible == 200
    assert [r.reduction for r in result.rows] == [None, None]


def test_shares_adding_up_to_the_whole_both_binding():
    # A <= 2/3, B <= 1/3 and nothing else: every eligible yen is held by a share cap.
    # T = 54 gives 25 + ⌊18⌋ = 43; the greatest T with T = min(25, ⌊2T/3⌋) + min(29, ⌊T/3⌋)
    # is 36 (24 + 12); T = 37 gives ⌊24.67⌋ + ⌊12.33⌋ = 36.
    rules = [
        CategoryRule("a", "A", max_share=Fraction(2, 3)),
        CategoryRule("b", "B", max_share=Fraction(1, 3)),
    ]
    stage = StageRule(rate=Fraction(1), cap=1000, rounding=1)
    result = breakdown([line("a", 25), line("b", 29)], categories=rules, stage=stage)
    assert [(r.eligible, r.share_limit, r.reduction) for r in result.rows] == [
        (24, 24, Reduction.SHARE_CAP),
        (12, 12, Reduction.SHARE_CAP),
    ]
    assert result.total_eligible == 36
    assert result.subsidy == 36


def test_an_amount_cap():
    lines = [line("machine", 3_000_000), line("expert", 800_000)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_2)
    # expert min(800,000, 500,000) = 500,000; T = 3,500,000, ⌊T/4⌋ = 875,000 does not bind
    expert = row(result, "expert")
    assert (expert.eligible, expert.reduced_by, expert.reduction) == (
        500_000,
        300_000,
        Reduction.AMOUNT_CAP,
    )
    assert result.total_eligible == 3_500_000
    assert result.subsidy == 2_333_000  # 2,333,333.33 -> 2,333,000


def test_a_share_cap_below_the_amount_cap():
    lines = [line("machine", 1_000_000), line("expert", 800_000)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_2)
    # ceiling 500,000; then T = 1,000,000 + T/4 -> T = 1,333,333.33; in yen T = 1,333,333:
    # 1,000,000 + ⌊333,333.25⌋ = 1,333,333. Expert 333,333, held by its share.
    expert = row(result, "expert")
    assert (expert.eligible, expert.reduction) == (333_333, Reduction.SHARE_CAP)
    assert result.total_eligible == 1_333_333
    assert result.subsidy == 888_000  # 888,888.67 -> 888,000


def test_an_unknown_category_is_listed_and_excluded():
    lines = [line("machine", 1_000_000), line("vehicle", 2_000_000, quotes=0)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_2)
    assert result.ineligible == (IneligibleLine(index=1, category="vehicle", amount=2_000_000),)
    assert [r.code for r in result.rows] == ["machine"]
    assert (result.total_claimed, result.total_eligible) == (3_000_000, 1_000_000)
    assert result.missing_quotes == ()  # an ineligible line is not asked for quotes
    assert result.subsidy == 666_000  # 1,000,000 × 2/3 = 666,666.67


def test_missing_quotes_are_reported_and_not_deducted():
    lines = [
        line("machine", 600_000, quotes=1),
        line("outsourcing", 100_000, quotes=0),
        line("cloud", 50_000, quotes=0),  # no quote needed
        line("machine", 200_000, quotes=3),
    ]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_1)
    assert result.missing_quotes == (
        MissingQuotes(index=0, category="machine", required=2, attached=1),
        MissingQuotes(index=1, category="outsourcing", required=2, attached=0),
    )
    # 950,000 eligible all the same; × 3/4 = 712,500 > cap
    assert result.total_eligible == 950_000
    assert result.subsidy == 500_000


def test_below_the_minimum_project_cost():
    result = breakdown([line("machine", 999_999)], categories=CATEGORIES, stage=STAGE_2)
    assert result.below_minimum
    assert result.total_eligible == 999_999
    assert result.subsidy == 0
    assert not result.capped_by_stage


def test_ineligible_lines_do_not_count_towards_the_minimum():
    lines = [line("machine", 900_000), line("vehicle", 500_000)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_2)
    assert result.total_claimed == 1_400_000
    assert result.below_minimum
    assert result.subsidy == 0


def test_the_stage_cap_binds():
    lines = [line("machine", 800_000), line("cloud", 100_000)]
    result = breakdown(lines, categories=CATEGORIES, stage=STAGE_1)
    # 900,000 × 3/4 = 675,000 > 500,000
    assert result.subsidy == 500_000
    assert result.capped_by_stage


def test_exactly_at_the_stage_cap_is_not_capped():
    result = breakdown([line("machine", 7_500_000)], categories=CATEGORIES, stage=STAGE_2)
    # 7,500,000 × 2/3 = 5,000,000: the cap takes nothing away
    assert result.subsidy == 5_000_000
    assert not result.capped_by_stage


def test_no_lines():
    empty = breakdown([], categories=CATEGORIES, stage=STAGE_1)
    assert (empty.rows, empty.total_claimed, empty.total_eligible, empty.subsidy) == ((), 0, 0, 0)
    assert empty.below_minimum
    no_minimum = StageRule(rate=HALF, cap=1000)
    assert not breakdown([], categories=CATEGORIES, stage=no_minimum).below_minimum


# Each refusal names the input and what is wrong with it.
BAD_RULES = [
    pytest.param(
        lambda: ExpenseInput("machine", 0), "amount must be > 0, got 0", id="line amount zero"
    ),
    pytest.param(
        lambda: ExpenseInput("machine", -1000),
        "amount must be > 0, got -1000",
        id="line amount negative",
    ),
    pytest.param(
        lambda: ExpenseInput("machine", 1000.0),
        "amount must be an int, got float",
        id="line amount float",
    ),
    pytest.param(
        lambda: ExpenseInput("machine", 1000, quotes=-1),
        "quotes must be >= 0, got -1",
        id="quotes negative",
    ),
    pytest.param(
        lambda: ExpenseInput("machine", 1000, quotes=1.0),
        "quotes must be an int, got float",
        id="quotes float",
    ),
    pytest.param(
        lambda: CategoryRule("", "名前"), "a category needs a code", id="category without code"
    ),
    pytest.param(
        lambda: CategoryRule("x", "x", max_share=0.5),
        "max_share must be a fractions.Fraction, got float",
        id="share float",
    ),
    pytest.param(
        lambda: CategoryRule("x", "x", max_share=Fraction(0)),
        "max_share must be > 0 and <= 1, got 0",
        id="share zero",
    ),
    pytest.param(
        lambda: CategoryRule("x", "x", max_share=Fraction(3, 2)),
        "max_share must be > 0 and <= 1, got 3/2",
        id="share above 1",
    ),
    pytest.param(
        lambda: CategoryRule("x", "x", max_amount=0),
        "max_amount must be > 0, got 0",
        id="max amount zero",
    ),
    pytest.param(
        lambda: CategoryRule("x", "x", quotes_required=-1),
        "quotes_required must be >= 0, got -1",
        id="quotes required <0",
    ),
    pytest.param(
        lambda: StageRule(rate=0.75, cap=500_000),
        "rate must be a fractions.Fraction, got float",
        id="stage rate float",
    ),
    pytest.param(
        lambda: StageRule(rate=HALF, cap=0), "cap must be > 0, got 0", id="stage cap zero"
    ),
    pytest.param(
        lambda: StageRule(rate=HALF, cap=1, rounding=0),
        "rounding must be > 0, got 0",
        id="stage rounding zero",
    ),
    pytest.param(
        lambda: StageRule(rate=HALF, cap=1, min_project_cost=-1),
        "min_project_cost must be >= 0, got -1",
        id="minimum < 0",
    ),
    pytest.param(
        lambda: breakdown([line("machine", 1000)], categories=[MACHINE, MACHINE], stage=STAGE_1),
        "category code 'machine' appears twice",
        id="duplicate category code",
    ),
]


@pytest.mark.parametrize(("build", "message"), BAD_RULES)
def test_bad_lines_and_rules_are_refused(build, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        build()


# --- breakdown properties -----------------------------------------------------------------


def reference_total(uncapped, capped):
    """The greatest fixed point by plain iteration from the top (Kleene, downwards):
    slow but obviously right, to check the accelerated solver against."""
    total = uncapped + sum(a for a, _ in capped)
    while True:
        following = uncapped + sum(min(a, math.floor(s * total)) for a, s in capped)
        if following == total:
            return total
        total = following


shares = st.fractions(min_value=Fraction(1, 20), max_value=1, max_denominator=20)


@st.composite
def scenarios(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    rules = [
        CategoryRule(
            code=f"c{n}",
            name=f"c{n}",
            max_share=draw(st.none() | shares),
            quotes_required=draw(st.integers(min_value=0, max_value=2)),
            max_amount=draw(st.none() | st.integers(min_value=1, max_value=100_000)),
        )
        for n in range(count)
    ]
    codes = [rule.code for rule in rules] + ["unknown"]
    lines = draw(
        st.lists(
            st.builds(
                ExpenseInput,
                category=st.sampled_from(codes),
                amount=st.integers(min_value=1, max_value=100_000),
                quotes=st.integers(min_value=0, max_value=3),
            ),
            max_size=8,
        )
    )
    stage = StageRule(
        rate=draw(rates),
        cap=draw(st.integers(min_value=1, max_value=200_000)),
        min_project_cost=draw(st.integers(min_value=0, max_value=50_000)),
        rounding=draw(st.sampled_from([1, 10, 1000])),
    )
    return lines, rules, stage


@settings(deadline=None)
@given(scenarios())
def test_breakdown_properties(scenario):
    lines, rules, stage = scenario
    result = breakdown(lines, categories=rules, stage=stage)
    by_code = {rule.code: rule for rule in rules}
    total = result.total_eligible

    assert result.total_claimed == sum(line.amount for line in lines)
    assert total <= result.total_claimed
    assert total == sum(r.eligible for r in result.rows)
    assert result.total_claimed == sum(r.claimed for r in result.rows) + sum(
        i.amount for i in result.ineligible
    )
    ceiled = {}
    for r in result.rows:
        rule = by_code[r.code]
        ceiled[r.code] = min(r.claimed, rule.max_amount or r.claimed)
        assert 0 <= r.eligible <= ceiled[r.code]
        if rule.max_share is not None:
            assert r.eligible <= rule.max_share * total  # its share of the eligible total
            # a fixed point: as much as the share allows at this total
            assert r.eligible == min(ceiled[r.code], math.floor(rule.max_share * total))
    # the greatest fixed point, as plain iteration finds it
    assert total == reference_total(
        sum(ceiled[r.code] for r in result.rows if by_code[r.code].max_share is None),
        [
            (ceiled[r.code], by_code[r.code].max_share)
            for r in result.rows
            if by_code[r.code].max_share is not None
        ],
    )
    if total == 0 or total < stage.min_project_cost:
        assert result.subsidy == 0
    else:
        assert result.subsidy == subsidy_amount(
            total, rate=stage.rate, cap=stage.cap, rounding=stage.rounding
        )
        assert result.subsidy <= stage.cap
