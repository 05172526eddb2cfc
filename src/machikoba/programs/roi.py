"""The investment estimate's arithmetic (投資対効果の試算), in integer yen, with no Django
and no floating point: the ROI page, the DX plan and a later subsidy application all read
the same figures from here.

- yearly saving = hours freed per year × hourly wage + other savings per year
  − yearly running cost (may be negative: the tool costs more to run than it saves);
- payback in months = ⌈investment cost × 12 ÷ yearly saving⌉, only while the yearly
  saving is positive; otherwise the investment never pays back (``None``,
  「回収できません」).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import ceil


def yearly_saving(
    *,
    hours_freed_per_year: int,
    hourly_wage: int,
    other_savings_per_year: int = 0,
    yearly_running_cost: int = 0,
) -> int:
    """Yen saved in a year, net of what the tool costs to run each year."""
    return hours_freed_per_year * hourly_wage + other_savings_per_year - yearly_running_cost


def payback_months(*, investment_cost: int, yearly_saving: int) -> int | None:
    """Whole months until the saving has repaid the investment (a part-month counts as a
    month), or None when the yearly saving is zero or negative."""
    if yearly_saving <= 0:
        return None
    return ceil(Fraction(investment_cost * 12, yearly_saving))


@dataclass(frozen=True)
class RoiFigures:
    investment_cost: int
    yearly_saving: int
    payback_months: int | None

    @property
    def pays_back(self) -> bool:
        return self.payback_months is not None


def roi_figures(
    *,
    investment_cost: int,
    hours_freed_per_year: int,
    hourly_wage: int,
    other_savings_per_year: int = 0,
    yearly_running_cost: int = 0,
) -> RoiFigures:
    saving = yearly_saving(
        hours_freed_per_year=hours_freed_per_year,
        hourly_wage=hourly_wage,
        other_savings_per_year=other_savings_per_year,
        yearly_running_cost=yearly_running_cost,
    )
    return RoiFigures(
        investment_cost=investment_cost,
        yearly_saving=saving,
        payback_months=payback_months(investment_cost=investment_cost, yearly_saving=saving),
    )
