"""The booking pages through the test client: only open days offered, the day's slots
with full ones marked, a refusal shown on the page (the training's session as a link,
「空き待ちに登録」 for a full time), bad input answered with a message (never a 500),
マイ予約 (a vendor sees its own exhibits' bookings only), the staff's day."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories_lab import (
    closed_day,
    make_lab_staff,
    make_training,
    make_vendor,
)
from machikoba.core.testing.factories_lab_bookings import (
    make_booking,
    make_demo_slot,
    make_entry,
    make_setting,
    make_shop,
)
from machikoba.lab.choices import BookingStatus, EventKind, EventStatus, WaitlistStatus
from machikoba.lab.models import Item
from machikoba.lab.models_bookings import Booking, WaitlistEntry
from machikoba.lab.models_events import Event

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def s():
    return make_setting()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _book_url(s, **query):
    url = reverse("lab:item_book", args=[s.item.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _post(s, client, hour=10, hours=1, **extra):
    start = dt.time(int(hour), int((hour % 1) * 60))
    end_at = dt.datetime.combine(s.day, start) + dt.timedelta(hours=hours)
    data = {
        "day": s.day.isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end_at.strftime("%H:%M"),
        "purpose": "試し",
    }
    data.update(extra)
    return client.post(_book_url(s), data)


def test_the_page_offers_open_days_and_the_day_s_slots(s):
    other = make_shop("他社工業株式会社")
    make_booking(s.item, other.company, other.owner, day=s.day, hour=10)
    make_demo_slot(s.item, *s.at(15))
    response = _client(s.shop.floor).get(_book_url(s, day=s.day.isoformat()))
    assert response.status_code == 200
    page = response.context["page"]
    offered = [choice.day for choice in page.days]
    assert s.day in offered
    assert closed_day(s.lab) not in offered
    assert len(offered) <= s.lab.book_days_ahead + 1
    states = {slot.label: slot.state for slot in page.slots}
    assert states["10:00"] == states["10:30"] == "full"
    assert states["15:00"] == states["15:30"] == "demo"
    assert states["11:00"] == "free"
    assert len(page.slots) == 18  # 9:00–18:00 in 30 minutes
    html = response.content.decode()
    assert 'data-testid="slot-10:00" data-state="full"' in html
    assert f'href="?day={s.day.isoformat()}&amp;start=11:00"' in html


def test_a_tapped_slot_fills_the_form(s):
    response = _client(s.shop.owner).get(_book_url(s, day=s.day.isoformat(), start="13:30"))
    form = response.context["form"]
    assert (form.initial["start"], form.initial["end"]) == ("13:30", "14:00")


def test_booking_from_the_page(s):
    response = _post(s, _client(s.shop.floor), 11, 1.5)
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("lab:my_bookings")
    booking = Booking.objects.get()
    assert (booking.user, booking.company) == (s.shop.floor, s.shop.company)
    assert timezone.localtime(booking.ends_at).strftime("%H:%M") == "12:30"


def test_a_refusal_shows_the_training_and_links_its_session(s):
    training = make_training(s.lab, [s.item], name="協働ロボット安全講習")
    start = timezone.now() + dt.timedelta(days=5)
    session = Event.objects.create(
        lab=s.lab,
        kind=EventKind.TRAINING,
        title="安全講習 12月の回",
        training=training,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=8,
        status=EventStatus.PUBLISHED,
    )
    response = _post(s, _client(s.shop.owner))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="lab_booking_training_missing"' in html
    assert "協働ロボット安全講習" in html
    assert f'href="/lab/events/{session.pk}/" data-testid="training-session-link"' in html
    assert not Booking.objects.exists()


def test_a_full_time_offers_the_waitlist(s):
    other = make_shop("他社工業株式会社")
    make_booking(s.item, other.company, other.owner, day=s.day, hour=10)
    client = _client(s.shop.owner)
    response = _post(s, client)
    html = response.content.decode()
    assert 'data-code="lab_booking_capacity_full"' in html
    assert 'data-testid="waitlist-join"' in html
    response = client.post(
        reverse("lab:waitlist_join", args=[s.item.pk]),
        {"day": s.day.isoformat(), "start": "10:00", "end": "11:00", "purpose": ""},
    )
    assert response.headers["Location"] == reverse("lab:my_bookings")
    entry = WaitlistEntry.objects.get()
    assert (entry.user, entry.status) == (s.shop.owner, WaitlistStatus.WAITING)
    page = client.get(reverse("lab:my_bookings")).content.decode()
    assert f'data-testid="waitlist-{entry.pk}"' in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("day", "9999-99-99"),
        ("day", "明日"),
        ("start", "25:00"),
        ("end", "'; DROP TABLE"),
        ("purpose", "長" * 301),
    ],
)
def test_bad_input_is_answered_not_crashed(s, field, value):
    response = _post(s, _client(s.shop.owner), **{field: value})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Booking.objects.exists()


def test_a_closed_day_posted_anyway_is_refused_with_its_reason(s):
    day = closed_day(s.lab)
    response = _client(s.shop.owner).post(
        _book_url(s), {"day": day.isoformat(), "start": "10:00", "end": "11:00"}
    )
    assert response.status_code == 200
    assert 'data-code="lab_booking_closed_day"' in response.content.decode()
    assert not Booking.objects.exists()


def test_an_inactive_item_is_not_found(s):
    Item.objects.filter(pk=s.item.pk).update(active=False)
    assert _client(s.shop.owner).get(_book_url(s)).status_code == 404


def test_my_bookings_shows_mine_and_my_offers(s):
    mine = make_booking(s.item, s.shop.company, s.shop.floor, day=s.day, hour=10)
    colleague = make_booking(s.item, s.shop.company, s.shop.owner, day=s.day, hour=12)
    past = make_booking(
        s.item,
        s.shop.company,
        s.shop.floor,
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=3, hours=-1),
        status=BookingStatus.COMPLETED,
    )
    offer = make_entry(s.item, s.shop.company, s.shop.floor, *s.at(14), offer_hours=5)
    page = _client(s.shop.floor).get(reverse("lab:my_bookings")).context["page"]
    assert [c.booking for c in page.upcoming] == [mine]
    assert [c.booking for c in page.past] == [past]
    assert [w.entry for w in page.waiting] == [offer]
    assert page.waiting[0].offered
    assert colleague not in [c.booking for c in page.upcoming]
    assert page.exhibit_bookings == []


def test_a_vendor_sees_the_bookings_of_its_own_exhibits_only(s):
    vendor = make_vendor()
    exhibit = Item.objects.create(
        lab=s.lab, kind="iot_kit", name="振動センサーキット", summary="後付けIoT", exhibitor=vendor
    )
    other_vendor = make_vendor("別のITベンダー株式会社")
    other_exhibit = Item.objects.create(
        lab=s.lab, kind="iot_kit", name="温度ロガー", summary="温度", exhibitor=other_vendor
    )
    ours = make_booking(exhibit, s.shop.company, s.shop.owner, day=s.day, hour=10)
    theirs = make_booking(other_exhibit, s.shop.company, s.shop.owner, day=s.day, hour=11)
    lab_owned = make_booking(s.item, s.shop.company, s.shop.owner, day=s.day, hour=12)
    client = _client(vendor.memberships.get().user)
    page = client.get(reverse("lab:my_bookings")).context["page"]
    assert [c.booking for c in page.exhibit_bookings] == [ours]
    assert client.get(reverse("lab:booking_detail", args=[ours.pk])).status_code == 200
    for hidden in (theirs, lab_owned):
        assert client.get(reverse("lab:booking_detail", args=[hidden.pk])).status_code == 404
    # Seeing is not changing.
    assert client.post(reverse("lab:booking_cancel", args=[ours.pk])).status_code == 403
    ours.refresh_from_db()
    assert ours.status == BookingStatus.BOOKED


def test_another_company_and_an_officer_find_no_booking(s, world):
    booking = make_booking(s.item, s.shop.company, s.shop.owner, day=s.day)
    for actor in ("other_company", "officer"):
        client = world.client_for(actor)
        for name in ("booking_detail", "booking_change"):
            assert client.get(reverse(f"lab:{name}", args=[booking.pk])).status_code == 404
        assert client.post(reverse("lab:booking_cancel", args=[booking.pk])).status_code == 404
    anonymous = Client().get(reverse("lab:booking_detail", args=[booking.pk]))
    assert anonymous.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_the_staff_day_lists_bookings_by_item_with_buttons(s, frozen_clock):
    staff = make_lab_staff()
    first = make_booking(s.item, s.shop.company, s.shop.floor, day=s.day, hour=10)
    later = make_booking(s.item, s.shop.company, s.shop.owner, day=s.day, hour=15)
    frozen_clock.move_to(first.starts_at + dt.timedelta(minutes=45))
    client = _client(staff)
    url = reverse("lab:staff_bookings", args=[s.lab.pk]) + f"?day={s.day.isoformat()}"
    response = client.get(url)
    day = response.context["day"]
    assert [row.booking for row in day.items[0].rows] == [first, later]
    assert [row.may_close for row in day.items[0].rows] == [True, False]
    html = response.content.decode()
    assert html.count('data-testid="mark-no-show"') == 1
    response = client.post(reverse("lab:booking_no_show", args=[first.pk]), {"next": url})
    assert response.headers["Location"] == url
    first.refresh_from_db()
    assert first.status == BookingStatus.NO_SHOW
    # A bad day in the address falls back to today.
    bad = client.get(reverse("lab:staff_bookings", args=[s.lab.pk]) + "?day=9999-99-99")
    assert bad.status_code == 200
