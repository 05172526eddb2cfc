"""Permission matrix of the lab's catalogue, settings, vendors and trainings.

- The catalogue (the list of labs, a lab's page, an item's page and its photos) is public:
  everyone, anonymous included, gets it. A withdrawn item is seen only by the lab's staff,
  its ward's officers and the vendor exhibiting it (anyone else: not found).
- An exhibit's texts and photos: the lab's staff of 大田区 and the exhibiting vendor's
  owner; everyone else who sees the item is refused (403).
- The staff's pages of 大田区's lab: its staff only; whoever may read the lab gets 403,
  visitors the sign-in page.
- A training record: the lab's staff revoke it; the person's company editors see it (403),
  anyone else gets "not found".
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import CompanyKind
from machikoba.companies.models_people import Invitation
from machikoba.core.testing.factories import CompanyFactory, jpeg_bytes
from machikoba.core.testing.factories_lab import (
    give_training,
    make_exhibitor,
    make_item,
    make_item_photo,
    make_lab,
    make_training,
)
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LAB_STAFF,
    LOGIN,
    MEMBER,
    OFFICER,
    STAFF,
    VENDOR,
    Case,
    assert_case,
    expect,
    posted,
)
from machikoba.lab.choices import ItemKind, PartnerKind
from machikoba.lab.models import (
    Closure,
    Item,
    ItemPhoto,
    Lab,
    OpeningHours,
    Training,
    TrainingRecord,
)
from machikoba.lab.models_ecosystem import Partner

pytestmark = pytest.mark.clock_sensitive

LAB_NAME = "大田区 町工場DXラボ (権限の確認)"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _lab(w):
    return Lab.objects.filter(name=LAB_NAME).first() or make_lab(name=LAB_NAME)


def _exhibit(w, *, active=True):
    """An item of 大田区's lab exhibited by the world's vendor, with a photo."""
    lab = _lab(w)
    name = "展示中のソフト" if active else "非公開のソフト"
    item = Item.objects.filter(lab=lab, name=name).first()
    if item is None:
        make_exhibitor(lab, w.vendor)
        item = make_item(lab, kind=ItemKind.SOFTWARE, exhibitor=w.vendor, name=name, active=active)
        make_item_photo(item)
    return item


def _photo(w, *, active=True):
    return _exhibit(w, active=active).photos.first()


def _closure(w):
    lab = _lab(w)
    day = timezone.localdate() + dt.timedelta(days=20)
    return Closure.objects.filter(lab=lab).first() or Closure.objects.create(
        lab=lab, starts_on=day, ends_on=day, reason="設備点検"
    )


def _training(w):
    lab = _lab(w)
    return Training.objects.filter(lab=lab).first() or make_training(lab, [_exhibit(w)])


def _record(w):
    training = _training(w)
    return TrainingRecord.objects.filter(training=training).first() or give_training(
        w.users[MEMBER], training, company=w.company
    )


def _bare_vendor(w):
    """A vendor of 大田区 whose first person has not joined yet."""
    lab = _lab(w)
    partner = Partner.objects.filter(name="招待待ちベンダー").first()
    if partner is None:
        company = CompanyFactory(name="招待待ちベンダー", kind=CompanyKind.VENDOR)
        partner = Partner.objects.create(
            municipality=lab.municipality,
            kind=PartnerKind.VENDOR,
            name=company.name,
            company=company,
        )
    return partner.company


def _lab_url(name):
    return lambda w: reverse(f"lab:{name}", args=[_lab(w).pk])


def _item_url(name, **kwargs):
    return lambda w: reverse(f"lab:{name}", args=[_exhibit(w, **kwargs).pk])


def _item_data(w):
    return {
        "kind": ItemKind.SOFTWARE,
        "name": "展示中のソフト",
        "maker": "テストIT",
        "model_number": "v2",
        "summary": "受注から出荷まで",
        "use_cases": "受注管理",
        "specs": "更新した仕様",
        "safety_notes": "",
        "exhibitor": str(w.vendor.pk),
        "capacity": "1",
        "bookable": "",
        "trial_days": "30",
    }


def _new_item_data(w):
    return _item_data(w) | {
        "name": "新しい3Dプリンター",
        "kind": ItemKind.PRINTER_3D,
        "exhibitor": "",
        "trial_days": "",
    }


def _rules_data(w):
    return {
        "name": LAB_NAME,
        "address": "東京都大田区",
        "phone": "",
        "description": "",
        "slot_minutes": "60",
        "cutoff_hours": "24",
        "book_days_ahead": "60",
        "max_hours_per_company_month": "20",
        "no_show_grace_minutes": "30",
        "no_show_limit": "3",
        "offer_hours": "12",
        "entry_code_seconds": "60",
        "closed_on_holidays": "on",
        "closed_year_end": "on",
    }


def _hours_data(w):
    data = {}
    for day in range(6):
        data |= {f"open_{day}": "on", f"opens_{day}": "10:00", f"closes_{day}": "17:00"}
    return data


def _upload(w):
    return {"image": SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg"), "title": "外観"}


PUBLIC = expect(200)
# A withdrawn exhibit: its lab's staff, its ward's officers and its vendor.
WITHDRAWN = expect(404, **{LAB_STAFF: 200, OFFICER: 200, VENDOR: 200})
# The exhibit's texts and photos: the lab's staff and the vendor; the rest see the item.
EXHIBIT_EDIT = expect(403, **{ANONYMOUS: LOGIN, LAB_STAFF: 200, VENDOR: 200})
EXHIBIT_POST = posted(EXHIBIT_EDIT, **{LAB_STAFF: DONE, VENDOR: DONE})
# The staff's pages of the lab: everyone else reads the lab, so is refused.
STAFF_PAGE = expect(403, **{ANONYMOUS: LOGIN, LAB_STAFF: 200})
STAFF_POST = posted(STAFF_PAGE, **{LAB_STAFF: DONE})
# A training record of the world's company owner: seen by the company's editors.
RECORD_PAGE = expect(404, **{ANONYMOUS: LOGIN, LAB_STAFF: 200, MEMBER: 403, STAFF: 403})
RECORD_POST = posted(RECORD_PAGE, **{LAB_STAFF: DONE})

MATRIX = [
    # --- the public catalogue
    Case("lab:catalogue", lambda w: reverse("lab:catalogue"), PUBLIC),
    Case("lab:lab_detail", _lab_url("lab_detail"), PUBLIC),
    Case(
        "lab:lab_detail",
        lambda w: reverse("lab:lab_detail", args=[_lab(w).pk]) + "?kind=software",
        PUBLIC,
        note="kind",
    ),
    Case("lab:item_detail", _item_url("item_detail"), PUBLIC),
    Case("lab:item_detail", _item_url("item_detail", active=False), WITHDRAWN, note="withdrawn"),
    Case("lab:item_photo", lambda w: reverse("lab:item_photo", args=[_photo(w).pk]), PUBLIC),
    Case(
        "lab:item_photo",
        lambda w: reverse("lab:item_photo", args=[_photo(w, active=False).pk]),
        WITHDRAWN,
        note="withdrawn",
    ),
    # --- an exhibit's texts and photos
    Case("lab:item_edit", _item_url("item_edit"), EXHIBIT_EDIT),
    Case(
        "lab:item_edit",
        _item_url("item_edit"),
        EXHIBIT_POST,
        method="POST",
        data=_item_data,
        effect=lambda w: Item.objects.filter(specs="更新した仕様").count(),
    ),
    Case("lab:item_photos", _item_url("item_photos"), EXHIBIT_EDIT),
    Case(
        "lab:item_photos",
        _item_url("item_photos"),
        EXHIBIT_POST,
        method="POST",
        data=_upload,
        effect=lambda w: ItemPhoto.objects.count(),
    ),
    Case(
        "lab:photo_delete",
        lambda w: reverse("lab:photo_delete", args=[_photo(w).pk]),
        EXHIBIT_POST,
        method="POST",
        effect=lambda w: ItemPhoto.objects.count(),
    ),
    Case(
        "lab:vendor_exhibits",
        lambda w: reverse("lab:vendor_exhibits"),
        expect(403, **{ANONYMOUS: LOGIN, VENDOR: 200}),
    ),
    Case(
        "lab:my_trainings",
        lambda w: reverse("lab:my_trainings"),
        expect(200, **{ANONYMOUS: LOGIN}),
    ),
    # --- the staff's settings
    Case("lab:settings", _lab_url("settings"), STAFF_PAGE),
    Case("lab:rules", _lab_url("rules"), STAFF_PAGE),
    Case(
        "lab:rules",
        _lab_url("rules"),
        STAFF_POST,
        method="POST",
        data=_rules_data,
        effect=lambda w: Lab.objects.filter(slot_minutes=60).count(),
    ),
    Case("lab:hours", _lab_url("hours"), STAFF_PAGE),
    Case(
        "lab:hours",
        _lab_url("hours"),
        STAFF_POST,
        method="POST",
        data=_hours_data,
        effect=lambda w: OpeningHours.objects.filter(opens=dt.time(10)).count(),
    ),
    Case("lab:closures", _lab_url("closures"), STAFF_PAGE),
    Case(
        "lab:closures",
        _lab_url("closures"),
        STAFF_POST,
        method="POST",
        data=lambda w: {
            "starts_on": str(timezone.localdate() + dt.timedelta(days=40)),
            "ends_on": str(timezone.localdate() + dt.timedelta(days=41)),
            "reason": "館内工事",
        },
        effect=lambda w: Closure.objects.count(),
    ),
    Case(
        "lab:closure_delete",
        lambda w: reverse("lab:closure_delete", args=[_closure(w).pk]),
        STAFF_POST,
        method="POST",
        effect=lambda w: Closure.objects.count(),
    ),
    Case("lab:item_create", _lab_url("item_create"), STAFF_PAGE),
    Case(
        "lab:item_create",
        _lab_url("item_create"),
        STAFF_POST,
        method="POST",
        data=_new_item_data,
        effect=lambda w: Item.objects.count(),
    ),
    Case(
        "lab:item_deactivate",
        _item_url("item_deactivate"),
        STAFF_POST,
        method="POST",
        effect=lambda w: Item.objects.filter(active=True).count(),
    ),
    Case(
        "lab:item_activate",
        _item_url("item_activate", active=False),
        # Only who sees the withdrawn item is told "refused"; to the rest it is not there.
        posted(WITHDRAWN, **{ANONYMOUS: LOGIN, LAB_STAFF: DONE, OFFICER: 403, VENDOR: 403}),
        method="POST",
        effect=lambda w: Item.objects.filter(active=True).count(),
    ),
    # --- vendors
    Case("lab:vendors", _lab_url("vendors"), STAFF_PAGE),
    Case("lab:vendor_register", _lab_url("vendor_register"), STAFF_PAGE),
    Case(
        "lab:vendor_register",
        _lab_url("vendor_register"),
        STAFF_POST,
        method="POST",
        data=lambda w: {"name": "蒲田ITベンダー", "email": "sales@kamata-it.example"},
        effect=lambda w: Partner.objects.count(),
    ),
    Case(
        "lab:vendor_invite",
        lambda w: reverse("lab:vendor_invite", args=[_lab(w).pk, _bare_vendor(w).pk]),
        STAFF_POST,
        method="POST",
        data=lambda w: {"email": "first@vendor.example"},
        effect=lambda w: Invitation.objects.count(),
    ),
    # --- trainings
    Case("lab:trainings", _lab_url("trainings"), STAFF_PAGE),
    Case("lab:training_create", _lab_url("training_create"), STAFF_PAGE),
    Case(
        "lab:training_create",
        _lab_url("training_create"),
        STAFF_POST,
        method="POST",
        data=lambda w: {
            "name": "3Dプリンター講習",
            "description": "",
            "unlocks": [str(_exhibit(w).pk)],
            "validity_days": "365",
            "active": "on",
        },
        effect=lambda w: Training.objects.count(),
    ),
    Case(
        "lab:training_edit",
        lambda w: reverse("lab:training_edit", args=[_training(w).pk]),
        STAFF_PAGE,
    ),
    Case(
        "lab:training_edit",
        lambda w: reverse("lab:training_edit", args=[_training(w).pk]),
        STAFF_POST,
        method="POST",
        data=lambda w: {"name": "改めた講習", "validity_days": "180", "active": "on"},
        effect=lambda w: Training.objects.filter(name="改めた講習").count(),
    ),
    Case(
        "lab:training_records",
        lambda w: reverse("lab:training_records", args=[_training(w).pk]),
        STAFF_PAGE,
    ),
    Case(
        "lab:training_records",
        lambda w: reverse("lab:training_records", args=[_training(w).pk]),
        STAFF_POST,
        method="POST",
        data=lambda w: {"email": w.users[MEMBER].email},
        effect=lambda w: TrainingRecord.objects.count(),
    ),
    Case(
        "lab:record_revoke",
        lambda w: reverse("lab:record_revoke", args=[_record(w).pk]),
        RECORD_PAGE,
    ),
    Case(
        "lab:record_revoke",
        lambda w: reverse("lab:record_revoke", args=[_record(w).pk]),
        RECORD_POST,
        method="POST",
        data=lambda w: {"reason": "誤登録"},
        effect=lambda w: TrainingRecord.objects.filter(revoked_at__isnull=False).count(),
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda case: case.id)
def test_permission_matrix(case, world):
    assert_case(case, world)
