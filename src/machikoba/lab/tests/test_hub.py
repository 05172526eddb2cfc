"""The lab's doors show each person what is theirs: マイラボ counts a person's own bookings,
offers, registrations, trainings and trials (not a colleague's bookings, not another
company's trials); ラボの運営 gives lab staff every desk of their lab and an officer only
the figures and the consortium (the referrals are the officers')."""

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import SUMIDA
from machikoba.core.testing.factories_lab import (
    give_training,
    make_item,
    make_lab,
    make_training,
    make_vendor,
    open_day,
    slot,
)
from machikoba.core.testing.matrix import (
    BANK,
    LAB_STAFF,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    STAFF,
    VENDOR,
)
from machikoba.lab.choices import ItemKind, TrialStatus
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_vendors import TrialRequest
from machikoba.lab.selectors.hub import lab_office, my_lab


@pytest.fixture
def lab(db):
    return make_lab()


def _book(lab, item, user, company, day, hour):
    start, end = slot(day, hour)
    return Booking.objects.create(
        lab=lab, item=item, company=company, user=user, starts_at=start, ends_at=end
    )


def test_my_lab_counts_only_my_own(world, lab):
    item = make_item(lab)
    day = open_day(lab)
    owner, staff = world.users[MEMBER], world.users[STAFF]
    first = _book(lab, item, owner, world.company, day, 10)
    _book(lab, item, owner, world.company, open_day(lab, 2), 10)
    _book(lab, item, staff, world.company, day, 13)  # a colleague's
    give_training(owner, make_training(lab, [item]))
    software = make_item(lab, kind=ItemKind.SOFTWARE, exhibitor=make_vendor())
    TrialRequest.objects.create(item=software, company=world.company, user=staff)
    TrialRequest.objects.create(
        item=software, company=world.other_company, user=world.users[OTHER_COMPANY]
    )
    TrialRequest.objects.create(
        item=software, company=world.company, user=staff, status=TrialStatus.ENDED
    )
    page = my_lab(owner)
    assert page.next_booking == first
    assert page.upcoming_bookings == 2
    assert page.valid_trainings == 1
    assert page.active_trials == 1  # the company's open one, not the other's nor the ended
    assert page.labs == [lab]
    assert page.has_company


def test_a_past_or_cancelled_booking_is_not_upcoming(world, lab):
    item = make_item(lab)
    booking = _book(lab, item, world.users[MEMBER], world.company, open_day(lab), 10)
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")
    past = timezone.now() - timezone.timedelta(days=3)
    Booking.objects.create(
        lab=lab,
        item=item,
        company=world.company,
        user=world.users[MEMBER],
        starts_at=past,
        ends_at=past + timezone.timedelta(hours=1),
    )
    page = my_lab(world.users[MEMBER])
    assert page.next_booking is None
    assert page.upcoming_bookings == 0


def test_the_office_door(world, lab):
    make_lab(SUMIDA, name="墨田区 DXラボ")
    staff = lab_office(world.users[LAB_STAFF])
    assert [(row.lab, row.runs) for row in staff.labs] == [(lab, True)]
    assert staff.consortium
    assert not staff.referrals
    officer = lab_office(world.users[OFFICER])
    assert [(row.lab, row.runs) for row in officer.labs] == [(lab, False)]
    assert officer.referrals
    other = lab_office(world.users[OTHER_WARD_OFFICER])
    assert [row.lab.name for row in other.labs] == ["墨田区 DXラボ"]
    assert not lab_office(world.users[MEMBER]).any


def test_the_pages_show_the_desks_to_staff_and_the_figures_to_officers(world, lab, client):
    client.force_login(world.users[LAB_STAFF])
    page = client.get(reverse("lab:office")).content.decode()
    assert reverse("lab:visits_kiosk", args=[lab.pk]) in page
    assert reverse("lab:stats", args=[lab.pk]) in page
    assert reverse("lab:referral_list") not in page
    officer = world.client_for(OFFICER)
    page = officer.get(reverse("lab:office")).content.decode()
    assert reverse("lab:visits_kiosk", args=[lab.pk]) not in page
    assert reverse("lab:stats", args=[lab.pk]) in page
    assert reverse("lab:referral_list") in page
    me = world.client_for(MEMBER).get(reverse("lab:me")).content.decode()
    assert reverse("lab:visits_my_code") in me


def test_home_and_menu_lead_each_partner_to_its_own_work(world, lab):
    home = reverse("web:home")
    assert world.client_for(VENDOR).get(home).url == reverse("lab:vendor_portal")
    assert world.client_for(BANK).get(home).url == reverse("lab:referral_list")
    assert world.client_for(LAB_STAFF).get(home).url == reverse("lab:office")
    shop_menu = world.client_for(MEMBER).get(home).content.decode()
    assert 'data-testid="nav-lab"' in shop_menu
    assert reverse("lab:vendor_portal") not in shop_menu
    vendor_menu = world.client_for(VENDOR).get(reverse("lab:me")).content.decode()
    assert reverse("lab:vendor_portal") in vendor_menu
    assert reverse("network:jobs") not in vendor_menu  # no network menu for a vendor
    bank_menu = world.client_for(BANK).get(reverse("lab:me")).content.decode()
    assert reverse("lab:referral_list") in bank_menu
    assert 'data-testid="nav-lab"' not in bank_menu
