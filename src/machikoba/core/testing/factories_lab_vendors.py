"""Test data of what IT vendors do at the lab: exhibits, demo slots and their seats,
consultations and software trials (dates relative to today: ``open_day`` and ``slot`` of
``factories_lab``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, WardRoleFactory
from machikoba.core.testing.factories_lab import (
    make_item,
    make_lab,
    make_lab_staff,
    make_vendor,
    open_day,
    slot,
)
from machikoba.lab.choices import BookingStatus, ItemKind, TrialStatus
from machikoba.lab.models import Item, Lab
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_vendors import Consultation, DemoSlot, TrialRequest


def make_shop(name: str = "蒲田精工株式会社", **fields: Any) -> Any:
    """A shop with an owner, a staff member and a floor worker (``shop.owner`` … set as
    attributes for the test's convenience)."""
    shop = CompanyFactory(name=name, **fields)
    shop.owner = MembershipFactory(company=shop, role=CompanyRole.OWNER).user
    shop.staff = MembershipFactory(company=shop, role=CompanyRole.STAFF).user
    shop.worker = MembershipFactory(company=shop, role=CompanyRole.FLOOR_WORKER).user
    return shop


def vendor_owner(vendor: Any) -> Any:
    return vendor.memberships.get(role=CompanyRole.OWNER).user


def make_exhibit(lab: Lab, vendor: Any, *, kind: str = ItemKind.IOT_KIT, **fields: Any) -> Item:
    defaults: dict[str, Any] = {}
    if kind != ItemKind.SOFTWARE:
        defaults = {
            "name": "稼働監視IoTキット",
            "maker": "テストIT",
            "model_number": "IOT-1",
            "summary": "後付けセンサーで機械の稼働を見える化",
        }
    defaults.update(fields)
    return make_item(lab, kind=kind, exhibitor=vendor, **defaults)


def make_demo_slot(
    item: Item,
    *,
    day: dt.date | None = None,
    hour: int = 10,
    hours: float = 1,
    seats: int = 3,
    **fields: Any,
) -> DemoSlot:
    """A standing demo of ``item`` on ``day`` (default: the lab's next open day)."""
    starts, ends = slot(day or open_day(item.lab), hour, hours)
    return DemoSlot.objects.create(item=item, starts_at=starts, ends_at=ends, seats=seats, **fields)


def make_demo_seat(
    demo: DemoSlot, company: Any, user: Any = None, *, status: str = BookingStatus.BOOKED
) -> Booking:
    person = user or company.memberships.order_by("pk").first().user
    return Booking.objects.create(
        lab=demo.item.lab,
        item=demo.item,
        demo_slot=demo,
        company=company,
        user=person,
        starts_at=demo.starts_at,
        ends_at=demo.ends_at,
        status=status,
    )


def make_consultation(item: Item, company: Any, user: Any = None, **fields: Any) -> Consultation:
    person = user or company.memberships.order_by("pk").first().user
    values: dict[str, Any] = {"subject": "稼働の見える化について", "message": "NC旋盤5台です。"}
    values.update(fields)
    return Consultation.objects.create(
        vendor=item.exhibitor, item=item, company=company, user=person, **values
    )


def make_trial(
    item: Item,
    company: Any,
    user: Any = None,
    *,
    status: str = TrialStatus.REQUESTED,
    **fields: Any,
) -> TrialRequest:
    """A trial request; an active one runs from today for ``item.trial_days`` days unless
    ``starts_on`` / ``ends_on`` are given."""
    person = user or company.memberships.order_by("pk").first().user
    if status == TrialStatus.ACTIVE:
        today = timezone.localdate()
        fields.setdefault("starts_on", today)
        fields.setdefault("ends_on", today + dt.timedelta(days=(item.trial_days or 1) - 1))
        fields.setdefault("licence_note", "ID: trial / PW は別途メールで")
        fields.setdefault("decided_at", timezone.now())
    return TrialRequest.objects.create(
        item=item, company=company, user=person, status=status, **fields
    )


class VendorCast:
    """A lab of 大田区 with a vendor exhibiting a kit and a software, a second vendor with
    its own exhibit, two shops (owner, staff, floor worker each), the lab's staff, an
    officer of 大田区 and a lab-owned cobot."""

    def __init__(self) -> None:
        self.lab = make_lab()
        self.vendor = make_vendor("城南ITソリューションズ株式会社")
        self.vendor_owner = vendor_owner(self.vendor)
        self.vendor_staff = MembershipFactory(company=self.vendor, role=CompanyRole.STAFF).user
        self.vendor_worker = MembershipFactory(
            company=self.vendor, role=CompanyRole.FLOOR_WORKER
        ).user
        self.other_vendor = make_vendor("京浜システム株式会社")
        self.other_vendor_owner = vendor_owner(self.other_vendor)
        self.shop = make_shop("蒲田精工株式会社")
        self.other_shop = make_shop("糀谷製作所")
        self.lab_staff = make_lab_staff()
        self.officer = WardRoleFactory(role=WardRole.OFFICER).user
        self.kit = make_exhibit(self.lab, self.vendor)
        self.software = make_exhibit(self.lab, self.vendor, kind=ItemKind.SOFTWARE)
        self.other_kit = make_exhibit(self.lab, self.other_vendor, name="画像検査カメラ")
        self.cobot = make_item(self.lab)


def make_vendor_cast() -> VendorCast:
    return VendorCast()
