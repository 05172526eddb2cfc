"""The ROI estimate's arithmetic, table-driven, every figure computed by hand."""

import pytest

from machikoba.programs.roi import payback_months, roi_figures, yearly_saving

# hours, wage, other, running -> yearly saving (hand-computed)
SAVINGS = [
    (120, 2500, 0, 0, 300_000),  # 120 h × 2,500
    (120, 2500, 50_000, 0, 350_000),  # + 50,000 paper and printing
    (120, 2500, 50_000, 60_000, 290_000),  # − 60,000 subscription
    (0, 3000, 0, 24_000, -24_000),  # saves nothing, costs to run
    (100, 2400, 0, 240_000, 0),  # exactly even
    (1, 1, 0, 0, 1),
]


@pytest.mark.parametrize(("hours", "wage", "other", "running", "expected"), SAVINGS)
def test_yearly_saving(hours, wage, other, running, expected):
    assert (
        yearly_saving(
            hours_freed_per_year=hours,
            hourly_wage=wage,
            other_savings_per_year=other,
            yearly_running_cost=running,
        )
        == expected
    )


# investment, yearly saving -> months (ceil(investment × 12 / saving)), or None
PAYBACK = [
    (1_200_000, 300_000, 48),  # 14,400,000 / 300,000 = 48 exactly
    (1_000_000, 300_000, 40),  # 12,000,000 / 300,000 = 40
    (1_000_001, 300_000, 41),  # 40.00004 -> 41: a part-month counts
    (500_000, 290_000, 21),  # 6,000,000 / 290,000 = 20.69 -> 21
    (100, 1_200, 1),  # 1,200 / 1,200 = 1
    (1, 1_000_000_000, 1),  # a fraction of a month is a month
    (3_000_000, 7, 5_142_858),  # 36,000,000 / 7 = 5,142,857.14 -> 5,142,858
    (900_000, 0, None),  # saves nothing: never pays back
    (900_000, -24_000, None),  # costs more than it saves
]


@pytest.mark.parametrize(("investment", "saving", "expected"), PAYBACK)
def test_payback_months(investment, saving, expected):
    assert payback_months(investment_cost=investment, yearly_saving=saving) == expected


def test_payback_is_exact_for_amounts_where_floats_round_wrong():
    # 10**17 × 12 / 3 = 4 × 10**17 exactly; a float division would be off by many months.
    assert payback_months(investment_cost=10**17, yearly_saving=3) == 4 * 10**17
    assert payback_months(investment_cost=10**17 + 1, yearly_saving=3) == 4 * 10**17 + 4


def test_roi_figures_combine_both():
    figures = roi_figures(
        investment_cost=1_500_000,
        hours_freed_per_year=240,
        hourly_wage=2500,
        other_savings_per_year=30_000,
        yearly_running_cost=120_000,
    )
    # 240 × 2,500 + 30,000 − 120,000 = 510,000; 18,000,000 / 510,000 = 35.29 -> 36
    assert figures.yearly_saving == 510_000
    assert figures.payback_months == 36
    assert figures.pays_back
    never = roi_figures(investment_cost=1, hours_freed_per_year=0, hourly_wage=0)
    assert never.payback_months is None
    assert not never.pays_back
