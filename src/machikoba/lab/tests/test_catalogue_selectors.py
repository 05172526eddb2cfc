"""What a lab's page reads: its week, the closures to come as spans of one reason (the
year end is one span even across a weekly closed day), the kinds to filter by, and the
lab list's counts and visibility."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from machikoba.core.testing.factories import SUMIDA, MembershipFactory
from machikoba.core.testing.factories_lab import (
    make_exhibitor,
    make_item,
    make_lab,
    make_lab_staff,
    make_vendor,
    open_day,
)
from machikoba.lab.choices import ItemKind
from machikoba.lab.models import Closure, Lab
from machikoba.lab.selectors.catalogue import (
    lab_list,
    lab_page,
    upcoming_closures,
    vendor_exhibits,
    week_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def lab():
    return make_lab()


def test_the_week_shows_sunday_closed(lab):
    week = week_of(lab)
    assert [day.is_open for day in week] == [True] * 6 + [False]
    assert week[0].opens == dt.time(9)


def test_the_year_end_is_one_span_through_january_the_third(lab):
    today = timezone.localdate()
    year_end = dt.date(today.year, 12, 29)
    spans = upcoming_closures(lab, start=year_end - dt.timedelta(days=2), days=10)
    span = next(s for s in spans if s.reason == "年末年始の休館")
    assert span.first == year_end
    assert span.last == dt.date(today.year + 1, 1, 3)


def test_a_year_end_kept_open_shows_only_new_years_day(lab):
    lab.closed_year_end = False
    lab.save()
    fresh = Lab.objects.get(pk=lab.pk)
    today = timezone.localdate()
    spans = upcoming_closures(fresh, start=dt.date(today.year, 12, 28), days=8)
    assert all(span.reason != "年末年始の休館" for span in spans)
    assert any(span.first == dt.date(today.year + 1, 1, 1) for span in spans)


def test_weekly_closed_days_are_not_listed_but_a_closure_is(lab):
    day = open_day(lab, 3)
    Closure.objects.create(lab=lab, starts_on=day, ends_on=day, reason="空調の点検")
    spans = upcoming_closures(Lab.objects.get(pk=lab.pk), days=30)
    assert any(span.reason == "空調の点検" and span.first == day for span in spans)
    assert all(span.reason != "定休日" for span in spans)
    assert all(span.first.weekday() != 6 for span in spans if span.days == 1)


def test_the_kinds_to_filter_by(lab):
    make_item(lab)
    make_item(lab, kind=ItemKind.SOFTWARE)
    make_item(lab, kind=ItemKind.SOFTWARE, name="会計ソフト", active=False)
    page = lab_page(AnonymousUser(), lab, kind="software")
    assert [(chip.value, chip.count, chip.selected) for chip in page.kinds] == [
        (ItemKind.COBOT, 1, False),
        (ItemKind.SOFTWARE, 1, True),
    ]
    assert [item.kind for item in page.items] == [ItemKind.SOFTWARE]
    assert lab_page(AnonymousUser(), lab, kind="unknown").kind == ""


def test_the_lab_list(lab):
    sleeping = make_lab(SUMIDA, name="墨田区のラボ", active=False)
    make_item(lab)
    anonymous = lab_list(AnonymousUser())
    assert [(row.lab, row.item_count, row.manages) for row in anonymous] == [(lab, 1, False)]
    sumida_staff = make_lab_staff(SUMIDA)
    rows = {row.lab: row.manages for row in lab_list(sumida_staff)}
    assert rows == {lab: False, sleeping: True}


def test_a_vendors_exhibits_are_its_own(lab):
    mine = make_exhibitor(lab, make_vendor(name="自社ベンダー"))
    theirs = make_exhibitor(lab, make_vendor(name="他社ベンダー"))
    exhibit = make_item(lab, kind=ItemKind.SOFTWARE, exhibitor=mine, active=False)
    make_item(lab, kind=ItemKind.SOFTWARE, exhibitor=theirs, name="他社の製品")
    rows = vendor_exhibits(mine.memberships.get().user)
    assert [(row.item, row.may_edit) for row in rows] == [(exhibit, True)]
    assert vendor_exhibits(MembershipFactory().user) == []
