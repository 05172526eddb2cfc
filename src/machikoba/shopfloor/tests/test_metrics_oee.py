"""OEE of a day built by hand equals the hand-computed value (issue 22, "Done means").

The day (a working day three working days ago) of one NC lathe with an ideal cycle time
of 30 s/part, in a shop with two shifts, 前半 08:00–12:00 and 後半 13:00–17:00
(planned time 240 + 240 = 480 min). Its state rows, from 07:30:

    07:30–08:00 producing      30 min  (before the shift: not counted)
    08:00–08:30 setup          30
    08:30–10:30 producing     120
    10:30–10:45 planned_stop   15
    10:45–11:45 producing      60
    11:45–12:00 alarm A12      15
    12:00–13:00 idle           60      (lunch, between the shifts: not counted)
    13:00–13:30 unplanned_stop 30  reason MAINT = the shop's reason 定期保全, planned
    13:30–16:30 producing     180
    16:30–17:00 offline        30

Two approved 日報 entries on this machine: 08:30–11:45 good 280, defect 10 and
13:30–16:30 good 320, defect 10 (the day: 620 parts, 600 good).

By hand, for the day:

    planned time   480 = 240 + 240
    planned stops   45 = 15 (planned_stop) + 30 (MAINT, a planned reason)
    loading time   435 = 480 − 45
    producing      360 = 120 + 60 + 180
    稼働率         360 / 480 = 75.0 %
    availability   360 / 435 = 82.76 %
    performance    (30 s × 620 / 60 = 310 min) / 360 = 86.11 %
    quality        600 / 620 = 96.77 %
    OEE            0.8276 × 0.8611 × 0.9677 = (30 s × 600 / 60 = 300 min) / 435 = 68.97 %
    data missing   30 (offline)

Shift 前半: planned 240, stops 15, loading 225, producing 180, counts 290 / 280 good:
    A 180/225 = 80.0 %, P (30 × 290 / 60 = 145) / 180 = 80.56 %, Q 280/290 = 96.55 %,
    OEE (30 × 280 / 60 = 140) / 225 = 62.22 %.
Shift 後半: planned 240, stops 30, loading 210, producing 180, counts 330 / 320 good:
    A 180/210 = 85.71 %, P 165/180 = 91.67 %, Q 320/330 = 96.97 %, OEE 160/210 = 76.19 %.

The downtime Pareto of the day: 段取り (理由なし) 30, 定期保全 30, 計画停止 (理由なし) 15,
異常 (アラーム): コード A12 15 — cumulative 33.3 %, 66.7 %, 83.3 %, 100 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from machikoba.core.testing.clock import working_day
from machikoba.core.testing.factories_floor import (
    approved_entry,
    floor,
    floor_machines,
    in_house_step,
    make_reason,
)
from machikoba.core.testing.factories_telemetry import make_intervals, make_machine
from machikoba.shopfloor.metrics.board import machine_day
from machikoba.shopfloor.metrics.definitions import CountBasis
from machikoba.shopfloor.metrics.metrics_page import metrics_page
from machikoba.shopfloor.metrics.periods import Period
from machikoba.shopfloor.models_metrics import Shift
from machikoba.shopfloor.models_reports import DailyReport

pytestmark = pytest.mark.clock_sensitive


def at(day: dt.date, clock: str) -> dt.datetime:
    hour, minute = map(int, clock.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def hand_day(db):
    people = floor()
    shop = people.shop
    equipment = floor_machines(shop)["nc"]
    machine = make_machine(
        shop, equipment=equipment, unit=1, name="NC-1", ideal_cycle_seconds=Decimal("30")
    )
    Shift.objects.create(company=shop, name="前半", start=dt.time(8), end=dt.time(12), order=1)
    Shift.objects.create(company=shop, name="後半", start=dt.time(13), end=dt.time(17), order=2)
    make_reason(shop, code="MAINT", label="定期保全", planned=True)
    day = working_day(-3)
    make_intervals(
        machine,
        at(day, "07:30"),
        [
            ("producing", 30),
            ("setup", 30),
            ("producing", 120, "", 240),
            ("planned_stop", 15),
            ("producing", 60),
            ("alarm", 15, "A12"),
            ("idle", 60),
            ("unplanned_stop", 30, "MAINT"),
            ("producing", 180),
            ("offline", 30),
            None,
        ],
    )
    step = in_house_step(people.owner, shop)
    approved_entry(
        shop,
        people.worker,
        step,
        day=day,
        equipment=equipment,
        unit=1,
        minutes=195,
        good=280,
        defect=10,
        started_at=at(day, "08:30"),
        ended_at=at(day, "11:45"),
    )
    approved_entry(
        shop,
        people.worker,
        step,
        day=day,
        equipment=equipment,
        unit=1,
        minutes=180,
        good=320,
        defect=10,
        started_at=at(day, "13:30"),
        ended_at=at(day, "16:30"),
    )
    return people, machine, day


def test_the_hand_built_day_gives_the_hand_computed_oee(hand_day):
    people, machine, day = hand_day
    page = machine_day(people.owner, people.shop, machine, day)
    total = page.day_row.figures

    assert total.planned == 480
    assert total.planned_stop == 45
    assert total.loading == 435
    assert total.producing == 360
    assert total.offline == 30
    assert total.counts.basis == CountBasis.REPORTS
    assert (total.counts.total, total.counts.good) == (620, 600)

    assert (total.utilisation.numerator, total.utilisation.denominator) == (360, 480)
    assert total.utilisation.value == 0.75
    assert (total.availability.numerator, total.availability.denominator) == (360, 435)
    assert (total.performance.numerator, total.performance.denominator) == (310, 360)
    assert (total.quality.numerator, total.quality.denominator) == (600, 620)
    assert (total.oee.numerator, total.oee.denominator) == (300, 435)
    assert total.availability.value == pytest.approx(0.827586, abs=1e-6)
    assert total.performance.value == pytest.approx(0.861111, abs=1e-6)
    assert total.quality.value == pytest.approx(0.967742, abs=1e-6)
    assert total.oee.value == pytest.approx(0.689655, abs=1e-6)
    assert total.oee.value == pytest.approx(
        total.availability.value * total.performance.value * total.quality.value
    )

    # What the page prints: the percentage, and numerator / denominator in minutes.
    assert page.day_row.oee.text == "69.0%"
    assert page.day_row.oee.detail == "300 分 / 435 分"
    assert page.day_row.utilisation.text == "75.0%"
    assert page.day_row.quality.detail == "600 個 / 620 個"


def test_each_shift_has_its_own_hand_computed_figures(hand_day):
    people, machine, day = hand_day
    page = machine_day(people.owner, people.shop, machine, day)
    first, second = page.shift_rows
    assert (first.name, second.name) == ("前半", "後半")
    assert first.shift_time == "08:00–12:00"

    a = first.figures
    assert (a.planned, a.planned_stop, a.loading, a.producing) == (240, 15, 225, 180)
    assert (a.counts.total, a.counts.good) == (290, 280)
    assert a.availability.value == pytest.approx(0.8)
    assert a.performance.value == pytest.approx(145 / 180)
    assert a.quality.value == pytest.approx(280 / 290)
    assert (a.oee.numerator, a.oee.denominator) == (140, 225)

    b = second.figures
    assert (b.planned, b.planned_stop, b.loading, b.producing, b.offline) == (240, 30, 210, 180, 30)
    assert b.availability.value == pytest.approx(180 / 210)
    assert b.performance.value == pytest.approx(165 / 180)
    assert b.quality.value == pytest.approx(320 / 330)
    assert (b.oee.numerator, b.oee.denominator) == (160, 210)
    # The day's row follows the shifts.
    assert page.figure_rows[-1].name == "この日の合計"


def test_the_days_stops_and_pareto(hand_day):
    people, machine, day = hand_day
    page = machine_day(people.owner, people.shop, machine, day)
    stops = [
        (timezone.localtime(s.start).strftime("%H:%M"), s.state, s.reason, s.planned)
        for s in page.stops
    ]
    assert stops == [
        ("08:00", "段取り", "", False),
        ("10:30", "計画停止", "", True),
        ("11:45", "異常 (アラーム)", "コード A12", False),
        ("13:00", "計画外停止", "定期保全", True),
    ]
    # The lunch-time idle row lies between the shifts: it is on the timeline, not a stop.
    assert any(b.label == "待機" and b.planned_minutes == 0 for b in page.bands)

    metrics = metrics_page(people.owner, people.shop, Period(day, day))
    pareto = [(row.label, row.minutes, row.cumulative) for row in metrics.pareto]
    assert pareto == [
        ("段取り (理由なし)", "30 分", 33.3),
        ("定期保全", "30 分", 66.7),
        ("計画停止 (理由なし)", "15 分", 83.3),
        ("異常 (アラーム): コード A12", "15 分", 100.0),
    ]
    assert metrics.pareto[1].planned
    (row,) = metrics.machine_rows
    assert row.oee.text == "69.0%"
    assert metrics.offline_total == "30 分"


def test_counter_only_counts_leave_quality_and_oee_open(hand_day):
    """Without the 日報 the day falls back to the part counter (240 parts in the 08:30
    row): the performance is computed, quality and OEE are 「—」 with the reason."""
    people, machine, day = hand_day
    DailyReport.objects.filter(company=people.shop).delete()
    page = machine_day(people.owner, people.shop, machine, day)
    total = page.day_row.figures
    assert total.counts.basis == CountBasis.COUNTER
    assert total.counts.total == 240
    # 30 s × 240 = 120 min at the ideal speed in 360 min producing.
    assert (total.performance.numerator, total.performance.denominator) == (120, 360)
    assert total.quality.value is None
    assert total.oee.value is None
    assert page.day_row.oee.text == "—"
    assert "不良数が分かりません" in page.day_row.quality.note
    assert page.day_row.basis == "カウンタ"


def test_a_missing_ideal_cycle_time_leaves_performance_and_oee_open(hand_day):
    people, machine, day = hand_day
    machine.ideal_cycle_seconds = None
    machine.save()
    page = machine_day(people.owner, people.shop, machine, day)
    assert page.day_row.performance.text == "—"
    assert page.day_row.oee.text == "—"
    assert "理想サイクルタイム" in page.day_row.performance.note
    assert page.day_row.oee.ratio.missing == "no_ideal_cycle"
    assert page.day_row.oee.note == ""  # said once in the row, beside the performance
    assert page.day_row.utilisation.text == "75.0%"


def test_a_period_combines_its_days_and_says_on_how_many_the_oee_stands(hand_day):
    """The hand-built day plus the next working day, counter only: 08:00–12:00 producing,
    400 parts on the counter (30 s × 400 = 200 ideal minutes), no 日報.

    Two days: 稼働率 (360 + 240) / (480 + 480); availability (360 + 240) / (435 + 480);
    performance (310 + 200) / (360 + 240); quality and OEE from the first day only
    (the second has no defect count): 600 / 620 and 300 / 435, on 1 of 2 days."""
    people, machine, day = hand_day
    second = working_day(-2)
    make_intervals(machine, at(second, "08:00"), [("producing", 240, "", 400), None], boot="d2")
    page = metrics_page(people.owner, people.shop, Period(day, second))
    (row,) = page.machine_rows
    figures = row.figures
    assert (figures.utilisation.numerator, figures.utilisation.denominator) == (600, 960)
    assert (figures.availability.numerator, figures.availability.denominator) == (600, 915)
    assert (figures.performance.numerator, figures.performance.denominator) == (510, 600)
    assert (figures.quality.numerator, figures.quality.denominator) == (600, 620)
    assert (figures.oee.numerator, figures.oee.denominator) == (300, 435)
    assert figures.covered == (1, 2)
    assert row.coverage == "OEE は 1 / 2 日分"
    assert row.basis == "日報+カウンタ"
    assert figures.counts.total == 1020
