"""Test data of the DX Lab: a lab with its hours, items, vendors, banks, trainings and
training records, and days and slots the lab is open on (relative to today: tests pass on
any day, holidays and the year end included)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import CompanyKind, CompanyRole
from machikoba.core.testing.factories import (
    OTA,
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    ward,
)
from machikoba.lab.calendar import day_hours
from machikoba.lab.choices import ItemKind, PartnerKind
from machikoba.lab.models import Item, Lab, OpeningHours, Training, TrainingRecord
from machikoba.lab.models_ecosystem import Partner

# Monday to Saturday, 9:00–18:00 (Sunday closed), as most ward facilities.
WEEKLY_HOURS = {day: (dt.time(9), dt.time(18)) for day in range(6)}


def make_lab_staff(municipality_code: str = OTA):
    return WardRoleFactory(role=WardRole.LAB_STAFF, municipality=ward(municipality_code)).user


def make_vendor(name: str = "テストITソリューションズ株式会社", **fields):
    """An IT vendor with one owner (``vendor.memberships.get().user``)."""
    vendor = CompanyFactory(name=name, kind=CompanyKind.VENDOR, **fields)
    MembershipFactory(company=vendor, role=CompanyRole.OWNER)
    return vendor


def make_bank(name: str = "テスト信用金庫", municipality_code: str = OTA, **fields):
    """A partner bank: a company of kind ``bank`` with one member, and its partner row in
    the ward's consortium (``bank.consortium_partnerships.get()``)."""
    bank = CompanyFactory(name=name, kind=CompanyKind.BANK, **fields)
    MembershipFactory(company=bank, role=CompanyRole.OWNER)
    Partner.objects.create(
        municipality=ward(municipality_code), kind=PartnerKind.BANK, name=name, company=bank
    )
    return bank


def make_lab(municipality_code: str = OTA, *, hours=None, **fields) -> Lab:
    lab = Lab.objects.create(
        municipality=ward(municipality_code),
        name=fields.pop("name", "大田区 町工場DXラボ"),
        address=fields.pop("address", "東京都大田区南蒲田1-20-20"),
        **fields,
    )
    for weekday, (opens, closes) in (hours or WEEKLY_HOURS).items():
        OpeningHours.objects.create(lab=lab, weekday=weekday, opens=opens, closes=closes)
    return lab


def make_item(lab: Lab, *, kind: str = ItemKind.COBOT, exhibitor=None, **fields) -> Item:
    defaults = {
        "name": "協働ロボット CRX-10iA",
        "maker": "FANUC",
        "model_number": "CRX-10iA",
        "summary": "人の隣で使える協働ロボット",
    }
    if kind == ItemKind.SOFTWARE:
        defaults.update(name="生産管理クラウド", maker="テストIT", summary="受注から出荷まで")
        defaults["trial_days"] = 30
        defaults["bookable"] = False
    defaults.update(fields)
    return Item.objects.create(lab=lab, kind=kind, exhibitor=exhibitor, **defaults)


def make_training(lab: Lab, items=(), **fields) -> Training:
    training = Training.objects.create(
        lab=lab,
        name=fields.pop("name", "協働ロボット安全講習"),
        validity_days=fields.pop("validity_days", 365),
        **fields,
    )
    training.unlocks.set(items)
    return training


def give_training(user, training: Training, *, company=None, passed_days_ago: int = 0):
    passed = timezone.localdate() - dt.timedelta(days=passed_days_ago)
    return TrainingRecord.objects.create(
        training=training,
        user=user,
        company=company,
        passed_on=passed,
        expires_on=passed + dt.timedelta(days=training.validity_days),
    )


def open_day(lab: Lab, n: int = 1, *, after: dt.date | None = None) -> dt.date:
    """The ``n``-th day after ``after`` (default today) on which the lab is open."""
    day = after or timezone.localdate()
    found = 0
    while True:
        day += dt.timedelta(days=1)
        if day_hours(lab, day).is_open:
            found += 1
            if found == n:
                return day


def closed_day(lab: Lab, *, after: dt.date | None = None) -> dt.date:
    """The first day after ``after`` (default today) on which the lab is closed."""
    day = after or timezone.localdate()
    while True:
        day += dt.timedelta(days=1)
        if not day_hours(lab, day).is_open:
            return day


def slot(day: dt.date, hour: int = 10, hours: float = 1) -> tuple[dt.datetime, dt.datetime]:
    """An aware start and end on ``day`` at ``hour`` local time."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
    return start, start + dt.timedelta(hours=hours)


def make_exhibitor(lab: Lab, vendor=None, **fields):
    """An IT vendor (``make_vendor`` unless given) that may exhibit at ``lab``: its partner
    row of kind vendor in the lab's ward."""
    vendor = vendor or make_vendor(**fields)
    Partner.objects.get_or_create(
        municipality=lab.municipality,
        company=vendor,
        defaults={"kind": PartnerKind.VENDOR, "name": vendor.name},
    )
    return vendor


def make_item_photo(item: Item, *, title: str = "外観"):
    """A stored photo of ``item`` (a small JPEG), as ``services.catalogue`` would store it."""
    import hashlib

    from django.core.files.base import ContentFile

    from machikoba.core.testing.factories import jpeg_bytes
    from machikoba.lab.models import ItemPhoto

    data = jpeg_bytes()
    photo = ItemPhoto(
        item=item,
        title=title,
        original_name="photo.jpg",
        mime="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    photo.file.save("photo.jpg", ContentFile(data), save=True)
    return photo
