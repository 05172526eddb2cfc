"""The metrics pages as requests: the shop board and its polled cards, a machine's day,
the metrics of a period and the shifts; bad input becomes a message (no 500, nothing
written); the board and metrics pages read in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.clock import quiet_monday, working_day
from machikoba.core.testing.factories_floor import (
    approved_entry,
    floor,
    floor_machines,
    in_house_step,
)
from machikoba.core.testing.factories_telemetry import make_intervals, make_machine
from machikoba.shopfloor.models_metrics import Shift
from machikoba.telemetry.events import Batch, StateEvent
from machikoba.telemetry.ingest import write_batch

pytestmark = pytest.mark.clock_sensitive


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shop(db):
    people = floor()
    machines = floor_machines(people.shop)
    return people, machines


def lathes(people, machines, count: int, monday: dt.date):
    """``count`` monitored machines with a morning of rows each on ``monday``."""
    made = []
    for number in range(count):
        machine = make_machine(
            people.shop,
            equipment=machines["nc"] if number < 2 else None,
            unit=number + 1 if number < 2 else 1,
            name=f"NC-{number + 1}",
            ideal_cycle_seconds=Decimal("45"),
        )
        make_intervals(
            machine,
            local(monday, 8, 30),
            [("producing", 60, "", 80), ("alarm", 15, "A1"), ("producing", 30)],
        )
        made.append(machine)
    return made


def test_the_board_shows_each_machines_state_since_when_and_today_so_far(shop):
    people, machines = shop
    monday = quiet_monday()
    first, second = lathes(people, machines, 2, monday)
    # The second lathe stops for material at 09:50, through the collector's writer.
    write_batch(
        Batch(
            events=[
                StateEvent(
                    machine_id=second.pk,
                    boot="later",
                    seq=1,
                    at=local(monday, 9, 50),
                    state="idle",
                    reason="material",
                )
            ]
        )
    )
    with time_machine.travel(local(monday, 10, 0), tick=False):
        # Signed in inside the travel: the session is as old as the moment.
        response = client_for(people.worker).get(reverse("shopfloor:board"))
    assert response.status_code == 200
    cards = response.context["page"].cards
    assert [c.machine.name for c in cards] == ["NC-1", "NC-2"]
    one, two = cards
    assert (one.state, one.state_label) == ("producing", "生産中")
    assert one.since == local(monday, 9, 45)
    # 08:30–10:00: 90 planned minutes so far, 60 + 15 producing.
    assert one.utilisation.text == "83.3%"
    assert one.utilisation.detail == "75 分 / 90 分"
    assert one.parts == 80  # the counter's parts of the closed producing row
    assert (two.state, two.reason_label) == ("idle", "コード material")
    assert two.since == local(monday, 9, 50)
    assert two.utilisation.detail == "65 分 / 90 分"  # 60 + 5 producing
    html = response.content.decode()
    assert 'hx-trigger="every 5s"' in html
    assert "生産中" in html
    # A floor worker sees the board, not the links to the owner's pages.
    assert reverse("shopfloor:machine_day", args=[first.pk]) not in html


def test_the_board_cards_partial_polls_and_a_signed_out_screen_is_sent_to_sign_in(shop):
    people, _machines = shop
    response = client_for(people.owner).get(reverse("shopfloor:board_cards") + "?wall=1")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="board-cards"' in html
    assert "<html" not in html
    assert "floor/board/cards/?wall=1" in html
    anonymous = Client().get(reverse("shopfloor:board_cards"), headers={"HX-Request": "true"})
    assert anonymous.status_code == 204
    assert "/accounts/login/" in anonymous["HX-Redirect"]


def test_the_wall_layout_has_no_site_menu(shop):
    people, _machines = shop
    html = client_for(people.owner).get(reverse("shopfloor:board") + "?wall=1").content.decode()
    assert 'data-testid="wall"' in html
    assert 'data-testid="site-menu"' not in html
    assert "通常の表示に戻る" in html


@pytest.mark.parametrize("count", [2, 5])
def test_the_board_reads_in_a_fixed_number_of_queries(shop, count, django_assert_max_num_queries):
    people, machines = shop
    monday = quiet_monday()
    lathes(people, machines, count, monday)
    with time_machine.travel(local(monday, 10, 0), tick=False):
        client = client_for(people.owner)
        client.get(reverse("shopfloor:board"))  # session and caches warm
        with django_assert_max_num_queries(12):
            assert client.get(reverse("shopfloor:board")).status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(reverse("shopfloor:board_cards")).status_code == 200


@pytest.mark.parametrize("count", [2, 5])
def test_the_metrics_page_reads_in_a_fixed_number_of_queries(
    shop, count, django_assert_max_num_queries
):
    people, machines = shop
    day = working_day(-3)
    lathes(people, machines, count, day)
    step = in_house_step(people.owner, people.shop)
    approved_entry(
        people.shop, people.worker, step, day=day, equipment=machines["manual"], minutes=120
    )
    client = client_for(people.owner)
    url = reverse("shopfloor:metrics") + f"?from={day:%Y-%m-%d}&to={day:%Y-%m-%d}"
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    page = response.context["page"]
    names = [row.name for row in page.machine_rows]
    assert names[:count] == [f"NC-{n + 1}" for n in range(count)]
    # The manual lathe has no monitoring: its 稼働率 comes from the 日報 (120 / 540).
    manual = page.machine_rows[-1]
    assert manual.name == "汎用旋盤 LEO-80A"
    assert not manual.monitored
    assert manual.basis == "日報から"
    assert manual.utilisation.detail == "120 分 / 540 分"
    assert manual.oee.text == "—"
    assert len(page.trend) == 30
    assert page.trend[0].day == day


def test_the_metrics_page_per_day_and_shift(shop):
    people, machines = shop
    day = working_day(-3)
    Shift.objects.create(company=people.shop, name="午前", start=dt.time(8), end=dt.time(12))
    Shift.objects.create(company=people.shop, name="午後", start=dt.time(13), end=dt.time(17))
    lathes(people, machines, 1, day)
    response = client_for(people.owner).get(
        reverse("shopfloor:metrics") + f"?from={day:%Y-%m-%d}&to={day:%Y-%m-%d}"
    )
    (row,) = response.context["page"].day_rows
    assert row.day == day
    assert [s.name for s in row.shifts] == ["午前", "午後"]
    # 午前 08:00–12:00: 60 + 135 producing (the open row from 09:45 runs on); 午後: all.
    assert row.shifts[0].utilisation.detail == "195 分 / 240 分"
    assert row.shifts[1].utilisation.detail == "240 分 / 240 分"
    assert row.total.utilisation.detail == "435 分 / 480 分"
    html = response.content.decode()
    assert "午前" in html
    assert 'data-testid="trend"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=12345", "日付として読めません"),
        ("?from=abc&to=def", "日付として読めません"),
        ("?to={future}", "今日までの期間"),
        ("?from={today}&to={week_ago}", "始めの日を終わりの日より前"),
        ("?from={long_ago}", "3 年より前"),
        ("?from={quarter_ago}", "92 日まで"),
    ],
)
def test_a_bad_period_is_a_message_and_the_default_period(shop, query, message):
    people, _machines = shop
    today = timezone.localdate()
    url = reverse("shopfloor:metrics") + query.format(
        today=today,
        future=today + dt.timedelta(days=30),
        week_ago=today - dt.timedelta(days=7),
        long_ago=today - dt.timedelta(days=4 * 366),
        quarter_ago=today - dt.timedelta(days=120),
    )
    response = client_for(people.owner).get(url)
    assert response.status_code == 200
    assert message in response.context["problem"]
    assert response.context["page"].period.last == today
    assert message in response.content.decode()


def test_a_machine_day_with_a_bad_date_shows_today_with_a_message(shop):
    people, machines = shop
    machine = make_machine(people.shop, equipment=machines["nc"], name="NC-1")
    url = reverse("shopfloor:machine_day", args=[machine.pk])
    client = client_for(people.owner)
    for bad, message in (
        ("nonsense", "日付として読めません"),
        ((timezone.localdate() + dt.timedelta(days=3)).isoformat(), "まだ来ていない日"),
    ):
        response = client.get(url, {"date": bad}, follow=True)
        assert response.status_code == 200
        assert response.context["page"].day == timezone.localdate()
        assert message in response.content.decode()
    good = working_day(-1)
    response = client.get(url, {"date": good.isoformat()})
    assert response.context["page"].day == good
    assert response.context["page"].next is not None


def test_a_machine_of_another_company_is_not_found(shop):
    people, _machines = shop
    elsewhere = make_machine(name="他社の機械")
    response = client_for(people.owner).get(reverse("shopfloor:machine_day", args=[elsewhere.pk]))
    assert response.status_code == 404


def test_adding_a_shift_with_bad_input_writes_nothing(shop):
    people, _machines = shop
    client = client_for(people.owner)
    url = reverse("shopfloor:shifts")
    response = client.post(url, {"name": "", "start": "25:00", "end": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "シフト名を入力してください" in html
    assert "時刻を 08:30 の形で入力してください" in html
    assert "終了時刻を入力してください" in html
    Shift.objects.create(company=people.shop, name="日勤", start=dt.time(8), end=dt.time(17))
    response = client.post(url, {"name": "残業", "start": "16:00", "end": "20:00"})
    assert "重なっています" in response.content.decode()
    assert Shift.objects.count() == 1
    response = client.post(url, {"name": "夜勤", "start": "22:00", "end": "06:00"}, follow=True)
    assert "シフトを追加しました" in response.content.decode()
    assert Shift.objects.count() == 2
    night = Shift.objects.get(name="夜勤")
    response = client.post(reverse("shopfloor:shift_delete", args=[night.pk]), follow=True)
    assert "削除しました" in response.content.decode()
    assert Shift.objects.count() == 1
