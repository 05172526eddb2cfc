"""Writes of the lab's catalogue: items (equipment and software) and their photos.

The lab's staff add an item, change anything of it (capacity, whether it is booked by the
hour, the vendor exhibiting it), withdraw and restore it. An IT vendor's people (owner and
staff of the exhibiting company) keep the description of their own exhibits up to date:
the summary, specs, use cases, safety notes and photos (``EXHIBIT_FIELDS``), nothing else.

Photos are checked and re-encoded like company photos (``companies.photos.prepare_photo``:
the content must be a JPEG, PNG or WebP image; EXIF and anything hidden is dropped) and
stored like every uploaded document (``drawings.uploads``); they are served only through
``views_catalogue.item_photo``, which reads them through the access layer.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company
from machikoba.companies.photos import max_photo_bytes, prepare_photo
from machikoba.core.access import CHANGE
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.core.notifications import notify_company
from machikoba.drawings.sniffing import clean_filename
from machikoba.drawings.uploads import describe_upload, store_upload
from machikoba.lab.choices import ItemKind, PartnerKind
from machikoba.lab.error_codes_catalogue import CatalogueErrorCode
from machikoba.lab.models import Item, ItemPhoto, Lab
from machikoba.lab.models_ecosystem import Partner
from machikoba.lab.services.labs import is_lab_staff, require_lab_staff

# What a vendor's people may change of their exhibit.
EXHIBIT_FIELDS = ("summary", "use_cases", "specs", "safety_notes")
# What the lab's staff set.
ITEM_FIELDS = (
    "kind",
    "name",
    "maker",
    "model_number",
    *EXHIBIT_FIELDS,
    "exhibitor",
    "capacity",
    "bookable",
    "trial_days",
)
AUDIT_FIELDS = [*ITEM_FIELDS, "active"]
MAX_CAPACITY = 50
MAX_TRIAL_DAYS = 365
MAX_PHOTOS_PER_ITEM = 12
PHOTO_FIELDS = ["item", "title", "original_name", "mime", "size", "sha256"]


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(
        CatalogueErrorCode.ITEM_INVALID,
        _("入力内容を確認してください。"),
        fields={field: [message]},
    )


def vendor_partner_exists(lab: Lab, company: Company) -> bool:
    """Whether ``company`` is an IT vendor of ``lab``'s ward consortium (an active partner
    row of kind vendor): only those exhibit at the lab."""
    return Partner.objects.filter(
        municipality_id=lab.municipality_id,
        kind=PartnerKind.VENDOR,
        company=company,
        active=True,
    ).exists()


def _check_exhibitor(lab: Lab, exhibitor: Company | None) -> None:
    if exhibitor is None:
        return
    if (
        exhibitor.kind != CompanyKind.VENDOR
        or not exhibitor.is_active
        or not vendor_partner_exists(lab, exhibitor)
    ):
        raise ApplicationError(
            CatalogueErrorCode.EXHIBITOR_INVALID,
            _("出展ベンダーには、このラボに登録されたITベンダーを選んでください。"),
            fields={
                "exhibitor": [
                    _("%(name)s はこのラボのITベンダーとして登録されていません。")
                    % {"name": exhibitor.name}
                ]
            },
        )


def _check_item(item: Item) -> None:
    """What the model's own checks cannot say clearly: the name and summary, the capacity
    and a trial length only for software."""
    if not (item.name or "").strip():
        raise _field_error("name", _("名称を入力してください。"))
    if not (item.summary or "").strip():
        raise _field_error("summary", _("「ひとことで」に、どんな機器かを短く書いてください。"))
    if item.kind not in ItemKind.values:
        raise _field_error("kind", _("種類を選んでください。"))
    if item.capacity is None or not 1 <= item.capacity <= MAX_CAPACITY:
        raise _field_error(
            "capacity",
            _("同時に予約できる数は 1 から %(max)s までにしてください。") % {"max": MAX_CAPACITY},
        )
    if item.trial_days is not None:
        if item.kind != ItemKind.SOFTWARE:
            raise _field_error(
                "trial_days", _("試用ライセンスの日数は、ソフトウェアにだけ設定できます。")
            )
        if not 1 <= item.trial_days <= MAX_TRIAL_DAYS:
            raise _field_error(
                "trial_days",
                _("試用ライセンスは 1 日から %(max)s 日までにしてください。")
                % {"max": MAX_TRIAL_DAYS},
            )


def _apply(item: Item, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)


def _tell_new_exhibitor(item: Item, before: int | None) -> None:
    if item.exhibitor_id is None or item.exhibitor_id == before or item.exhibitor is None:
        return
    notify_company(
        company=item.exhibitor,
        kind="lab_exhibit_assigned",
        params={"item": item.name, "lab": item.lab.name},
        path=reverse("lab:vendor_exhibits"),
    )


@transaction.atomic
def item_create(*, actor: User, lab: Lab, **fields: Any) -> Item:
    """Add an item to ``lab``'s catalogue (``ITEM_FIELDS``); public at once. An exhibitor
    must be an IT vendor of the lab's ward; its people are told."""
    require_lab_staff(actor, lab)
    unknown = sorted(set(fields) - set(ITEM_FIELDS))
    if unknown:
        raise ValueError(f"not item fields: {unknown}")
    item = Item(lab=lab)
    _apply(item, fields)
    _check_item(item)
    _check_exhibitor(lab, item.exhibitor)
    full_clean_or_raise(item, code=CatalogueErrorCode.ITEM_INVALID)
    item.save()
    audit_record(
        actor=actor,
        verb="lab_item.create",
        target=item,
        company=item.exhibitor,
        after=snapshot(item, AUDIT_FIELDS),
    )
    _tell_new_exhibitor(item, None)
    return item


def _lock_item(item: Item) -> Item:
    return Item.objects.select_for_update(of=("self",)).select_related("lab").get(pk=item.pk)


@transaction.atomic
def item_update(*, actor: User, item: Item, **changes: Any) -> Item:
    """Change ``item``. The lab's staff may change any of ``ITEM_FIELDS``; the people of the
    vendor exhibiting it only ``EXHIBIT_FIELDS`` (a change of anything else is refused and
    nothing is saved); anyone else is refused."""
    unknown = sorted(set(changes) - set(ITEM_FIELDS))
    if unknown:
        raise ValueError(f"not item fields: {unknown}")
    if not is_lab_staff(actor, item.lab):
        if not Item.objects.for_user(actor, CHANGE).filter(pk=item.pk).exists():
            raise PermissionRefused(
                CatalogueErrorCode.NOT_EXHIBITOR,
                _("この機器の説明を変更できるのは、ラボのスタッフと出展ベンダーだけです。"),
            )
        outside = sorted(set(changes) - set(EXHIBIT_FIELDS))
        if outside:
            raise PermissionRefused(
                CatalogueErrorCode.FIELD_NOT_EDITABLE,
                _(
                    "出展ベンダーが変更できるのは、ひとことで・仕様・町工場での使いみち・"
                    "安全上の注意と写真だけです。ほかはラボのスタッフにご相談ください。"
                ),
            )
    item = _lock_item(item)
    before = snapshot(item, AUDIT_FIELDS)
    exhibitor_before = item.exhibitor_id
    _apply(item, changes)
    _check_item(item)
    if item.exhibitor_id != exhibitor_before:
        _check_exhibitor(item.lab, item.exhibitor)
    full_clean_or_raise(item, code=CatalogueErrorCode.ITEM_INVALID)
    item.save()
    audit_record(
        actor=actor,
        verb="lab_item.update",
        target=item,
        company=item.exhibitor,
        before=before,
        after=snapshot(item, AUDIT_FIELDS),
    )
    _tell_new_exhibitor(item, exhibitor_before)
    return item


def _set_active(actor: User, item: Item, active: bool) -> Item:
    require_lab_staff(actor, item.lab)
    item = _lock_item(item)
    if item.active == active:
        return item
    item.active = active
    item.save(update_fields=["active", "updated_at"])
    audit_record(
        actor=actor,
        verb="lab_item.activate" if active else "lab_item.deactivate",
        target=item,
        company=item.exhibitor,
        before={"active": not active},
        after={"active": active},
    )
    return item


@transaction.atomic
def item_deactivate(*, actor: User, item: Item) -> Item:
    """Withdraw ``item`` from the public catalogue (its bookings and history stay)."""
    return _set_active(actor, item, False)


@transaction.atomic
def item_activate(*, actor: User, item: Item) -> Item:
    """Show a withdrawn item in the catalogue again."""
    return _set_active(actor, item, True)


# --- photos ------------------------------------------------------------------------------


def _require_item_editor(actor: User, item: Item) -> None:
    if not Item.objects.for_user(actor, CHANGE).filter(pk=item.pk).exists():
        raise PermissionRefused(
            CatalogueErrorCode.NOT_EXHIBITOR,
            _("この機器の写真を変更できるのは、ラボのスタッフと出展ベンダーだけです。"),
        )


def photo_max_bytes() -> int:
    """The upload limit (for ``core.uploads.limit_upload_size``)."""
    return max_photo_bytes()


@transaction.atomic
def item_photo_add(*, actor: User, item: Item, upload: UploadedFile, title: str = "") -> ItemPhoto:
    """Add a photo of ``item`` (the lab's staff or the exhibiting vendor's people): checked
    from its content, re-encoded as JPEG without its metadata, at most
    ``MAX_PHOTOS_PER_ITEM`` per item. A refused upload stores nothing."""
    _require_item_editor(actor, item)
    item = _lock_item(item)
    if upload is None:
        raise ApplicationError(
            CatalogueErrorCode.PHOTO_INVALID,
            _("写真のファイルを選んでください。"),
            fields={"image": [_("写真のファイルを選んでください。")]},
        )
    if ItemPhoto.objects.filter(item=item).count() >= MAX_PHOTOS_PER_ITEM:
        raise ApplicationError(
            CatalogueErrorCode.PHOTO_LIMIT,
            _("写真は1つの機器に %(max)s 枚までです。古い写真を削除してから追加してください。")
            % {"max": MAX_PHOTOS_PER_ITEM},
        )
    original = clean_filename(upload.name or "")
    content = prepare_photo(upload)  # raises ApplicationError before anything is stored
    photo = ItemPhoto(item=item, title=(title or "").strip() or item.name)
    name = describe_upload(
        photo,
        content,
        actor=actor,
        kinds=("jpeg",),
        max_bytes=max_photo_bytes(),
        max_pages=1,
        code=CatalogueErrorCode.PHOTO_INVALID,
        type_message=_("写真として読み込めませんでした。JPEG・PNG・WebP の写真を選んでください。"),
    )
    photo.original_name = (original or name)[:160]
    full_clean_or_raise(photo, code=CatalogueErrorCode.PHOTO_INVALID, exclude=["file"])
    store_upload(
        photo,
        content,
        name,
        record=lambda: audit_record(
            actor=actor,
            verb="lab_item_photo.create",
            target=photo,
            company=item.exhibitor,
            after=snapshot(photo, PHOTO_FIELDS),
        ),
    )
    return photo


@transaction.atomic
def item_photo_remove(*, actor: User, photo: ItemPhoto) -> None:
    """Remove a photo; its file goes from the storage once the deletion is committed."""
    _require_item_editor(actor, photo.item)
    before = snapshot(photo, PHOTO_FIELDS)
    storage, name = photo.file.storage, photo.file.name
    audit_record(
        actor=actor,
        verb="lab_item_photo.delete",
        target=photo,
        company=photo.item.exhibitor,
        before=before,
    )
    photo.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
