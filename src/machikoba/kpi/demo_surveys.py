"""The demo's yearly company survey and the demo ward's own targets (``kpi.demo`` calls
them): 大田区's rounds of this fiscal year and the two before it (控除法), 墨田区's of this
year and last (加算法), sent to each ward's registered shops; most answered (DX take-up,
stage, needs, figures), a few have not answered this year's yet. Value added grows faster
at the shops that received a grant. 大田区 sets targets of its own for the counts (the
paper's counts are for the 23 wards together), so its dashboard shows traffic lights."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.demo import OTA, SUMIDA, demo_owner
from machikoba.companies.models import Company
from machikoba.core.fiscal import fiscal_year, fiscal_year_bounds
from machikoba.kpi.choices import (
    DxEngagement,
    ExpectedSupport,
    ResponseStatus,
    RoundStatus,
    ValueAddedMethod,
)
from machikoba.kpi.models import Indicator, SurveyResponse, SurveyRound, Target
from machikoba.kpi.registered import registered_q
from machikoba.wards.models import Municipality

DEDUCTION, ADDITION = ValueAddedMethod.DEDUCTION, ValueAddedMethod.ADDITION
OFFICERS = {OTA: "officer@example.com", SUMIDA: "officer2@example.com"}
# 加算法: each part's share of value added (the rest is the operating profit).
ADDITION_SHARES = (
    ("personnel_costs", 0.64),
    ("depreciation", 0.08),
    ("rent", 0.05),
    ("interest", 0.01),
    ("taxes", 0.02),
)
# 大田区's own yearly targets for the counts (about its share of the 23 wards' targets).
OTA_TARGETS = {
    "M1.P1": 8,
    "M1.P2": 12,
    "M1.P3": 8,
    "M2.KSI": 20,
    "M2.P1": 8,
    "M2.P2": 3,
    "M2.P3": 1,
    "M3.KGI": 4,
    "M3.KSI": 80,
    "M3.OUT": 8,
    "M3.P1": 4,
    "M3.P2": 15,
    "M3.P3": 1,
}


# --- dates: always in this fiscal year ---------------------------------------------------


class Clock:
    """Moments between the start of this fiscal year (or four months back, if later) and
    now, as fractions of that span: every one is in this year and in the past."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.year = fiscal_year(self.today)
        self.first_day = fiscal_year_bounds(self.year)[0]
        start = timezone.make_aware(dt.datetime.combine(self.first_day, dt.time.min))
        self.start = max(start, self.now - dt.timedelta(days=120))

    def moment(self, fraction: float) -> dt.datetime:
        return self.start + (self.now - self.start) * fraction

    def day(self, fraction: float) -> dt.date:
        return timezone.localdate(self.moment(fraction))


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _registered(municipality: Municipality) -> list[Company]:
    return list(Company.objects.filter(registered_q(), ward=municipality).order_by("pk"))


# --- the yearly company survey ------------------------------------------------------------


def _readiness(company: Company) -> float:
    """A fixed number in [0, 1) per company: low numbers take up DX first."""
    return (company.pk * 37 % 100) / 100


def _answer_fields(
    company: Company, offset: int, *, method: str, granted: bool, engaged_share: float
) -> dict[str, Any]:
    """One year's answer; ``offset`` years after the first round."""
    ready = _readiness(company)
    if granted or ready < engaged_share / 2:
        engagement, stage = DxEngagement.DONE, 2 + (ready < 0.2)
    elif ready < engaged_share:
        engagement, stage = DxEngagement.CONSIDERING, 1 + (ready < 0.4)
    else:
        engagement, stage = DxEngagement.NOT_YET, int(ready < 0.8)
    employees = max(2, company.employees or 5)
    per_head = 5_500_000 + (company.pk % 7) * 400_000
    growth = (1.08 if granted else 1.025) + (company.pk % 3 - 1) / 200
    value_added = round(employees * per_head * growth**offset, -4)
    cost_share = 0.55 + (company.pk % 5) * 0.02
    sales = round(value_added / (1 - cost_share), -4)
    fields: dict[str, Any] = {
        "dx_engagement": engagement,
        "dx_stage": stage,
        "dx_needed": engagement != DxEngagement.NOT_YET or ready < 0.8,
        "expected_support": [ExpectedSupport.SUBSIDY]
        + ([ExpectedSupport.TRAINING] if ready < 0.5 else [ExpectedSupport.LAB]),
        "sales": int(sales),
        "external_costs": int(sales - value_added),
        "employees": employees,
    }
    if method == ADDITION:
        parts = {name: int(round(value_added * share, -4)) for name, share in ADDITION_SHARES}
        fields.update(parts, operating_profit=int(value_added) - sum(parts.values()))
    return fields


def survey(
    municipality: Municipality,
    *,
    years: list[int],
    method: str,
    clock: Clock,
    granted: set[int],
) -> list[SurveyRound]:
    """The ward's rounds of ``years`` (the last is this year's, still open), each sent to
    its registered shops. Take-up rises from about 35 % to about 55 %."""
    officer = User.objects.filter(email=OFFICERS[municipality.code]).first()
    companies = _registered(municipality)
    rounds = []
    for offset, year in enumerate(years):
        if SurveyRound.objects.filter(municipality=municipality, fiscal_year=year).exists():
            continue
        current = year == clock.year
        sent = clock.moment(0.05) if current else at(dt.date(year, 6, 1), 10)
        survey = SurveyRound.objects.create(
            municipality=municipality,
            fiscal_year=year,
            method=method,
            status=RoundStatus.OPEN if current else RoundStatus.CLOSED,
            due_on=clock.today + dt.timedelta(days=30) if current else dt.date(year, 7, 31),
            message="毎年の企業調査です。区の支援策の効果を測るために使います。",
            sent_at=sent,
            sent_by=officer,
        )
        share = 0.46 - 0.08 * (len(years) - 1 - offset)
        rows = []
        for index, company in enumerate(companies):
            ready = _readiness(company)
            if (0.85 <= ready < 0.95) if current else ready >= 0.95:  # not answered (yet)
                rows.append(
                    SurveyResponse(
                        round=survey,
                        company=company,
                        requested_at=sent,
                        reminders_sent=1,
                        last_reminded_at=clock.moment(0.5) if current else sent,
                    )
                )
                continue
            fields = _answer_fields(
                company,
                offset + (3 - len(years)),
                method=method,
                granted=company.pk in granted,
                engaged_share=share,
            )
            rows.append(
                SurveyResponse(
                    round=survey,
                    company=company,
                    status=ResponseStatus.SUBMITTED,
                    requested_at=sent,
                    submitted_at=clock.moment(0.1 + 0.8 * index / len(companies))
                    if current
                    else sent + dt.timedelta(days=3 + index % 20),
                    submitted_by=_owner_or_none(company),
                    **fields,
                )
            )
        SurveyResponse.objects.bulk_create(rows)
        rounds.append(survey)
    return rounds


def _owner_or_none(company: Company) -> User | None:
    try:
        return demo_owner(company)
    except ValueError:
        return None


def ward_targets(municipality: Municipality, clock: Clock) -> None:
    """大田区's own targets, set by its officer (as the targets page does)."""
    officer = User.objects.filter(email=OFFICERS[municipality.code]).first()
    for code, value in OTA_TARGETS.items():
        indicator = Indicator.objects.get(code=code)
        Target.objects.get_or_create(
            indicator=indicator,
            municipality=municipality,
            defaults={"target": Decimal(value), "target_year": clock.year, "set_by": officer},
        )
