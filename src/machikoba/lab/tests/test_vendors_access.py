"""Who sees what of the vendors' rows: a vendor sees its own exhibits' demo seats,
bookings, consultations and trials, and nothing of another vendor's; a consultation is
read by its two companies only (not the lab's staff, not an officer); a trial by its two
companies and the lab's staff. Pages answer 404 to everyone else (a login redirect to a
visitor), disclosing nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from machikoba.core.access import CHANGE, VIEW
from machikoba.core.testing.factories import force_login_with_mfa, give_totp
from machikoba.core.testing.factories_lab import open_day, slot
from machikoba.core.testing.factories_lab_vendors import (
    make_consultation,
    make_demo_seat,
    make_demo_slot,
    make_trial,
    make_vendor_cast,
)
from machikoba.lab.choices import TrialStatus
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_vendors import Consultation, TrialRequest
from machikoba.lab.selectors.vendors import (
    demos_page,
    item_demo_slots,
    vendor_portal_page,
)

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def cast(db):
    return make_vendor_cast()


@pytest.fixture
def rows(cast):
    """For each vendor: a demo with a seat of the shop, an item booking of its exhibit, a
    consultation and a trial request of the shop."""

    class Rows:
        pass

    rows = Rows()
    rows.demo = make_demo_slot(cast.kit, hour=10)
    rows.other_demo = make_demo_slot(cast.other_kit, hour=10)
    rows.seat = make_demo_seat(rows.demo, cast.shop, cast.shop.worker)
    rows.other_seat = make_demo_seat(rows.other_demo, cast.shop, cast.shop.owner)
    starts, ends = slot(open_day(cast.lab), 15)
    rows.booking = Booking.objects.create(
        lab=cast.lab,
        item=cast.kit,
        company=cast.other_shop,
        user=cast.other_shop.owner,
        starts_at=starts,
        ends_at=ends,
    )
    rows.other_booking = Booking.objects.create(
        lab=cast.lab,
        item=cast.other_kit,
        company=cast.other_shop,
        user=cast.other_shop.owner,
        starts_at=starts,
        ends_at=ends,
    )
    rows.cobot_booking = Booking.objects.create(
        lab=cast.lab,
        item=cast.cobot,
        company=cast.shop,
        user=cast.shop.owner,
        starts_at=starts,
        ends_at=ends,
    )
    rows.consultation = make_consultation(cast.kit, cast.shop, subject="当社向けの相談")
    rows.other_consultation = make_consultation(cast.other_kit, cast.shop, subject="他社向けの相談")
    rows.trial = make_trial(cast.software, cast.shop)
    return rows


def client_for(user, *, mfa=False):
    client = Client()
    if user is not None:
        if mfa:
            give_totp(user)
            force_login_with_mfa(client, user)
        else:
            client.force_login(user)
    return client


def test_the_portal_shows_the_vendors_own_rows_only(cast, rows):
    page = vendor_portal_page(user=cast.vendor_worker, vendor=cast.vendor)
    assert {i.pk for i in page.exhibits} == {cast.kit.pk, cast.software.pk}
    assert [s.pk for s in page.slots] == [rows.demo.pk]
    assert page.slots[0].taken == 1
    assert {b.pk for b in page.bookings} == {rows.seat.pk, rows.booking.pk}
    assert [c.pk for c in page.consultations] == [rows.consultation.pk]
    assert page.trials == []  # trials are for the vendor's owner and staff (trial_scope)
    assert page.may_edit is False  # a floor worker reads
    page = vendor_portal_page(user=cast.vendor_staff, vendor=cast.vendor)
    assert [t.pk for t in page.trials] == [rows.trial.pk]
    assert page.may_edit is True


def test_the_portal_page_names_nothing_of_another_vendor(cast, rows):
    response = client_for(cast.vendor_owner).get(reverse("lab:vendor_portal"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "当社向けの相談" in text
    assert "他社向けの相談" not in text
    assert "画像検査カメラ" not in text  # the other vendor's exhibit
    assert text.count("糀谷製作所") == 1  # its booking of our kit, not of the other's
    assert f'data-testid="portal-booking-{rows.other_booking.pk}"' not in text
    assert f'data-testid="portal-booking-{rows.cobot_booking.pk}"' not in text


def test_the_portal_is_not_for_shops_staff_or_officers(cast, rows):
    url = reverse("lab:vendor_portal")
    assert client_for(cast.shop.owner).get(url).status_code == 403
    assert client_for(cast.lab_staff).get(url).status_code == 403
    assert client_for(cast.officer, mfa=True).get(url).status_code == 403
    assert "/accounts/login/" in client_for(None).get(url).headers["Location"]


def test_a_demos_seats_are_its_vendors_alone(cast, rows):
    url = reverse("lab:vendor_demo", args=[rows.demo.pk])
    response = client_for(cast.vendor_worker).get(url)
    assert response.status_code == 200
    assert "蒲田精工株式会社" in response.content.decode()
    for outsider in (cast.other_vendor_owner, cast.shop.owner, cast.other_shop.owner):
        assert client_for(outsider).get(url).status_code == 404
    assert client_for(cast.officer, mfa=True).get(url).status_code == 404
    assert "/accounts/login/" in client_for(None).get(url).headers["Location"]


def test_a_vendor_reads_its_exhibits_bookings_through_the_scope(cast, rows):
    seen = set(Booking.objects.for_user(cast.vendor_owner, VIEW).values_list("pk", flat=True))
    assert seen == {rows.seat.pk, rows.booking.pk}
    other = set(
        Booking.objects.for_user(cast.other_vendor_owner, VIEW).values_list("pk", flat=True)
    )
    assert other == {rows.other_seat.pk, rows.other_booking.pk}
    assert not Booking.objects.for_user(cast.officer, VIEW).exists()


def test_a_consultation_is_read_by_its_two_companies_only(cast, rows):
    url = reverse("lab:consultation", args=[rows.consultation.pk])
    for reader in (cast.shop.owner, cast.shop.staff, cast.vendor_owner, cast.vendor_worker):
        response = client_for(reader).get(url)
        assert response.status_code == 200, reader
        assert "当社向けの相談" in response.content.decode()
    for outsider in (
        cast.shop.worker,
        cast.other_shop.owner,
        cast.other_vendor_owner,
        cast.lab_staff,
    ):
        assert client_for(outsider).get(url).status_code == 404, outsider
    assert client_for(cast.officer, mfa=True).get(url).status_code == 404
    assert "/accounts/login/" in client_for(None).get(url).headers["Location"]
    for user in (cast.lab_staff, cast.officer, cast.other_vendor_owner):
        assert rows.consultation not in Consultation.objects.for_user(user, VIEW)
    assert rows.consultation in Consultation.objects.for_user(cast.vendor_staff, CHANGE)


def test_a_trial_is_read_by_its_two_companies_and_the_labs_staff(cast, rows):
    url = reverse("lab:trial", args=[rows.trial.pk])
    for reader in (cast.shop.owner, cast.vendor_staff, cast.lab_staff):
        assert client_for(reader).get(url).status_code == 200, reader
    for outsider in (
        cast.shop.worker,
        cast.vendor_worker,
        cast.other_shop.owner,
        cast.other_vendor_owner,
    ):
        assert client_for(outsider).get(url).status_code == 404, outsider
    assert client_for(cast.officer, mfa=True).get(url).status_code == 404
    assert "/accounts/login/" in client_for(None).get(url).headers["Location"]
    assert not TrialRequest.objects.for_user(cast.other_vendor_owner, VIEW).exists()


def test_the_shops_lists_hold_its_own_rows(cast, rows):
    make_consultation(cast.kit, cast.other_shop, subject="糀谷の相談")
    response = client_for(cast.shop.staff).get(reverse("lab:consultations"))
    text = response.content.decode()
    assert "当社向けの相談" in text
    assert "他社向けの相談" in text
    assert "糀谷の相談" not in text
    make_trial(cast.software, cast.other_shop, status=TrialStatus.ACTIVE)
    response = client_for(cast.shop.owner).get(reverse("lab:trials"))
    assert response.content.decode().count('data-testid="trial-row-') == 1


def test_the_demos_page_shows_upcoming_standing_demos_and_the_companys_own_seat(cast, rows):
    make_demo_slot(cast.software, hour=14, cancelled_at=rows.demo.starts_at)
    page = demos_page(user=cast.shop.staff, company=cast.shop)
    assert [r.slot.pk for r in page.rows] == [rows.demo.pk, rows.other_demo.pk]  # not cancelled
    mine = {r.slot.pk: r for r in page.rows}
    assert mine[rows.demo.pk].my_seat == rows.seat
    assert mine[rows.demo.pk].may_book is False
    assert mine[rows.demo.pk].taken == 1
    other = demos_page(user=cast.other_shop.owner, company=cast.other_shop)
    row = next(r for r in other.rows if r.slot.pk == rows.demo.pk)
    assert (row.my_seat, row.may_book, row.left) == (None, True, 2)
    own = demos_page(user=cast.vendor_owner, company=cast.vendor)
    assert next(r for r in own.rows if r.slot.pk == rows.demo.pk).why_not == "own"


def test_the_item_panel_offers_a_consultation_and_a_trial_to_a_shops_editors(cast, rows):
    panel = item_demo_slots(user=cast.shop.owner, item=cast.software, company=cast.shop)
    assert panel.may_consult is True
    assert panel.may_request_trial is False  # its request is open
    assert panel.open_trial == rows.trial
    other = item_demo_slots(user=cast.other_shop.owner, item=cast.software, company=cast.other_shop)
    assert (other.may_consult, other.may_request_trial, other.open_trial) == (True, True, None)
    worker = item_demo_slots(user=cast.shop.worker, item=cast.kit, company=cast.shop)
    assert (worker.may_consult, [r.slot.pk for r in worker.rows]) == (False, [rows.demo.pk])
    vendor = item_demo_slots(user=cast.vendor_owner, item=cast.kit, company=cast.vendor)
    assert vendor.may_consult is False
    anonymous = item_demo_slots(user=None, item=cast.kit, company=None)
    assert (anonymous.signed_in, anonymous.rows) == (False, [])


def test_the_portal_reads_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    demo = make_demo_slot(cast.kit, hour=10)
    make_demo_seat(demo, cast.shop)
    client = client_for(cast.vendor_owner)
    client.get(reverse("lab:vendor_portal"))  # warm the caches of the session and user
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("lab:vendor_portal"))
    for hour in (12, 14, 16):
        extra = make_demo_slot(cast.kit, hour=hour)
        make_demo_seat(extra, cast.other_shop)
        make_consultation(cast.kit, cast.other_shop)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("lab:vendor_portal"))


def test_the_item_partial_renders_the_panel_for_a_shop_and_a_visitor(cast, rows, rf):
    request = rf.get(reverse("lab:item_detail", args=[cast.kit.pk]))
    request.user = cast.other_shop.owner
    panel = item_demo_slots(user=request.user, item=cast.kit, company=cast.other_shop)
    html = render_to_string(
        "lab/vendors/_item_demo_slots.html", {"vendor_panel": panel}, request=request
    )
    assert f'data-testid="demo-book-{rows.demo.pk}"' in html
    assert reverse("lab:consultation_create", args=[cast.kit.pk]) in html
    assert 'data-testid="item-trial"' not in html  # a kit offers no trial
    request.user = AnonymousUser()
    panel = item_demo_slots(user=request.user, item=cast.kit, company=None)
    html = render_to_string(
        "lab/vendors/_item_demo_slots.html", {"vendor_panel": panel}, request=request
    )
    assert "ログインすると" in html
    assert "demo-book-" not in html
    lab_item = item_demo_slots(user=cast.shop.owner, item=cast.cobot, company=cast.shop)
    assert "item-demos" not in render_to_string(
        "lab/vendors/_item_demo_slots.html", {"vendor_panel": lab_item}, request=request
    )
