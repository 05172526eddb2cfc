"""Measure ① on hand-built records, against values worked out by hand (KPI.md and
``kpi.definitions``): productivity growth (M1.KGI), the DX take-up share (M1.KSI), the
dojo graduates' investments within a year (M1.OUT), graduates (M1.P1, M1.P2) and advisor
dispatches (M1.P3), each for one ward, the other ward and every ward together.

Fiscal year 2026 (2026-04-01 … 2027-03-31) as of 2026-11-16 (``kpi_data.NOW``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from machikoba.advisory.choices import EngagementStatus
from machikoba.core.testing.factories import ward
from machikoba.kpi.choices import DxEngagement, Reason, ValueAddedMethod
from machikoba.kpi.models import SurveyResponse, Target
from machikoba.kpi.selectors.figures import suppressed
from machikoba.kpi.tests.kpi_data import (
    KATSUSHIKA,
    NOW,
    answer,
    applied,
    at,
    call,
    day,
    engagement,
    figures,
    graduate,
    programme,
    result,
    shop,
    survey,
    wards,
)
from machikoba.programs.choices import ProgramKind
from machikoba.subsidies.choices import ApplicationStatus

pytestmark = pytest.mark.django_db

D = Decimal
DONE, CONSIDERING, NOT_YET = DxEngagement.DONE, DxEngagement.CONSIDERING, DxEngagement.NOT_YET


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    frozen_clock.move_to(NOW)


# --- M1.P1 / M1.P2: graduates of the year --------------------------------------------


def test_dojo_graduates_are_counted_per_person_in_the_programmes_ward():
    ota, sumida = wards()
    dojo, leader, sumida_dojo = (
        programme(ota),
        programme(ota, ProgramKind.LEADER),
        programme(sumida),
    )
    x = shop(ota, employees=5, process="cutting.turning.nc_lathe")
    y = shop(ota, employees=12, process="grinding.cylindrical")
    z = shop(sumida, employees=30)  # a 墨田区 shop in 大田区's dojo
    graduate(dojo, x, "2026-04-01")  # the year's first day: counts
    graduate(dojo, y, "2026-06-15")  # counts
    graduate(dojo, y, "2026-11-16")  # today, a second person of Y: people, not companies
    graduate(dojo, z, "2026-10-01")  # counts for 大田区, whose programme it is
    graduate(dojo, x, "2026-03-31")  # fiscal year 2025
    graduate(leader, x, "2026-05-01")  # the leader course is M1.P2
    graduate(sumida_dojo, shop(sumida), "2026-09-01")
    # 大田区: X, Y, Y, Z = 4 people of 3 companies; 墨田区: 1; all wards: 5.
    ota_result = result("M1.P1", ota)
    assert figures(ota_result) == (D(4), None, D(4))
    assert ota_result.figure.companies == {x.pk, y.pk, z.pk}
    assert result("M1.P1", sumida).value == 1
    assert result("M1.P1", None).value == 5
    assert result("M1.P1", ota, year=2025).value == 1
    # Filters: 1-9 employees keeps X (one graduation this year); 切削 keeps X; 30 or more
    # keeps Z; 溶接 keeps nobody.
    assert result("M1.P1", ota, size="1-9").value == 1
    assert result("M1.P1", ota, process="cutting").value == 1
    assert result("M1.P1", ota, process="grinding").value == 2
    assert result("M1.P1", None, size="30-").value == 1
    assert result("M1.P1", ota, process="welding").value == 0


def test_leader_course_graduates_of_the_year():
    ota, sumida = wards()
    dojo, leader = programme(ota), programme(ota, ProgramKind.LEADER)
    a, b = shop(ota), shop(ota)
    graduate(leader, a, "2026-05-01")
    graduate(leader, a, "2026-05-01")  # two of A's staff: 2 people
    graduate(leader, b, "2027-03-31")  # the year's last day, not reached by 2026-11-16
    graduate(leader, b, "2026-04-30")
    graduate(dojo, b, "2026-06-01")  # the dojo is M1.P1
    graduate(programme(sumida, ProgramKind.LEADER), shop(sumida), "2026-08-08")
    # 大田区: A, A, B = 3; 墨田区: 1; all: 4. Once the year is over (as of 2027-04-10), B's
    # graduation of 2027-03-31 counts too: 4.
    assert figures(result("M1.P2", ota)) == (D(3), None, D(3))
    assert result("M1.P2", sumida).value == 1
    assert result("M1.P2", None).value == 4
    assert result("M1.P2", ota, today=at("2027-04-10").date()).value == 4


# --- M1.P3: companies an advisor was dispatched to ---------------------------------------


def test_advisor_dispatches_count_each_company_once_and_not_cancelled_ones():
    ota, sumida = wards()
    p, q, r, s, t = (shop(ota) for _ in range(5))
    engagement(ota, p, "2026-05-01")
    engagement(ota, p, "2026-08-01")  # P again: once
    engagement(ota, q, "2026-04-01", status=EngagementStatus.CLOSED)  # first day, closed since
    engagement(ota, r, "2026-06-01", status=EngagementStatus.CANCELLED)  # cancelled: no
    engagement(ota, s, "2026-03-31")  # fiscal year 2025
    engagement(ota, t, "2026-11-17")  # starts tomorrow
    engagement(sumida, shop(sumida), "2026-07-01")
    # 大田区: P, Q = 2 companies; 墨田区: 1; all: 3.
    ota_result = result("M1.P3", ota)
    assert figures(ota_result) == (D(2), None, D(2))
    assert ota_result.figure.companies == {p.pk, q.pk}
    assert len(ota_result.figure.records) == 3  # P twice (the second not counted), Q
    assert result("M1.P3", sumida).value == 1
    assert result("M1.P3", None).value == 3
    assert result("M1.P3", ota, year=2025).value == 1  # S


# --- M1.OUT: dojo graduates that invested within a year --------------------------------


def test_dojo_graduates_investing_within_365_days():
    ota, sumida = wards()
    dojo, leader, sumida_dojo = (
        programme(ota),
        programme(ota, ProgramKind.LEADER),
        programme(sumida),
    )
    ota_call, sumida_call = call(ota, 2025), call(sumida, 2025)
    a, b, c, d, e, f, g, h, i, j, m = (shop(ota) for _ in range(11))
    k = shop(sumida)
    # Graduates whose first year ended in FY2026 so far: graduated 2025-04-01 … 2025-11-16.
    graduate(dojo, a, "2025-05-10")
    applied(ota_call, a, submitted=at("2026-05-10"))  # day 365: counts
    graduate(dojo, b, "2025-05-10")
    applied(ota_call, b, submitted=at("2026-05-11"))  # day 366: too late
    graduate(dojo, c, "2025-06-01", invested=True, invested_on="2025-09-01")  # follow-up: counts
    graduate(dojo, d, "2025-06-01")
    graduate(dojo, d, "2025-08-01")  # D twice: one company
    applied(ota_call, d, submitted=at("2025-07-01"))  # counts
    graduate(dojo, g, "2025-07-01", invested=False)
    applied(ota_call, g, status=ApplicationStatus.DRAFT)  # never submitted: no
    graduate(dojo, h, "2025-07-01")
    # First submitted 2025-08-01, returned and resubmitted 2026-09-01 (day 427): the first
    # submission is the day it applied, within the year.
    applied(ota_call, h, first_submitted=at("2025-08-01"), submitted=at("2026-09-01"))
    graduate(dojo, i, "2025-07-01")
    applied(ota_call, i, submitted=at("2025-06-01"))  # before graduating: no
    graduate(dojo, m, "2025-07-01", invested=True, invested_on="2026-07-02")  # day 366: no
    # Not in this year's denominator.
    graduate(dojo, e, "2025-03-31")  # its year ended 2026-03-31 (FY2025)
    applied(ota_call, e, submitted=at("2025-04-10"))
    graduate(dojo, f, "2025-11-17", invested=True, invested_on="2025-12-01")  # not a year yet
    graduate(leader, j, "2025-06-01", invested=True, invested_on="2025-09-01")  # not the dojo
    graduate(sumida_dojo, k, "2025-06-01")
    applied(sumida_call, k, submitted=at("2025-10-01"))
    # 大田区: A, B, C, D, G, H, I, M = 8 companies; invested A, C, D, H = 4: 50 %.
    ota_result = result("M1.OUT", ota)
    assert figures(ota_result) == (D(4), D(8), D("50.0000"))
    assert ota_result.figure.companies == {x.pk for x in (a, b, c, d, g, h, i, m)}
    how = {r.company: r.detail for r in ota_result.figure.records}
    assert (how[a.pk], how[c.pk], how[b.pk]) == ("subsidy", "follow_up", "none")
    # 墨田区: K, 1 of 1. All wards: 5 of 9 = 55.5556 %.
    assert figures(result("M1.OUT", sumida)) == (D(1), D(1), D("100.0000"))
    assert figures(result("M1.OUT", None)) == (D(5), D(9), D("55.5556"))
    # FY2025 (graduated 2024-04-01 … 2025-03-31): E, who applied 10 days on: 1 of 1.
    assert figures(result("M1.OUT", ota, year=2025)) == (D(1), D(1), D("100.0000"))


def test_no_dojo_graduate_a_year_on_is_a_missing_value_with_its_reason():
    ota, _sumida = wards()
    graduate(programme(ota), shop(ota), "2026-06-01")  # graduated this year: not a year on
    outcome = result("M1.OUT", ota)
    assert (outcome.value, outcome.reason) == (None, Reason.NO_DATA)
    assert result("M1.OUT", ward(KATSUSHIKA)).reason == Reason.NO_DATA


# --- M1.KSI: the share that has taken up or considers DX -------------------------------


def test_dx_take_up_share_of_the_years_answers():
    ota, sumida = wards()
    this_year, last_year = survey(ota, 2026), survey(ota, 2025)
    a, b, c, d, e, f = (shop(ota) for _ in range(6))
    answer(this_year, a, dx=DONE)
    answer(this_year, b, dx=CONSIDERING)
    answer(this_year, c, dx=NOT_YET)
    answer(this_year, d, dx=NOT_YET)
    answer(this_year, e)  # submitted without answering the question: left out
    answer(this_year, f, dx=DONE, submitted=False)  # not submitted: left out
    for company in (c, d, e):
        answer(last_year, company, dx=DONE)  # last year's round is not this year's
    sumida_round = survey(sumida, 2026)
    g, h = shop(sumida), shop(sumida)
    answer(sumida_round, g, dx=DONE)
    answer(sumida_round, h, dx=CONSIDERING)
    # 大田区: A, B of A, B, C, D = 50 %. 墨田区: 2 of 2. All wards: 4 of 6 = 66.6667 %.
    ota_result = result("M1.KSI", ota)
    assert figures(ota_result) == (D(2), D(4), D("50.0000"))
    assert figures(result("M1.KSI", sumida)) == (D(2), D(2), D("100.0000"))
    assert figures(result("M1.KSI", None)) == (D(4), D(6), D("66.6667"))
    assert figures(result("M1.KSI", ota, year=2025)) == (D(3), D(3), D("100.0000"))
    # Small numbers: 墨田区's share comes from 2 companies. Shown as "—" to anyone but
    # people of both (one of them could tell the other's answer from the share); 大田区's,
    # from 4, is shown.
    sumida_result = result("M1.KSI", sumida)
    assert suppressed(sumida_result) is True
    assert suppressed(sumida_result, frozenset({g.pk})) is True
    assert suppressed(sumida_result, frozenset({g.pk, h.pk})) is False
    assert suppressed(ota_result) is False


def test_the_drill_down_dates_an_answer_by_its_day_in_tokyo():
    """Submitted at 05:00 JST on 2 June (20:00 UTC on 1 June): the record behind the figure
    says 2 June, as every other record of the dashboard (``local_day``)."""
    ota, _sumida = wards()
    response = answer(survey(ota, 2026), shop(ota), dx=DONE)
    SurveyResponse.objects.filter(pk=response.pk).update(submitted_at=at("2026-06-02", 5))
    [record] = result("M1.KSI", ota).figure.records
    assert record.day == day("2026-06-02")


def test_dx_take_up_without_a_sent_round_or_without_answers():
    ota, sumida = wards()
    survey(ota, 2026, sent=False)  # drafted, never sent
    answered_nothing = survey(sumida, 2026)
    answer(answered_nothing, shop(sumida), dx=DONE, submitted=False)
    assert (result("M1.KSI", ota).value, result("M1.KSI", ota).reason) == (None, Reason.NO_SURVEY)
    assert (result("M1.KSI", sumida).value, result("M1.KSI", sumida).reason) == (
        None,
        Reason.NO_DATA,
    )
    assert result("M1.KSI", ward(KATSUSHIKA)).reason == Reason.NO_SURVEY
    assert result("M1.KSI", ota, year=2020).reason == Reason.NO_SURVEY  # a year without data


# --- M1.KGI: labour productivity growth since the base year -------------------------------


def _addition(total: tuple[int, ...]) -> dict[str, int]:
    """The addition method's six parts, in millions of yen."""
    names = ("operating_profit", "personnel_costs", "depreciation", "rent", "interest", "taxes")
    return {name: int(part * 1_000_000) for name, part in zip(names, total, strict=True)}


def _productivity_world():
    ota, sumida = wards()
    first, middle = survey(ota, 2024), survey(ota, 2025)
    now = survey(ota, 2026, method=ValueAddedMethod.ADDITION)
    a, b, c, d, e, f, g = (shop(ota) for _ in range(7))
    # FY2024, the deduction method: sales − external costs (millions), employees.
    answer(first, a, value_added=(100, 60), employees=10)  # 40
    answer(first, b, value_added=(50, 30), employees=5)  # 20
    answer(first, f, value_added=(25, 15), employees=2)  # 10
    answer(first, c, value_added=(60, 30), employees=0)  # employees 0: left out
    answer(first, d, value_added=(80, 40), employees=8)  # answered this year only
    # FY2025 (the base year only if the ward says so).
    answer(middle, a, value_added=(200, 60), employees=10)  # 140
    answer(middle, b, value_added=(50, 30), employees=5)  # 20
    answer(middle, f, value_added=(25, 15), employees=2)  # 10
    # FY2026, the addition method (the deduction figures would give A only 10).
    answer(now, a, employees=10, sales=100_000_000, external_costs=90_000_000,
           **_addition((5, 30, 4, 3, 1, 2)))  # fmt: skip  # 45
    answer(now, b, employees=4, **_addition((1, 15, 2, 1, 0, 1)))  # 20
    answer(now, f, employees=2, **_addition((2, 8, 1, 0.5, 0.2, 0.3)))  # 12
    answer(now, c, employees=6, **_addition((3, 20, 2, 1, 1, 1)))  # not usable in FY2024
    answer(now, e, employees=3, **_addition((1, 5, 1, 1, 1, 1)))  # FY2026 only
    parts = _addition((1, 5, 1, 1, 1, 1))
    parts.pop("taxes")
    answer(now, g, employees=3, **parts)  # a part missing: no value added
    # 墨田区: FY2025 and FY2026, deduction.
    s1, s2 = shop(sumida), shop(sumida)
    sumida_first, sumida_now = survey(sumida, 2025), survey(sumida, 2026)
    answer(sumida_first, s1, value_added=(40, 20), employees=4)  # 20 → 5 per head
    answer(sumida_now, s1, value_added=(42, 20), employees=4)  # 22 → 5.5 per head
    answer(sumida_first, s2, value_added=(30, 10), employees=5)
    answer(sumida_now, s2, value_added=(30, 10), employees=0)  # employees 0: left out
    return ota, sumida, (a, b, c, f, g)


def test_productivity_growth_over_the_companies_that_answered_both_years():
    ota, sumida, (a, b, c, f, g) = _productivity_world()
    # 大田区: base year FY2024 (its first round). The panel: A, B, F (C had 0 employees in
    # FY2024, D did not answer FY2026, E not FY2024, G gave no value added).
    # FY2024: (40 + 20 + 10) / (10 + 5 + 2) = 70 M / 17 = 4,117,647 yen per head.
    # FY2026: (45 + 20 + 12) / (10 + 4 + 2) = 77 M / 16 = 4,812,500 yen per head.
    # Growth: (77/16) / (70/17) − 1 = 1309/1120 − 1 = +16.875 %.
    ota_result = result("M1.KGI", ota)
    assert figures(ota_result) == (D(4812500), D(4117647), D("16.8750"))
    assert ota_result.figure.companies == {a.pk, b.pk, f.pk}
    assert ota_result.figure.detail["base_year"] == 2024
    left_out = {(r.company, r.detail) for r in ota_result.figure.records if not r.counted}
    assert left_out == {(c.pk, "no_employees"), (g.pk, "no_figures")}
    # 墨田区: base FY2025; S1 only (S2 has 0 employees now): 5.5 M / 5 M − 1 = +10 %.
    assert figures(result("M1.KGI", sumida)) == (D(5500000), D(5000000), D("10.0000"))
    # All wards: base FY2024, the first round of any ward: the same panel as 大田区.
    assert figures(result("M1.KGI", None)) == (D(4812500), D(4117647), D("16.8750"))


def test_productivity_growth_from_the_wards_base_year():
    ota, _sumida, _companies = _productivity_world()
    Target.objects.create(indicator=result("M1.KGI", ota).definition.indicator,
                          municipality=ota, baseline_year=2025)  # fmt: skip
    # Base FY2025: (140 + 20 + 10) / 17 = 10,000,000 per head; FY2026 4,812,500:
    # 4,812,500 / 10,000,000 − 1 = −51.875 %.
    assert figures(result("M1.KGI", ota)) == (D(4812500), D(10000000), D("-51.8750"))


def test_productivity_growth_with_no_employees_left_has_a_reason_not_a_division():
    katsushika = ward(KATSUSHIKA)
    first, now = survey(katsushika, 2025), survey(katsushika, 2026)
    company = shop(katsushika)
    answer(first, company, value_added=(50, 20), employees=5)
    answer(now, company, value_added=(55, 20), employees=0)
    outcome = result("M1.KGI", katsushika)
    assert (outcome.value, outcome.reason) == (None, Reason.NO_EMPLOYEES)
    assert [r.detail for r in outcome.figure.records] == ["no_employees"]


def test_productivity_growth_needs_this_years_round_and_an_earlier_one():
    ota, sumida = wards()
    assert result("M1.KGI", ota).reason == Reason.NO_SURVEY
    answer(survey(ota, 2026), shop(ota), value_added=(50, 20), employees=5)
    only_one_year = result("M1.KGI", ota)
    assert (only_one_year.value, only_one_year.reason) == (None, Reason.NO_COMPARISON)
    # 墨田区 answered FY2025 only: no round this year.
    answer(survey(sumida, 2025), shop(sumida), value_added=(50, 20), employees=5)
    assert result("M1.KGI", sumida).reason == Reason.NO_SURVEY
