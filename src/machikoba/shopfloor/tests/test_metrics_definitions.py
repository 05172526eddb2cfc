"""The arithmetic of 稼働率, OEE and the Pareto (shopfloor/metrics/definitions.py), table
by table, with the edge cases: no planned time, no counts, counter-only counts, a missing
ideal cycle time, performance above 100 %, and the ward's suppression below 3 companies."""

from __future__ import annotations

import pytest

from machikoba.shopfloor.metrics.definitions import (
    CountBasis,
    Counts,
    Missing,
    Ratio,
    combine,
    oee,
    pareto,
    reported_utilisation,
    spread,
    utilisation,
)


@pytest.mark.parametrize(
    ("producing", "planned", "value", "missing"),
    [
        (360, 480, 0.75, None),
        (0, 480, 0.0, None),
        (480, 480, 1.0, None),
        (0, 0, None, Missing.NO_PLANNED_TIME),  # a day off: no figure, not 0 %
        (30, 0, None, Missing.NO_PLANNED_TIME),  # produced outside any shift
    ],
)
def test_utilisation_is_producing_over_planned(producing, planned, value, missing):
    result = utilisation(producing, planned)
    assert (result.numerator, result.denominator) == (producing, planned)
    assert result.value == value
    assert result.missing == missing


def _oee(**changes):
    values = {
        "planned": 480.0,
        "planned_stop": 45.0,
        "producing": 360.0,
        "offline": 30.0,
        "ideal_cycle_seconds": 30.0,
        "counts": Counts.from_reports(good=600, defect=20),
    }
    values.update(changes)
    return oee(**values)


# (changes to the hand-built day, expected A, P, Q, OEE (None: missing), the reason)
CASES = [
    ("complete day", {}, 360 / 435, 310 / 360, 600 / 620, 300 / 435, None),
    (
        "no ideal cycle time",
        {"ideal_cycle_seconds": None},
        360 / 435,
        None,
        600 / 620,
        None,
        Missing.NO_IDEAL_CYCLE,
    ),
    (
        "counter only: quality unknown",
        {"counts": Counts.from_counter(620)},
        360 / 435,
        310 / 360,
        None,
        None,
        Missing.NO_DEFECT_DATA,
    ),
    (
        "no counts at all",
        {"counts": Counts.none()},
        360 / 435,
        None,
        None,
        None,
        Missing.NO_COUNTS,
    ),
    (
        "reports with nothing made",
        {"counts": Counts.from_reports(0, 0), "producing": 0.0},
        0.0,
        None,
        None,
        None,
        Missing.NO_PRODUCING_TIME,
    ),
    (
        "zero planned time",
        {"planned": 0.0, "planned_stop": 0.0, "producing": 0.0},
        None,
        None,
        600 / 620,
        None,
        Missing.NO_PLANNED_TIME,
    ),
    (
        "all planned stops",
        {"planned_stop": 480.0, "producing": 0.0},
        None,
        None,
        600 / 620,
        None,
        Missing.NO_LOADING_TIME,
    ),
    (
        "performance above 100 % is kept",
        {"ideal_cycle_seconds": 60.0},
        360 / 435,
        620 / 360,
        600 / 620,
        600 / 435,
        None,
    ),
]


@pytest.mark.parametrize(
    ("changes", "a", "p", "q", "overall", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_oee_parts_and_reasons(changes, a, p, q, overall, reason):
    result = _oee(**changes)
    for name, ratio_, expected in (
        ("A", result.availability, a),
        ("P", result.performance, p),
        ("Q", result.quality, q),
    ):
        if expected is None:
            assert ratio_.value is None, name
            assert ratio_.missing is not None, name
        else:
            assert ratio_.value == pytest.approx(expected), name
    if overall is None:
        assert result.oee.value is None
        assert result.oee.missing == reason
    else:
        assert result.oee.value == pytest.approx(overall)
        # OEE is the product of its parts: the two ways of computing it agree.
        product = result.availability.value * result.performance.value * result.quality.value
        assert result.oee.value == pytest.approx(product)


def test_oee_numerator_and_denominator_are_minutes_of_good_parts_and_loading_time():
    result = _oee()
    assert result.loading == 435
    assert (result.availability.numerator, result.availability.denominator) == (360, 435)
    # 30 s × 620 parts = 310 min at the ideal speed, in 360 min of producing time.
    assert (result.performance.numerator, result.performance.denominator) == (310, 360)
    assert (result.quality.numerator, result.quality.denominator) == (600, 620)
    # 30 s × 600 good parts = 300 min, out of 435 min of loading time.
    assert (result.oee.numerator, result.oee.denominator) == (300, 435)
    assert result.utilisation.value == 0.75


def test_performance_above_100_percent_is_flagged_not_capped():
    result = _oee(ideal_cycle_seconds=60.0)
    assert result.performance.over
    assert result.performance.percent == pytest.approx(100 * 620 / 360)
    assert not _oee().performance.over


def test_counter_only_keeps_the_known_total_for_the_page():
    result = _oee(counts=Counts.from_counter(620))
    assert result.quality.denominator == 620
    assert result.counts.basis == CountBasis.COUNTER


def test_a_machine_without_monitoring_has_utilisation_from_reports_and_no_oee():
    result = reported_utilisation(240, 480)
    assert result.utilisation.value == 0.5
    assert result.oee.missing == Missing.NO_MONITORING
    assert result.availability.missing == Missing.NO_MONITORING


@pytest.mark.parametrize(
    ("left", "right", "basis", "total", "good"),
    [
        (Counts.from_reports(10, 1), Counts.from_reports(5, 0), CountBasis.REPORTS, 16, 15),
        (Counts.from_counter(10), Counts.from_counter(7), CountBasis.COUNTER, 17, None),
        (Counts.from_reports(10, 1), Counts.from_counter(7), CountBasis.MIXED, 18, None),
        (Counts.none(), Counts.from_counter(7), CountBasis.COUNTER, 7, None),
        (Counts.none(), Counts.none(), CountBasis.NONE, None, None),
    ],
)
def test_counts_add_up_and_say_where_they_came_from(left, right, basis, total, good):
    result = left + right
    assert (result.basis, result.total, result.good) == (basis, total, good)


def test_combine_sums_numerators_and_denominators_and_oee_only_over_complete_machines():
    complete = _oee()
    half = _oee(planned=240.0, planned_stop=0.0, producing=60.0, ideal_cycle_seconds=None)
    result = combine([complete, half])
    assert (result.utilisation.numerator, result.utilisation.denominator) == (420, 720)
    assert (result.machines, result.complete) == (2, 1)
    assert result.oee.value == pytest.approx(300 / 435)
    nothing = combine([half])
    assert nothing.oee.missing == Missing.NO_IDEAL_CYCLE
    assert combine([]).utilisation.missing == Missing.NO_DATA


def test_pareto_sorts_longest_first_with_cumulative_share():
    bars = pareto([("a", 15), ("b", 30), ("c", 0), ("a", 15), ("d", 10)])
    assert [(b.key, b.minutes) for b in bars] == [("a", 30), ("b", 30), ("d", 10)]
    assert [round(b.cumulative, 4) for b in bars] == [round(30 / 70, 4), round(60 / 70, 4), 1.0]
    assert bars[-1].share == pytest.approx(10 / 70)
    assert pareto([]) == []


@pytest.mark.parametrize(
    ("values", "median", "mean"),
    [
        ([0.5, 0.7], None, None),  # two companies: suppressed
        ([0.4], None, None),
        ([], None, None),
        ([0.2, 0.5, 0.8], 0.5, 0.5),
        ([0.2, 0.4, 0.6, 0.9], 0.5, 0.525),
    ],
)
def test_spread_is_suppressed_below_three_companies(values, median, mean):
    result = spread(values)
    assert result.contributors == len(values)
    assert result.suppressed == (len(values) < 3)
    assert result.median == (pytest.approx(median) if median is not None else None)
    assert result.mean == (pytest.approx(mean) if mean is not None else None)


def test_a_ratio_with_no_denominator_has_no_value():
    assert Ratio(5, 0).value is None
    assert Ratio(5, 0).percent is None
    assert not Ratio(5, 0).over
