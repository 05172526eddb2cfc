"""The catalogue's items and photos: the lab's staff add and change everything; a vendor's
people change only the texts and photos of their own exhibits; everyone else is refused,
and a refusal changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from machikoba.companies.choices import CompanyRole
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    SUMIDA,
    MembershipFactory,
    WardRoleFactory,
    jpeg_bytes,
)
from machikoba.core.testing.factories_lab import (
    make_exhibitor,
    make_item,
    make_item_photo,
    make_lab,
    make_lab_staff,
    make_vendor,
)
from machikoba.lab.choices import ItemKind
from machikoba.lab.error_codes_catalogue import CatalogueErrorCode
from machikoba.lab.models import Item, ItemPhoto
from machikoba.lab.services.catalogue import (
    MAX_PHOTOS_PER_ITEM,
    item_activate,
    item_create,
    item_deactivate,
    item_photo_add,
    item_photo_remove,
    item_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def staff():
    return make_lab_staff()


@pytest.fixture
def vendor(lab):
    return make_exhibitor(lab)


@pytest.fixture
def vendor_owner(vendor):
    return vendor.memberships.get().user


@pytest.fixture
def exhibit(lab, vendor):
    return make_item(lab, kind=ItemKind.SOFTWARE, exhibitor=vendor, name="生産管理クラウド")


def _refused(code, call):
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


def _item_fields(**overrides):
    fields = {
        "kind": ItemKind.PRINTER_3D,
        "name": "3Dプリンター X1",
        "maker": "テスト社",
        "model_number": "X1",
        "summary": "治具を一晩で作る",
        "use_cases": "治具、試作品",
        "specs": "造形サイズ 250mm角",
        "safety_notes": "ノズルは高温",
        "exhibitor": None,
        "capacity": 2,
        "bookable": True,
        "trial_days": None,
    }
    fields.update(overrides)
    return fields


# --- adding and changing -----------------------------------------------------------------


def test_staff_add_an_item(lab, staff):
    item = item_create(actor=staff, lab=lab, **_item_fields())
    assert item.active
    assert item.capacity == 2
    assert AuditEvent.objects.filter(verb="lab_item.create", target_id=str(item.pk)).exists()


def test_staff_add_an_exhibit_and_the_vendor_is_told(
    lab, staff, vendor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = item_create(actor=staff, lab=lab, **_item_fields(exhibitor=vendor))
    assert item.exhibitor == vendor
    assert callbacks, "the vendor's people are told after commit"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"summary": ""}, "summary"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 51}, "capacity"),
        ({"trial_days": 30}, "trial_days"),  # a 3D printer has no trial licence
        ({"kind": ItemKind.SOFTWARE, "trial_days": 0}, "trial_days"),
        ({"kind": "spaceship"}, "kind"),
    ],
)
def test_bad_items_are_refused(lab, staff, overrides, field):
    error = _refused(
        CatalogueErrorCode.ITEM_INVALID,
        lambda: item_create(actor=staff, lab=lab, **_item_fields(**overrides)),
    )
    assert field in error.fields
    assert not Item.objects.exists()


def test_an_exhibitor_must_be_a_vendor_of_the_labs_ward(lab, staff):
    shop = MembershipFactory().company
    elsewhere = make_vendor(name="他区のベンダー")
    make_exhibitor(make_lab(SUMIDA, name="墨田区のラボ"), elsewhere)
    not_partner = make_vendor(name="未登録のベンダー")
    for company in (shop, elsewhere, not_partner):
        error = _refused(
            CatalogueErrorCode.EXHIBITOR_INVALID,
            lambda company=company: item_create(
                actor=staff, lab=lab, **_item_fields(exhibitor=company)
            ),
        )
        assert "exhibitor" in error.fields
    assert not Item.objects.filter(lab=lab).exists()


def test_only_the_labs_staff_add_items(lab, vendor_owner):
    for actor in (make_lab_staff(SUMIDA), WardRoleFactory().user, vendor_owner):
        _refused(
            CatalogueErrorCode.NOT_LAB_STAFF,
            lambda actor=actor: item_create(actor=actor, lab=lab, **_item_fields()),
        )
    assert not Item.objects.exists()


def test_staff_change_everything(exhibit, staff):
    item_update(actor=staff, item=exhibit, capacity=3, exhibitor=None, summary="新しい説明")
    exhibit.refresh_from_db()
    assert (exhibit.capacity, exhibit.exhibitor, exhibit.summary) == (3, None, "新しい説明")


def test_the_vendor_changes_the_texts_of_its_exhibit(exhibit, vendor, vendor_owner):
    staff_member = MembershipFactory(company=vendor, role=CompanyRole.STAFF).user
    item_update(actor=vendor_owner, item=exhibit, specs="クラウド型、10ユーザーまで")
    item_update(actor=staff_member, item=exhibit, safety_notes="なし", use_cases="受注管理")
    exhibit.refresh_from_db()
    assert exhibit.specs == "クラウド型、10ユーザーまで"
    assert exhibit.use_cases == "受注管理"
    event = AuditEvent.objects.filter(verb="lab_item.update").first()
    assert event.company_id == vendor.pk


@pytest.mark.parametrize(
    "changes",
    [
        {"capacity": 9},
        {"active": False},
        {"exhibitor": None},
        {"name": "改名"},
        {"bookable": False},
    ],
)
def test_the_vendor_may_not_change_what_the_lab_decides(exhibit, vendor_owner, changes):
    if "active" in changes:  # not an item field at all: the service says so loudly
        with pytest.raises(ValueError):  # noqa: PT011
            item_update(actor=vendor_owner, item=exhibit, **changes)
        return
    _refused(
        CatalogueErrorCode.FIELD_NOT_EDITABLE,
        lambda: item_update(actor=vendor_owner, item=exhibit, summary="x", **changes),
    )
    fresh = Item.objects.get(pk=exhibit.pk)
    assert fresh.summary == exhibit.summary
    assert fresh.capacity == exhibit.capacity


def test_a_floor_worker_of_the_vendor_and_other_vendors_are_refused(lab, exhibit, vendor):
    floor = MembershipFactory(company=vendor, role=CompanyRole.FLOOR_WORKER).user
    other_vendor = make_exhibitor(lab, make_vendor(name="別のベンダー"))
    other = other_vendor.memberships.get().user
    shop = MembershipFactory().user
    for actor in (floor, other, shop, WardRoleFactory().user):
        _refused(
            CatalogueErrorCode.NOT_EXHIBITOR,
            lambda actor=actor: item_update(actor=actor, item=exhibit, specs="乗っ取り"),
        )
    assert Item.objects.get(pk=exhibit.pk).specs == ""


def test_a_deactivated_vendor_edits_nothing(exhibit, vendor, vendor_owner):
    vendor.is_active = False
    vendor.save()
    _refused(
        CatalogueErrorCode.NOT_EXHIBITOR,
        lambda: item_update(actor=vendor_owner, item=exhibit, specs="x"),
    )


def test_withdraw_and_restore(exhibit, staff, vendor_owner):
    _refused(
        CatalogueErrorCode.NOT_LAB_STAFF,
        lambda: item_deactivate(actor=vendor_owner, item=exhibit),
    )
    assert Item.objects.get(pk=exhibit.pk).active
    item_deactivate(actor=staff, item=exhibit)
    assert not Item.objects.get(pk=exhibit.pk).active
    item_activate(actor=staff, item=exhibit)
    assert Item.objects.get(pk=exhibit.pk).active
    verbs = AuditEvent.objects.filter(verb__startswith="lab_item.").order_by("pk")
    assert list(verbs.values_list("verb", flat=True)) == [
        "lab_item.deactivate",
        "lab_item.activate",
    ]


# --- photos ------------------------------------------------------------------------------


def _upload(data: bytes | None = None, name: str = "写真.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), "image/jpeg")


def _png_with_alpha() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (10, 20, 30, 128)).save(out, "PNG")
    return out.getvalue()


def test_the_vendor_adds_a_photo_re_encoded_as_jpeg(exhibit, vendor_owner, media):
    photo = item_photo_add(
        actor=vendor_owner, item=exhibit, upload=_upload(_png_with_alpha(), "screen.png")
    )
    assert photo.mime == "image/jpeg"
    assert photo.original_name == "screen.png"
    assert photo.title == exhibit.name
    assert photo.file.read(3) == b"\xff\xd8\xff"
    assert AuditEvent.objects.filter(verb="lab_item_photo.create").count() == 1


def test_a_file_that_is_not_an_image_is_refused_and_nothing_stored(exhibit, staff, media):
    _refused(
        CompaniesErrorCode.PHOTO_NOT_AN_IMAGE,
        lambda: item_photo_add(
            actor=staff, item=exhibit, upload=_upload(b"<html><script>x</script>", "a.jpg")
        ),
    )
    assert not ItemPhoto.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_missing_file_is_refused(exhibit, staff):
    _refused(
        CatalogueErrorCode.PHOTO_INVALID,
        lambda: item_photo_add(actor=staff, item=exhibit, upload=None),
    )


def test_the_photo_limit(exhibit, staff):
    for _ in range(MAX_PHOTOS_PER_ITEM):
        make_item_photo(exhibit)
    _refused(
        CatalogueErrorCode.PHOTO_LIMIT,
        lambda: item_photo_add(actor=staff, item=exhibit, upload=_upload()),
    )
    assert ItemPhoto.objects.count() == MAX_PHOTOS_PER_ITEM


def test_another_vendor_may_not_add_or_remove_photos(lab, exhibit):
    other = make_exhibitor(lab, make_vendor(name="別のベンダー")).memberships.get().user
    photo = make_item_photo(exhibit)
    _refused(
        CatalogueErrorCode.NOT_EXHIBITOR,
        lambda: item_photo_add(actor=other, item=exhibit, upload=_upload()),
    )
    _refused(
        CatalogueErrorCode.NOT_EXHIBITOR,
        lambda: item_photo_remove(actor=other, photo=photo),
    )
    assert ItemPhoto.objects.count() == 1


def test_removing_a_photo_deletes_its_file_after_commit(
    exhibit, vendor_owner, django_capture_on_commit_callbacks
):
    photo = make_item_photo(exhibit)
    storage, name = photo.file.storage, photo.file.name
    with django_capture_on_commit_callbacks(execute=True):
        item_photo_remove(actor=vendor_owner, photo=photo)
    assert not ItemPhoto.objects.exists()
    assert not storage.exists(name)
