"""From a definition and a scope to a result: which target applies (the paper's, a ward's
own), the progress expected by now, the traffic light, and the results that are "—"
with a reason instead of a number: a broken definition, a year not started, a year
without records.

Fiscal year 2026 as of 2026-11-16: day 230 of 365 (``kpi_data.NOW``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.factories import UserFactory
from machikoba.core.testing.factories_subsidies import make_officer
from machikoba.kpi.choices import Light, Reason
from machikoba.kpi.computations import Figure
from machikoba.kpi.error_codes import KpiErrorCode
from machikoba.kpi.evaluation import (
    Goal,
    current_definitions,
    evaluate,
    expected_by_now,
    goal_for,
    light_for,
    scope_for,
    year_elapsed,
)
from machikoba.kpi.models import Definition, Indicator
from machikoba.kpi.services import definition_revise, target_set
from machikoba.kpi.tests.kpi_data import (
    NOW,
    TODAY,
    day,
    definition,
    graduate,
    programme,
    shop,
    wards,
)
from machikoba.kpi.tests.kpi_data import result as result_of

pytestmark = pytest.mark.django_db

D = Decimal
SIX = D("0.000001")
CODES = [
    "M1.KGI", "M1.KSI", "M1.OUT", "M1.P1", "M1.P2", "M1.P3",
    "M2.KGI", "M2.KSI", "M2.OUT", "M2.P1", "M2.P2", "M2.P3",
    "M3.KGI", "M3.KSI", "M3.OUT", "M3.P1", "M3.P2", "M3.P3",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    frozen_clock.move_to(NOW)


def _indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def _set(ward, code: str, **fields):
    officer = make_officer(ward)
    return target_set(actor=officer, municipality=ward, indicator=_indicator(code), **fields)


# --- goal_for: the target that applies ------------------------------------------------


def test_the_papers_targets_apply_to_all_wards_together():
    ota, sumida = wards()
    graduates = goal_for(definition("M1.P1"), None)
    assert (graduates.target, graduates.ward_set) == (D(100), False)
    take_up = goal_for(definition("M1.KSI"), None)
    assert (take_up.target, take_up.baseline) == (D(60), D("42.0"))
    # Several wards together are measured against the paper's target too.
    assert goal_for(definition("M1.P1"), (ota.pk, sumida.pk)).target == D(100)


def test_a_count_target_is_not_one_wards_target_but_a_share_is():
    ota, _sumida = wards()
    assert goal_for(definition("M1.P1"), (ota.pk,)).target is None  # 100 graduates: 23 wards
    assert goal_for(definition("M3.KSI"), (ota.pk,)).target is None
    assert goal_for(definition("M1.KSI"), (ota.pk,)).target == D(60)  # a share: applies
    assert goal_for(definition("M2.KGI"), (ota.pk,)).target == D(5)  # points: applies
    assert goal_for(definition("M1.KGI"), (ota.pk,)).target == D(15)


def test_a_wards_own_target_replaces_the_papers_for_that_ward_only():
    ota, sumida = wards()
    _set(ota, "M1.P1", target="30", target_year="2028", baseline="12", baseline_year="2025")
    own = goal_for(definition("M1.P1"), (ota.pk,))
    assert own == Goal(
        target=D(30), target_year=2028, baseline=D(12), baseline_year=2025, ward_set=True
    )
    assert goal_for(definition("M1.P1"), (sumida.pk,)).target is None
    assert goal_for(definition("M1.P1"), None).target == D(100)
    # A share with only the ward's target set keeps the paper's baseline.
    _set(ota, "M1.KSI", target="55")
    share = goal_for(definition("M1.KSI"), (ota.pk,))
    assert (share.target, share.baseline, share.ward_set) == (D(55), D("42.0"), True)
    assert goal_for(definition("M1.KSI"), (sumida.pk,)).target == D(60)


def test_a_ward_setting_only_its_baseline_of_a_count_does_not_take_the_23_wards_target():
    """KPI: the paper's count targets are for the 23 wards together (evaluation.py's own
    rule). A ward that records only its baseline for M1.P1 has set no target of its own:
    it must not be measured against the 23 wards' 100 graduates."""
    ota, _sumida = wards()
    _set(ota, "M1.P1", baseline="12", baseline_year="2025")
    goal = goal_for(definition("M1.P1"), (ota.pk,))
    assert goal.baseline == D(12)
    assert goal.target is None


# --- year_elapsed and expected_by_now ----------------------------------------------------


@pytest.mark.parametrize(
    ("year", "today", "share"),
    [
        (2026, "2026-04-01", D(1) / D(365)),  # the first day counts
        (2026, "2026-11-16", D(230) / D(365)),
        (2026, "2027-03-31", D(1)),
        (2025, "2026-11-16", D(1)),  # a past year: all of it
        (2027, "2027-04-01", D(1) / D(366)),  # FY2027 has 29 February 2028
        (2027, "2026-11-16", D(0)),  # not started
    ],
)
def test_year_elapsed(year, today, share):
    assert year_elapsed(scope_for(year, None, today=day(today))) == share


def _goal(target, target_year=None) -> Goal:
    return Goal(target=target, target_year=target_year, baseline=None, baseline_year=None,
                ward_set=False)  # fmt: skip


def _expected(code, figure=None, target=None, target_year=None, year=2026):
    chosen = definition(code)
    goal = _goal(chosen.target if target is None else target, target_year)
    scope = scope_for(year, None, today=TODAY)
    return expected_by_now(chosen, goal, scope, figure or Figure())


def test_expected_by_now_for_yearly_indicators():
    # A yearly count grows through the year: 100 × 230/365 = 63.013699.
    assert _expected("M1.P1").quantize(SIX) == D("63.013699")
    # A share is expected at its target all year.
    assert _expected("M1.KSI") == D(60)
    assert _expected("M2.KGI") == D(5)
    # A past year: the whole target.
    assert _expected("M1.P1", year=2025) == D(100)


def test_expected_by_now_for_cumulative_indicators():
    # M3.KGI: 50 over the five years FY2022–FY2026; 4 years and 230/365 done:
    # 50 × (4 + 230/365) / 5 = 46.301370.
    joint = _expected("M3.KGI", Figure(detail={"first_year": 2022}))
    assert joint.quantize(SIX) == D("46.301370")
    # M1.KGI: +15 % over 5 years from the base year FY2024, growth measured from the base
    # year's end: (2 + 230/365 − 1) / 5 × 15 = 4.890411.
    growth = _expected("M1.KGI", Figure(detail={"base_year": 2024}))
    assert growth.quantize(SIX) == D("4.890411")
    # With the ward's target year 2026: (1 + 230/365) / 2 × 15 = 12.226027.
    soon = _expected("M1.KGI", Figure(detail={"base_year": 2024}), target_year=2026)
    assert soon.quantize(SIX) == D("12.226027")
    # Past the horizon: the whole target, never more. Without a base year: the target.
    assert _expected("M1.KGI", Figure(detail={"base_year": 2015})) == D(15)
    assert _expected("M1.KGI", Figure()) == D(15)


def test_no_target_no_expectation():
    ota, _sumida = wards()
    chosen = definition("M1.P1")
    scope = scope_for(2026, (ota.pk,), today=TODAY)
    goal = goal_for(chosen, (ota.pk,))
    assert expected_by_now(chosen, goal, scope, Figure()) is None


# --- light_for --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "light"),
    [
        (None, D(60), Light.NONE),
        (D(50), None, Light.NONE),
        (D(60), D(60), Light.GREEN),  # on course
        (D(75), D(60), Light.GREEN),
        (D(48), D(60), Light.AMBER),  # exactly 80 % of the expected value
        (D("47.99"), D(60), Light.RED),
        (D(0), D(0), Light.GREEN),
        (D(-1), D(0), Light.RED),
        (D(-3), D(5), Light.RED),  # a negative gap against +5 points
    ],
)
def test_light_for(value, expected, light):
    assert light_for(value, expected) == light


def test_a_result_carries_its_light_and_progress():
    ota, _sumida = wards()
    dojo = programme(ota)
    for _ in range(3):
        graduate(dojo, shop(ota), "2026-05-01")
    # All wards: 3 graduates against 63.01 expected by now: red; progress 3 % of 100.
    everyone = result_of("M1.P1", None)
    assert (everyone.value, everyone.light, everyone.progress) == (D(3), Light.RED, 3.0)
    # 大田区 alone has no target for a count: no light.
    assert result_of("M1.P1", ota).light == Light.NONE


# --- values that cannot be computed ------------------------------------------------------


def _broken(code: str, **changes) -> Definition:
    """A version 2 of ``code`` written as the admin's revision writes it (or, for a
    computation the service refuses, saved over version 1 directly)."""
    admin = UserFactory(is_staff=True, is_superuser=True)
    return definition_revise(actor=admin, code=code, changes=changes, note="テスト")


def test_an_unknown_computation_is_a_broken_definition():
    chosen = definition("M1.P1")
    chosen.computation = "no_such_function"
    chosen.save()
    outcome = evaluate(chosen, scope_for(2026, None, today=TODAY))
    assert (outcome.value, outcome.reason, outcome.light) == (
        None,
        Reason.BROKEN_DEFINITION,
        Light.NONE,
    )
    assert outcome.as_dict()["reason"] == "broken_definition"


@pytest.mark.parametrize(
    ("code", "params"),
    [
        ("M2.P1", {"stage": "three"}),  # not a number
        ("M1.KSI", {"answers": 5}),  # not a list
        ("M1.OUT", {"window_days": "a year"}),
    ],
)
def test_params_that_raise_are_a_broken_definition(code, params):
    revised = _broken(code, params=params)
    outcome = evaluate(revised, scope_for(2026, None, today=TODAY))
    assert (outcome.value, outcome.reason) == (None, Reason.BROKEN_DEFINITION)


@pytest.mark.parametrize(
    ("code", "params"),
    [
        ("M1.OUT", {"window_days": 10**12}),  # timedelta overflows: OverflowError
        ("M1.P1", ["program_kind", "dojo"]),  # params not an object: dict() raises
        ("M2.P1", 5),
    ],
)
def test_any_params_the_admin_can_save_give_a_reason_never_a_crash(code, params):
    """The issue: "a definition with a broken formula … shown as — with a reason, never a
    crash". ``definition_revise`` refuses params that are not an object; a row that holds
    them anyway (written before the check, or by hand) must not make ``evaluate`` raise."""
    if isinstance(params, dict):
        revised = _broken(code, params=params)
    else:
        with pytest.raises(ApplicationError) as refused:
            _broken(code, params=params)
        assert refused.value.code == KpiErrorCode.DEFINITION_INVALID
        revised = definition(code)
        revised.params = params
        revised.save()
    outcome = evaluate(revised, scope_for(2026, None, today=TODAY))
    assert (outcome.value, outcome.reason) == (None, Reason.BROKEN_DEFINITION)


def test_a_future_year_has_not_started():
    ota, _sumida = wards()
    for chosen in current_definitions():
        outcome = evaluate(chosen, scope_for(2027, (ota.pk,), today=TODAY))
        assert (outcome.value, outcome.reason, outcome.light) == (
            None,
            Reason.NOT_STARTED,
            Light.NONE,
        ), outcome.code


def test_a_year_without_records_gives_reasons_for_shares_and_zero_for_counts():
    ota, _sumida = wards()
    reasons = {}
    for chosen in current_definitions():
        outcome = evaluate(chosen, scope_for(2020, (ota.pk,), today=TODAY))
        reasons[outcome.code] = (outcome.value, str(outcome.reason))
    assert list(reasons) == CODES
    assert reasons["M1.KGI"] == (None, Reason.NO_SURVEY)
    assert reasons["M1.KSI"] == (None, Reason.NO_SURVEY)
    assert reasons["M1.OUT"] == (None, Reason.NO_DATA)
    assert reasons["M2.KGI"] == (None, Reason.NO_SURVEY)
    assert reasons["M2.OUT"] == (None, Reason.NO_DATA)
    counts = set(CODES) - {"M1.KGI", "M1.KSI", "M1.OUT", "M2.KGI", "M2.OUT"}
    assert {reasons[code] for code in counts} == {(D(0), "")}


def test_scope_for_stops_at_today_or_the_years_end():
    assert scope_for(2026, None, today=TODAY).as_of == TODAY
    assert scope_for(2025, None, today=TODAY).as_of == dt.date(2026, 3, 31)
    scope = scope_for(2026, None, today=TODAY)
    assert (scope.first_day, scope.last_day) == (dt.date(2026, 4, 1), TODAY)
